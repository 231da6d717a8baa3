// Pure: compares what the templates of an account's models need with a backend's /object_info and
// words the gaps so an operator can act on them (SPEC §6, models.md Decision 1) — model by model, so
// an account serves the models it is ready for and names exactly what the others lack.
import { MODELS, type Mode, type ModelId } from '@mediagen/contract';
import type { ModelFileRequirement, ModelReadiness, PackRequirement } from '#ports/engine.ts';
import { comboOptions, formatProblem, inputSpec, validateTemplate, type NodeCatalog } from './graph-validation.ts';
import {
  MODEL_FILE_INPUTS,
  modelFileInput,
  modelFileUses,
  packOf,
  templateRequirements,
} from './template-requirements.ts';
import { manifestFile, packOfNode, type WorkflowManifest } from './workflow-manifest.ts';
import { templateName, type TemplateSet, type WorkflowTemplate } from './workflow-templates.ts';

export interface BackendAssessment {
  missingNodes: string[];
  /** "folder/file" */
  missingModels: string[];
  /** templates whose nodes exist but whose inputs the backend's node versions reject */
  incompatible: string[];
  reason?: string;
}

/** Every file some loader of the backend lists, by models folder (what `GET /models/<folder>` would show). */
function filesSeen(catalog: NodeCatalog): Map<string, Set<string>> {
  const seen = new Map<string, Set<string>>();
  for (const fi of MODEL_FILE_INPUTS) {
    const options = comboOptions(inputSpec(catalog[fi.nodeClass], fi.input)) ?? [];
    const set = seen.get(fi.folder) ?? new Set<string>();
    for (const o of options) if (typeof o === 'string') set.add(o);
    seen.set(fi.folder, set);
  }
  return seen;
}

/**
 * Files the templates load that the backend lacks. A file whose loader class is itself missing is
 * still checked, against what the backend's other loaders list for that folder: an operator fixing the
 * missing pack should learn at once whether the file is there too.
 */
function missingFiles(
  templates: readonly WorkflowTemplate[],
  catalog: NodeCatalog,
): Array<{ folder: string; file: string }> {
  const seen = filesSeen(catalog);
  const out = new Map<string, { folder: string; file: string }>();
  for (const t of templates) {
    for (const u of modelFileUses(t)) {
      const def = catalog[u.nodeClass];
      const present = def
        ? (comboOptions(inputSpec(def, u.input)) ?? []).includes(u.file)
        : (seen.get(u.folder)?.has(u.file) ?? false);
      if (!present) out.set(`${u.folder}/${u.file}`, { folder: u.folder, file: u.file });
    }
  }
  return [...out.values()];
}

function incompatibleTemplates(
  templates: readonly WorkflowTemplate[],
  catalog: NodeCatalog,
  missingNodes: string[],
): string[] {
  // input by input, minus what is already explained; an input the node no longer declares is only
  // ignored by ComfyUI, so it does not fail the backend (a binding to it does: validateTemplate reports that)
  const out: string[] = [];
  for (const t of templates) {
    const problems = validateTemplate(t, catalog, { modelFilesFromCatalog: true, ignoreUnknownInputs: true }).filter(
      (p) =>
        !p.declaration && // the template's own declarations: the template tests cover them
        !(p.classType && missingNodes.includes(p.classType)) && // already reported as a missing class
        !(p.classType && p.input && modelFileInput(p.classType, p.input)), // already reported as a missing file
    );
    if (problems.length > 0)
      out.push(
        `${templateName(t)}: ${problems.slice(0, 3).map(formatProblem).join('; ')}${problems.length > 3 ? ` (+${problems.length - 3} more)` : ''}`,
      );
  }
  return out;
}

export function assessBackend(templates: readonly WorkflowTemplate[], catalog: NodeCatalog): BackendAssessment {
  const req = templateRequirements(templates);
  const missingNodes = req.nodeClasses.filter((c) => !catalog[c]);
  const missingModels = missingFiles(templates, catalog).map((f) => `${f.folder}/${f.file}`);
  const incompatible = incompatibleTemplates(templates, catalog, missingNodes);
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
  if (missingModels.length > 0) parts.push(`missing model files: ${missingModels.join(', ')}`);
  if (incompatible.length > 0)
    parts.push(
      `node definitions differ from the workflow templates (update ComfyUI or the custom node packs): ${incompatible.join(' | ')}`,
    );
  return { missingNodes, missingModels, incompatible, ...(parts.length > 0 ? { reason: parts.join('; ') } : {}) };
}

