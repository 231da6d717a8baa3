import type { TemplateRequirements } from '#ports/engine.ts';
import type { WorkflowTemplate } from './workflow-templates.ts';

/** Loader inputs that name model files, and the /models folder each lists. */
export const MODEL_FILE_INPUTS: ReadonlyArray<{ nodeClass: string; input: string; folder: string }> = [
  { nodeClass: 'CheckpointLoaderSimple', input: 'ckpt_name', folder: 'checkpoints' },
  { nodeClass: 'CheckpointLoaderNF4', input: 'ckpt_name', folder: 'checkpoints' },
  { nodeClass: 'UNETLoader', input: 'unet_name', folder: 'diffusion_models' },
  { nodeClass: 'UnetLoaderGGUF', input: 'unet_name', folder: 'diffusion_models' },
  { nodeClass: 'CLIPLoader', input: 'clip_name', folder: 'text_encoders' },
  { nodeClass: 'DualCLIPLoader', input: 'clip_name1', folder: 'text_encoders' },
  { nodeClass: 'DualCLIPLoader', input: 'clip_name2', folder: 'text_encoders' },
  { nodeClass: 'VAELoader', input: 'vae_name', folder: 'vae' },
  { nodeClass: 'LoraLoader', input: 'lora_name', folder: 'loras' },
  { nodeClass: 'LoraLoaderModelOnly', input: 'lora_name', folder: 'loras' },
  { nodeClass: 'CLIPVisionLoader', input: 'clip_name', folder: 'clip_vision' },
];

/** Node classes and model files the given templates need (for health checks and operators). */
export function templateRequirements(templates: readonly WorkflowTemplate[]): TemplateRequirements {
  const classes = new Set<string>();
  const files = new Map<string, { nodeClass: string; input: string; file: string }>();
  for (const t of templates) {
    for (const [id, node] of Object.entries(t.graph)) {
      classes.add(node.class_type);
      for (const fi of MODEL_FILE_INPUTS) {
        if (fi.nodeClass !== node.class_type) continue;
        const literal = node.inputs[fi.input];
        const values = new Set<string>(typeof literal === 'string' ? [literal] : []);
        // files a binding may choose (lighting_variant → checkpoint)
        for (const b of t.bindings) {
          if (!('image' in b) && b.node === id && b.input === fi.input && b.map && typeof b.map === 'object') {
            for (const v of Object.values(b.map)) values.add(String(v));
          }
        }
        for (const file of values) files.set(`${fi.nodeClass}|${fi.input}|${file}`, { nodeClass: fi.nodeClass, input: fi.input, file });
      }
    }
  }
  return { nodeClasses: [...classes].sort(), modelFiles: [...files.values()] };
}

/** The pack to install for a missing node class, when a template declares it. */
export function packOf(templates: readonly WorkflowTemplate[], nodeClass: string): string | undefined {
  for (const t of templates) for (const c of t.customNodes) if (c.class === nodeClass) return c.pack;
  return undefined;
}
