// Test support: the node definitions templates are validated against — real ComfyUI 0.3.64
// (/object_info) plus each pinned custom-node pack, generated from its source at the pinned commit
// (apps/simulator/data/packs, by apps/simulator/scripts/extract_node_definitions.py).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseNodeCatalog, type NodeCatalog } from './graph-validation.ts';

export const SIMULATOR_DATA_DIR = fileURLToPath(new URL('../../../../../simulator/data', import.meta.url));

export interface PackDefinitionsFile {
  pack: string;
  repository: string | null;
  commit: string | null;
  source_sha256: string;
  nodes: Record<string, unknown>;
}

const readJson = (file: string): unknown => JSON.parse(fs.readFileSync(file, 'utf8'));

export function corePlusPacksRaw(): Record<string, unknown> {
  const out = { ...(readJson(path.join(SIMULATOR_DATA_DIR, 'object_info.json')) as Record<string, unknown>) };
  for (const p of packDefinitions()) Object.assign(out, p.nodes);
  return out;
}

export function packDefinitions(): PackDefinitionsFile[] {
  const dir = path.join(SIMULATOR_DATA_DIR, 'packs');
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => readJson(path.join(dir, f)) as PackDefinitionsFile);
}

export function coreCatalog(): NodeCatalog {
  return parseNodeCatalog(readJson(path.join(SIMULATOR_DATA_DIR, 'object_info.json'))).catalog;
}

/** Core 0.3.64 + every pinned pack. */
export function referenceCatalog(): NodeCatalog {
  return parseNodeCatalog(corePlusPacksRaw()).catalog;
}