export function packRequirement(manifest: WorkflowManifest, name: string, nodes: readonly string[]): PackRequirement {
  const pack = manifest.packs[name];
  return {
    name,
    nodes: [...nodes],
    ...(pack?.repository ? { repository: pack.repository } : {}),
    ...(pack?.commit ? { commit: pack.commit } : {}),
    ...(pack?.bundled ? { bundled: true } : {}),
  };
}

export function fileRequirement(manifest: WorkflowManifest, folder: string, file: string): ModelFileRequirement {
  const m = manifestFile(manifest, folder, file);
  return {
    folder,
    file,
    ...(m ? { size: m.size, url: m.url, source: m.source } : {}),
    ...(m?.bytes !== undefined ? { bytes: m.bytes } : {}),
    ...(m?.sha256 ? { sha256: m.sha256 } : {}),
  };
}

/** The packs providing these node classes (by the templates' declarations, else the manifest). */
function packsFor(
  templates: readonly WorkflowTemplate[],
  manifest: WorkflowManifest,
  nodes: readonly string[],
): PackRequirement[] {
  const byPack = new Map<string, string[]>();
  for (const n of nodes) {
    const name = packOf(templates, n) ?? packOfNode(manifest, n)?.name;
    if (name) byPack.set(name, [...(byPack.get(name) ?? []), n]);
  }
  return [...byPack].map(([name, classes]) => packRequirement(manifest, name, classes));
}

function readinessReason(r: Omit<ModelReadiness, 'ready' | 'reason'>): string | undefined {
  const parts: string[] = [];
  if (r.missingTemplates.length > 0)
    parts.push(`no workflow template on the gateway for ${r.missingTemplates.join(', ')}`);
  for (const p of r.missingPacks)
    parts.push(`install pack ${p.name}${p.commit ? ` at ${p.commit.slice(0, 12)}` : ''} (${p.nodes.join(', ')})`);
  const packed = new Set(r.missingPacks.flatMap((p) => p.nodes));
  const core = r.missingNodes.filter((n) => !packed.has(n));
  if (core.length > 0) parts.push(`missing node classes: ${core.join(', ')} (update ComfyUI)`);
  if (r.missingFiles.length > 0)
    parts.push(`missing model files: ${r.missingFiles.map((f) => `${f.folder}/${f.file}`).join(', ')}`);
  if (r.incompatible.length > 0)
    parts.push(`node definitions differ from the workflow templates: ${r.incompatible.join(' | ')}`);
  return parts.length > 0 ? parts.join('; ') : undefined;
}

/** One readiness entry per model: every mode's template must find its nodes and files on the backend. */
export function assessModels(set: TemplateSet, models: readonly ModelId[], catalog: NodeCatalog): ModelReadiness[] {
  return models.map((model) => {
    const templates = set.forModel(model);
    const missingTemplates: Mode[] = MODELS[model].modes.filter((mode) => !set.find(model, mode));
    const a = assessBackend(templates, catalog);
    const base = {
      model,
      missingPacks: packsFor(templates, set.manifest, a.missingNodes),
      missingNodes: a.missingNodes,
      missingFiles: missingFiles(templates, catalog).map((f) => fileRequirement(set.manifest, f.folder, f.file)),
      incompatible: a.incompatible,
      missingTemplates,
    };
    const reason = readinessReason(base);
    return { ...base, ready: reason === undefined, ...(reason ? { reason } : {}) };
  });
}

/** The LoRA files a backend lists (the options of its LoRA loaders: ComfyUI's models/loras), sorted. */
export function loraFilesOf(catalog: NodeCatalog): string[] {
  const files = new Set<string>();
  for (const nodeClass of ['LoraLoader', 'LoraLoaderModelOnly'])
    for (const o of comboOptions(inputSpec(catalog[nodeClass], 'lora_name')) ?? [])
      if (typeof o === 'string') files.add(o);
  return [...files].sort();
}

/**
 * Live previews need a preview method: ComfyUI's default is `--preview-method none` (reference/comfyui.md
 * §3.4, §7.12). Reads the launch arguments /system_stats reports.
 */
export function launchWarnings(argv: readonly string[] | undefined): string[] {
  if (!argv) return [];
  const i = argv.findIndex((a) => a === '--preview-method' || a.startsWith('--preview-method='));
  const method = i < 0 ? 'none' : argv[i]!.includes('=') ? argv[i]!.split('=')[1] : argv[i + 1];
  if (method && method !== 'none') return [];
  return [
    'live previews are off: ComfyUI runs with --preview-method none (its default); restart it with --preview-method auto (or taesd, with the TAESD decoders in models/vae_approx) to see previews while jobs run',
  ];
}
