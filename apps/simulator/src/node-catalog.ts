import fs from 'node:fs';
import { fileURLToPath } from 'node:url';

/** One input spec of /object_info: [TYPE or option list, options?]. */
export type InputSpec = [unknown, Record<string, unknown>?];

export interface NodeInfo {
  input: {
    required?: Record<string, InputSpec>;
    optional?: Record<string, InputSpec>;
    hidden?: Record<string, unknown>;
  };
  output: string[];
  output_node: boolean;
  python_module?: string;
  [k: string]: unknown;
}

export type Catalog = Record<string, NodeInfo>;
/** model folder (`checkpoints`, `vae`, …) → relative file names */
export type ModelFiles = Record<string, string[]>;

const DATA = (name: string): string => fileURLToPath(new URL(`../data/${name}`, import.meta.url));

/** Extensions ComfyUI's folder_paths lists for the core model folders (`supported_pt_extensions`). */
const PT_EXTENSIONS = ['.ckpt', '.pt', '.pt2', '.bin', '.pth', '.safetensors', '.pkl', '.sft'];

/** Folder keys of a stock 0.3.64 install (`GET /models`). */
const CORE_FOLDERS = [
  'checkpoints',
  'configs',
  'loras',
  'vae',
  'text_encoders',
  'diffusion_models',
  'clip_vision',
  'style_models',
  'embeddings',
  'diffusers',
  'vae_approx',
  'controlnet',
  'gligen',
  'upscale_models',
  'custom_nodes',
  'hypernetworks',
  'photomaker',
  'classifiers',
  'model_patches',
  'audio_encoders',
];

/** Which loader input lists which model folder (real ComfyUI fills these combos from disk). */
export const LOADER_FILE_INPUTS: ReadonlyArray<{ node: string; input: string; folder: string; gguf?: boolean }> = [
  { node: 'CheckpointLoaderSimple', input: 'ckpt_name', folder: 'checkpoints' },
  { node: 'CheckpointLoaderNF4', input: 'ckpt_name', folder: 'checkpoints' },
  { node: 'UNETLoader', input: 'unet_name', folder: 'diffusion_models' },
  // ComfyUI-GGUF registers its own `unet_gguf` folder: the .gguf files of models/unet + models/diffusion_models
  { node: 'UnetLoaderGGUF', input: 'unet_name', folder: 'diffusion_models', gguf: true },
  { node: 'CLIPLoader', input: 'clip_name', folder: 'text_encoders' },
  { node: 'DualCLIPLoader', input: 'clip_name1', folder: 'text_encoders' },
  { node: 'DualCLIPLoader', input: 'clip_name2', folder: 'text_encoders' },
  { node: 'VAELoader', input: 'vae_name', folder: 'vae' },
  { node: 'LoraLoader', input: 'lora_name', folder: 'loras' },
  { node: 'LoraLoaderModelOnly', input: 'lora_name', folder: 'loras' },
  { node: 'CLIPVisionLoader', input: 'clip_name', folder: 'clip_vision' },
];

const isGguf = (f: string): boolean => f.toLowerCase().endsWith('.gguf');
const isPt = (f: string): boolean => PT_EXTENSIONS.some((e) => f.toLowerCase().endsWith(e));

export function loadModelFiles(
  file = process.env.SIM_MODELS_FILE ?? DATA('models.json'),
  missing: string[] = [],
): ModelFiles {
  const files = JSON.parse(fs.readFileSync(file, 'utf8')) as ModelFiles;
  const drop = new Set(missing);
  return Object.fromEntries(Object.entries(files).map(([k, v]) => [k, v.filter((f) => !drop.has(f))]));
}

/** One custom-node pack's definitions, generated from its source at a pinned commit (scripts/extract_node_definitions.py). */
export interface PackDefinitions {
  pack: string;
  repository: string | null;
  commit: string | null;
  source_sha256: string;
  nodes: Catalog;
}

/** Every pack under data/packs/, as a real install of those packs at their pinned commits reports them. */
export function loadPackDefinitions(dir = DATA('packs')): PackDefinitions[] {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(fs.readFileSync(`${dir}/${f}`, 'utf8')) as PackDefinitions);
}

/** Real 0.3.64 node definitions + the pinned packs, with loader combos filled from `models`, minus `missingNodes`. */
export function loadCatalog(models: ModelFiles, missingNodes: string[] = []): Catalog {
  const core = JSON.parse(fs.readFileSync(DATA('object_info.json'), 'utf8')) as Catalog;
  const catalog: Catalog = { ...core };
  for (const pack of loadPackDefinitions()) Object.assign(catalog, structuredClone(pack.nodes));
  for (const name of missingNodes) delete catalog[name];
  for (const { node, input, folder, gguf } of LOADER_FILE_INPUTS) {
    const spec = catalog[node]?.input.required?.[input];
    if (!spec) continue;
    const files = (models[folder] ?? []).filter(gguf ? isGguf : isPt);
    // VAELoader keeps its built-in entries (`pixel_space`, taesd…), which have no extension
    const builtIn = Array.isArray(spec[0])
      ? (spec[0] as unknown[]).filter((v): v is string => typeof v === 'string' && !v.includes('.'))
      : [];
    spec[0] = [...files, ...builtIn];
  }
  return catalog;
}

/** `GET /models`: the folder keys (plus the GGUF pack's own keys when it is installed). */
export function modelFolderNames(models: ModelFiles, catalog: Catalog): string[] {
  const keys = new Set([...CORE_FOLDERS, ...Object.keys(models)]);
  if (catalog.UnetLoaderGGUF) keys.add('unet_gguf').add('clip_gguf');
  return [...keys];
}

/** `GET /models/{folder}`: what folder_paths.get_filename_list returns, or undefined (→ 404). */
export function listModelFolder(models: ModelFiles, catalog: Catalog, folder: string): string[] | undefined {
  if (folder === 'unet_gguf' && catalog.UnetLoaderGGUF) return (models.diffusion_models ?? []).filter(isGguf);
  if (folder === 'clip_gguf' && catalog.UnetLoaderGGUF) return (models.text_encoders ?? []).filter(isGguf);
  if (!modelFolderNames(models, catalog).includes(folder)) return undefined;
  return (models[folder] ?? []).filter(isPt);
}

/** LoadImage's combo lists the top-level image files of the input directory, as ComfyUI does. */
export function setInputImageChoices(catalog: Catalog, files: string[]): void {
  const spec = catalog.LoadImage?.input.required?.image;
  if (spec) spec[0] = files;
}

/** Simulator data about the four models' files (data/model-traits.json). */
export interface ModelTraits {
  /** model id → the files its templates load */
  models: Record<string, string[]>;
  /** checkpoint → the image conditioning it can use */
  conditioning: Record<string, 'i2v' | 'vace' | 't2v'>;
}

export function loadModelTraits(): ModelTraits {
  return JSON.parse(fs.readFileSync(DATA('model-traits.json'), 'utf8')) as ModelTraits;
}

/** Files to leave out so that only these models' files are present (files shared with a kept model stay). */
export function filesOfOtherModels(traits: ModelTraits, keep: readonly string[]): string[] {
  const kept = new Set(keep.flatMap((m) => traits.models[m] ?? []));
  return Object.entries(traits.models)
    .filter(([m]) => !keep.includes(m))
    .flatMap(([, files]) => files.filter((f) => !kept.has(f)));
}
