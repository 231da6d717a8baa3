// Pure: what a set of templates needs from a backend — node classes and model files — for
// Engine.requirements and the health check (SPEC §6: say exactly what a backend lacks).
import type { TemplateRequirements } from '#ports/engine.ts';
import { isImageBinding, type WorkflowTemplate } from './workflow-templates.ts';

/** Loader inputs that name model files, and the ComfyUI models folder each lists. */
export const MODEL_FILE_INPUTS: ReadonlyArray<{ nodeClass: string; input: string; folder: string }> = [
  { nodeClass: 'CheckpointLoaderSimple', input: 'ckpt_name', folder: 'checkpoints' },
  { nodeClass: 'CheckpointLoader', input: 'ckpt_name', folder: 'checkpoints' },
  { nodeClass: 'CheckpointLoaderNF4', input: 'ckpt_name', folder: 'checkpoints' },
  { nodeClass: 'UNETLoader', input: 'unet_name', folder: 'diffusion_models' },
  { nodeClass: 'UnetLoaderGGUF', input: 'unet_name', folder: 'diffusion_models' },
  { nodeClass: 'CLIPLoader', input: 'clip_name', folder: 'text_encoders' },
  { nodeClass: 'DualCLIPLoader', input: 'clip_name1', folder: 'text_encoders' },
  { nodeClass: 'DualCLIPLoader', input: 'clip_name2', folder: 'text_encoders' },
  { nodeClass: 'TripleCLIPLoader', input: 'clip_name1', folder: 'text_encoders' },
  { nodeClass: 'TripleCLIPLoader', input: 'clip_name2', folder: 'text_encoders' },
  { nodeClass: 'TripleCLIPLoader', input: 'clip_name3', folder: 'text_encoders' },
  { nodeClass: 'VAELoader', input: 'vae_name', folder: 'vae' },
  { nodeClass: 'LoraLoader', input: 'lora_name', folder: 'loras' },
  { nodeClass: 'LoraLoaderModelOnly', input: 'lora_name', folder: 'loras' },
  { nodeClass: 'CLIPVisionLoader', input: 'clip_name', folder: 'clip_vision' },
  { nodeClass: 'UpscaleModelLoader', input: 'model_name', folder: 'upscale_models' },
];

export function modelFileInput(nodeClass: string, input: string): { folder: string } | undefined {
  return MODEL_FILE_INPUTS.find((m) => m.nodeClass === nodeClass && m.input === input);
}

export interface ModelFileUse {
  nodeId: string;
  nodeClass: string;
  input: string;
  folder: string;
  file: string;
}

/** Files a template's loaders name: their literals plus every file a binding may choose (lighting_variant → checkpoint). */
export function modelFileUses(t: WorkflowTemplate): ModelFileUse[] {
  const uses: ModelFileUse[] = [];
  for (const [nodeId, node] of Object.entries(t.graph)) {
    for (const fi of MODEL_FILE_INPUTS) {
      if (fi.nodeClass !== node.class_type) continue;
      const files = new Set<string>();
      const literal = node.inputs[fi.input];
      if (typeof literal === 'string') files.add(literal);
      for (const b of t.bindings) {
        if (isImageBinding(b) || b.node !== nodeId || b.input !== fi.input || !b.map) continue;
        for (const v of Object.values(b.map)) files.add(String(v));
      }
      for (const file of files)
        uses.push({ nodeId, nodeClass: fi.nodeClass, input: fi.input, folder: fi.folder, file });
    }
  }
  return uses;
}

/** Node classes and model files the given templates need (deduplicated, sorted). */
export function templateRequirements(templates: readonly WorkflowTemplate[]): TemplateRequirements {
  const classes = new Set<string>();
  const files = new Map<string, { nodeClass: string; input: string; file: string }>();
  for (const t of templates) {
    for (const node of Object.values(t.graph)) classes.add(node.class_type);
    for (const u of modelFileUses(t))
      files.set(`${u.nodeClass}|${u.input}|${u.file}`, { nodeClass: u.nodeClass, input: u.input, file: u.file });
  }
  const modelFiles = [...files.values()].sort((a, b) =>
    `${a.nodeClass}${a.input}${a.file}`.localeCompare(`${b.nodeClass}${b.input}${b.file}`),
  );
  return { nodeClasses: [...classes].sort(), modelFiles };
}

/** The custom-node pack that provides a class, when some template declares it. */
export function packOf(templates: readonly WorkflowTemplate[], nodeClass: string): string | undefined {
  for (const t of templates) for (const c of t.customNodes) if (c.class === nodeClass) return c.pack;
  return undefined;
}
