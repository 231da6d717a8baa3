import fs from 'node:fs';
import { fileURLToPath } from 'node:url';

/** One input spec of /object_info: [TYPE or option list, options?]. */
export type InputSpec = [unknown, Record<string, unknown>?];

export interface NodeInfo {
  input: { required?: Record<string, InputSpec>; optional?: Record<string, InputSpec>; hidden?: Record<string, unknown> };
  output: string[];
  output_node: boolean;
  [k: string]: unknown;
}

export type Catalog = Record<string, NodeInfo>;
export type ModelFiles = Record<string, string[]>;

const DATA = (name: string): string => fileURLToPath(new URL(`../data/${name}`, import.meta.url));

/** Which loader input lists which model folder (real ComfyUI fills these from disk). */
const FILE_INPUTS: Array<{ node: string; input: string; folder: string }> = [
  { node: 'CheckpointLoaderSimple', input: 'ckpt_name', folder: 'checkpoints' },
  { node: 'CheckpointLoaderNF4', input: 'ckpt_name', folder: 'checkpoints' },
  { node: 'UNETLoader', input: 'unet_name', folder: 'diffusion_models' },
  { node: 'UnetLoaderGGUF', input: 'unet_name', folder: 'diffusion_models' },
  { node: 'CLIPLoader', input: 'clip_name', folder: 'text_encoders' },
  { node: 'DualCLIPLoader', input: 'clip_name1', folder: 'text_encoders' },
  { node: 'DualCLIPLoader', input: 'clip_name2', folder: 'text_encoders' },
  { node: 'VAELoader', input: 'vae_name', folder: 'vae' },
  { node: 'LoraLoader', input: 'lora_name', folder: 'loras' },
  { node: 'LoraLoaderModelOnly', input: 'lora_name', folder: 'loras' },
  { node: 'CLIPVisionLoader', input: 'clip_name', folder: 'clip_vision' },
];

export const LOADER_FILE_INPUTS = FILE_INPUTS;

export function loadModelFiles(file = process.env.SIM_MODELS_FILE ?? DATA('models.json'), missing: string[] = []): ModelFiles {
  const files = JSON.parse(fs.readFileSync(file, 'utf8')) as ModelFiles;
  const drop = new Set(missing);
  return Object.fromEntries(Object.entries(files).map(([k, v]) => [k, v.filter((f) => !drop.has(f))]));
}

/** Real 0.3.64 node definitions + the custom packs the templates declare, with loader lists filled, minus removed nodes. */
export function loadCatalog(models: ModelFiles, missingNodes: string[] = []): Catalog {
  const core = JSON.parse(fs.readFileSync(DATA('object_info.json'), 'utf8')) as Catalog;
  const custom = JSON.parse(fs.readFileSync(DATA('custom-nodes.json'), 'utf8')) as Catalog;
  const catalog: Catalog = { ...core, ...custom };
  for (const name of missingNodes) delete catalog[name];
  for (const { node, input, folder } of FILE_INPUTS) {
    const spec = catalog[node]?.input.required?.[input];
    if (!spec) continue;
    const list = [...(models[folder] ?? [])];
    // VAELoader keeps its built-in entries
    const builtIn = Array.isArray(spec[0]) ? (spec[0] as unknown[]).filter((v): v is string => typeof v === 'string' && !v.includes('.')) : [];
    spec[0] = [...list, ...builtIn];
  }
  return catalog;
}
