// What the setup script installs for a backend: every pack and file the models' templates need, or
// only those a health check found missing — with the manifest's pinned commits, sizes and sources.
import type { SetupScriptRequest } from '#ports/engine.ts';
import { fileRequirement, packRequirement } from './backend-health.ts';
import { renderSetupScript, type SetupFile, type SetupPack } from './setup-script.ts';
import { modelFileUses } from './template-requirements.ts';
import { bundledPackFiles, manifestFile } from './workflow-manifest.ts';
import type { TemplateSet } from './workflow-templates.ts';

export function setupScriptFor(set: TemplateSet, request: SetupScriptRequest): string {
  const m = set.manifest;
  const packs = new Map<string, Set<string>>();
  const files = new Map<string, { folder: string; file: string }>();
  const addPack = (name: string, nodes: readonly string[]): void => {
    const known = packs.get(name) ?? new Set<string>();
    for (const n of nodes) known.add(n);
    packs.set(name, known);
  };
  for (const model of request.models) {
    const readiness = request.readiness?.find((r) => r.model === model);
    if (request.readiness) {
      if (!readiness || readiness.ready) continue;
      for (const p of readiness.missingPacks) addPack(p.name, p.nodes);
      for (const f of readiness.missingFiles) files.set(`${f.folder}/${f.file}`, f);
      continue;
    }
    for (const t of set.forModel(model)) {
      for (const c of t.customNodes) addPack(c.pack, [c.class]);
      for (const u of modelFileUses(t)) files.set(`${u.folder}/${u.file}`, { folder: u.folder, file: u.file });
    }
  }
  const setupPacks: SetupPack[] = [...packs].map(([name, nodes]) => {
    const pack = m.packs[name];
    return {
      ...packRequirement(m, name, [...nodes].sort()),
      ...(pack?.requirements ? { requirements: pack.requirements } : {}),
      ...(pack?.bundled ? { files: bundledPackFiles(set.dir, pack) } : {}),
    };
  });
  const setupFiles: SetupFile[] = [...files.values()].map((f) => {
    const known = manifestFile(m, f.folder, f.file);
    return { ...fileRequirement(m, f.folder, f.file), ...(known?.auth ? { auth: known.auth } : {}) };
  });
  return renderSetupScript({
    models: request.models,
    packs: setupPacks,
    files: setupFiles,
    ...(m.comfyui ? { comfyui: { version: m.comfyui.version, launchArgs: m.comfyui.launchArgs } } : {}),
  });
}
