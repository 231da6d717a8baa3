// Pure: compares what the templates of an account's models need with a backend's /object_info and
// words the gaps so an operator can act on them (SPEC §6, models.md Decision 1).
import { comboOptions, formatProblem, inputSpec, validateTemplate, type NodeCatalog } from './graph-validation.ts';
import { folderOf, modelFileInput, packOf, templateRequirements } from './template-requirements.ts';
import { templateName, type WorkflowTemplate } from './workflow-templates.ts';

export interface BackendAssessment {
  missingNodes: string[];
  /** "folder/file" */
  missingModels: string[];
  /** templates whose nodes exist but whose inputs the backend's node versions reject */
  incompatible: string[];
  reason?: string;
}

export function assessBackend(templates: readonly WorkflowTemplate[], catalog: NodeCatalog): BackendAssessment {
  const req = templateRequirements(templates);
  const missingNodes = req.nodeClasses.filter((c) => !catalog[c]);
  const missingModels = new Set<string>();
  for (const f of req.modelFiles) {
    const def = catalog[f.nodeClass];
    if (!def) continue; // the class itself is missing: reported above
    const options = comboOptions(inputSpec(def, f.input)) ?? [];
    if (!options.includes(f.file)) missingModels.add(`${folderOf(f.nodeClass, f.input)}/${f.file}`);
  }
  // input by input, minus what is already explained; an input the node no longer declares is only
  // ignored by ComfyUI, so it does not fail the backend (a binding to it does: validateTemplate reports that)
  const incompatible: string[] = [];
  for (const t of templates) {
    const problems = validateTemplate(t, catalog, { modelFilesFromCatalog: true, ignoreUnknownInputs: true }).filter(
      (p) =>
        !p.declaration && // the template's own declarations: the template tests cover them
        !(p.classType && missingNodes.includes(p.classType)) && // already reported as a missing class
        !(p.classType && p.input && modelFileInput(p.classType, p.input)), // already reported as a missing file
    );
    if (problems.length > 0) {
      incompatible.push(
        `${templateName(t)}: ${problems.slice(0, 3).map(formatProblem).join('; ')}${problems.length > 3 ? ` (+${problems.length - 3} more)` : ''}`,
      );
    }
  }
  const parts: string[] = [];
  if (missingNodes.length > 0) {
    parts.push(
      `missing node classes: ${missingNodes
        .map((n) => {
          const pack = packOf(templates, n);
          return pack ? `${n} (install ${pack})` : n;
        })
        .join(', ')}`,
    );
  }
  if (missingModels.size > 0) parts.push(`missing model files: ${[...missingModels].join(', ')}`);
  if (incompatible.length > 0)
    parts.push(
      `node definitions differ from the workflow templates (update ComfyUI or the custom node packs): ${incompatible.join(' | ')}`,
    );
  return {
    missingNodes,
    missingModels: [...missingModels],
    incompatible,
    ...(parts.length > 0 ? { reason: parts.join('; ') } : {}),
  };
}
