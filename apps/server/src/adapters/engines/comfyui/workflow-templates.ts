import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { zMode, zModelId, type Mode, type ModelId } from '@mediagen/contract';
import { z } from 'zod';

export const DEFAULT_WORKFLOWS_DIR = fileURLToPath(new URL('../../../../workflows', import.meta.url));

const zLink = z.tuple([z.string(), z.number().int()]);
const zNode = z.object({ class_type: z.string().min(1), inputs: z.record(z.string(), z.unknown()) });

const zFieldBinding = z.object({
  field: z.string(),
  node: z.string(),
  input: z.string(),
  /** "negate" (clip_skip → stop_at_clip_layer), "string" (number → text) */
  transform: z.enum(['negate', 'string']).optional(),
  /** a value table, or the name of a built-in one (a1111_sampler, a1111_scheduler, flux_scheduler) */
  map: z.union([z.string(), z.record(z.string(), z.union([z.string(), z.number()]))]).optional(),
  /** text with {field} and {field:1} (one decimal) placeholders */
  template: z.string().optional(),
});
const zImageBinding = z.object({ image: z.enum(['reference', 'first', 'last']), node: z.string(), input: z.string() });

export const zWorkflowTemplate = z.object({
  model: zModelId,
  mode: zMode,
  variant: z.string().default('default'),
  notes: z.array(z.string()).default([]),
  customNodes: z.array(z.object({ class: z.string(), pack: z.string() })).default([]),
  graph: z.record(z.string(), zNode),
  bindings: z.array(z.union([zFieldBinding, zImageBinding])),
  output: z.object({ node: z.string(), kind: z.enum(['image', 'video']) }),
  handledByGateway: z.array(z.object({ param: z.string(), how: z.string() })).default([]),
  unsupported: z.array(z.object({ param: z.string(), reason: z.string() })).default([]),
  notApplicable: z.array(z.object({ param: z.string(), reason: z.string() })).default([]),
});
export type WorkflowTemplate = z.infer<typeof zWorkflowTemplate>;
export type FieldBinding = z.infer<typeof zFieldBinding>;
export type ImageBinding = z.infer<typeof zImageBinding>;
export const isLink = (v: unknown): v is [string, number] => zLink.safeParse(v).success;

export class TemplateSet {
  constructor(readonly templates: readonly WorkflowTemplate[], private readonly variants: Partial<Record<ModelId, string>> = {}) {}

  /** The template for a model × mode: the configured variant when there is one, else `default`. */
  get(model: ModelId, mode: Mode): WorkflowTemplate {
    const want = this.variants[model] ?? 'default';
    const t = this.templates.find((x) => x.model === model && x.mode === mode && x.variant === want)
      ?? this.templates.find((x) => x.model === model && x.mode === mode && x.variant === 'default');
    if (!t) throw new Error(`no workflow template for ${model} ${mode}`);
    return t;
  }

  forModels(models: readonly ModelId[], modes?: readonly Mode[]): WorkflowTemplate[] {
    return models.flatMap((m) => {
      const list = this.templates.filter((t) => t.model === m && (!modes || modes.includes(t.mode)));
      const modesOf = [...new Set(list.map((t) => t.mode))];
      return modesOf.map((mode) => this.get(m, mode));
    });
  }
}

/** Loads every `*.json` template from a directory (WORKFLOWS_DIR lets operators replace them without code). */
export function loadTemplates(dir = DEFAULT_WORKFLOWS_DIR, variants: Partial<Record<ModelId, string>> = {}): TemplateSet {
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  const templates = files.map((f) => {
    const parsed = zWorkflowTemplate.safeParse(JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')));
    if (!parsed.success) throw new Error(`workflow template ${f} is invalid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    for (const b of parsed.data.bindings) {
      const node = parsed.data.graph[b.node];
      if (!node) throw new Error(`workflow template ${f}: a binding names node ${b.node}, which the graph lacks`);
    }
    return parsed.data;
  });
  return new TemplateSet(templates, variants);
}
