// Workflow templates are data (SPEC §7, models.md Decision 1): one ComfyUI API-format graph per
// model × mode (× variant) plus a binding of payload fields to node inputs. This module loads and
// checks their shape; binding lives in workflow-binding.ts, node-level checks in graph-validation.ts.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MODEL_LIST, zMode, zModelId, type Mode, type ModelId } from '@mediagen/contract';
import { z } from 'zod';
import { MANIFEST_FILE, ManifestError, loadManifest, type WorkflowManifest } from './workflow-manifest.ts';

export const DEFAULT_WORKFLOWS_DIR = fileURLToPath(new URL('../../../../workflows', import.meta.url));
export const DEFAULT_VARIANT = 'default';

/** Fields of a ResolvedGeneration a binding may read. */
export const BINDABLE_FIELDS = [
  'prompt',
  'negative_prompt',
  'width',
  'height',
  'seed',
  'batch_size',
  'steps',
  'cfg_scale',
  'guidance_scale',
  'clip_skip',
  'sampler',
  'num_frames',
  'fps',
  'motion_score',
  'lighting_variant',
  'score_prefix',
  'reference_strength',
  'denoising_strength',
  'reference_frame_index',
  'reference_image',
  'first_frame_image',
  'last_frame_image',
] as const;
const zField = z.enum(BINDABLE_FIELDS);

/** Uploaded images a template can take, and the payload field each comes from. */
export const IMAGE_SLOTS = {
  reference: 'reference_image',
  first: 'first_frame_image',
  last: 'last_frame_image',
} as const;
export type ImageSlot = keyof typeof IMAGE_SLOTS;

const zLiteral = z.union([z.string(), z.number(), z.boolean()]);
const zNodeId = z.string().min(1);

export const zApiNode = z.object({
  class_type: z.string().min(1),
  inputs: z.record(z.string(), z.unknown()),
  _meta: z.object({ title: z.string() }).partial().optional(),
});
export const zApiGraph = z.record(zNodeId, zApiNode);
export type ApiGraph = z.infer<typeof zApiGraph>;

export const zFieldBinding = z
  .object({
    field: zField,
    node: zNodeId,
    input: z.string().min(1),
    /** value table (A1111 sampler → ComfyUI name, lighting_variant → checkpoint file) */
    map: z.record(z.string(), zLiteral).optional(),
    /** negate: clip_skip → stop_at_clip_layer; string: number → STRING input; int: rounded */
    transform: z.enum(['negate', 'string', 'int']).optional(),
    /** added to the (numeric) value: num_frames − 2 grey frames between a first and a last guide frame */
    offset: z.number().optional(),
    /** text with {field}, {field:.1f} and {field?text} (text when the field is true) placeholders */
    template: z.string().optional(),
  })
  .strict();
export const zImageBinding = z
  .object({ image: z.enum(['reference', 'first', 'last']), node: zNodeId, input: z.string().min(1) })
  .strict();
export type FieldBinding = z.infer<typeof zFieldBinding>;
export type ImageBinding = z.infer<typeof zImageBinding>;
export type Binding = FieldBinding | ImageBinding;

const zLink = z.tuple([zNodeId, z.number().int().min(0)]);

/**
 * Where LoRAs go (see workflows/README.md): one chain per model the graph loads. Each LoRA becomes a core
 * `LoraLoader` (when `clip` is given: MODEL and CLIP) or `LoraLoaderModelOnly` node in every chain, and
 * every input that linked to the chain's source outputs is rewired to the chain's end.
 */
export const zLoraChain = z
  .object({
    /** the MODEL output the chain patches */
    model: zLink,
    /** the CLIP output patched too (core LoraLoader); absent: LoraLoaderModelOnly */
    clip: zLink.optional(),
    /** which role file of a LoRA this chain loads (a Wan 2.2 pair: high_noise, low_noise); default its file */
    role: z
      .string()
      .regex(/^[a-z0-9_]{1,40}$/)
      .optional(),
  })
  .strict();
export type LoraChain = z.infer<typeof zLoraChain>;

/** An unsupported param is reported only when the request set it and (if given) one of these holds. */
const zCondition = z
  .object({
    field: zField,
    op: z.enum(['eq', 'ne']),
    value: zLiteral.optional(),
    ref: zField.optional(),
    offset: z.number().optional(),
  })
  .strict()
  .refine((c) => (c.value === undefined) !== (c.ref === undefined), 'a condition needs exactly one of value or ref');
export type Condition = z.infer<typeof zCondition>;

export const zWorkflowTemplate = z
  .object({
    model: zModelId,
    mode: zMode,
    /** `default`, or an alternative an operator may select per model (e.g. flux `gguf`) */
    variant: z
      .string()
      .regex(/^[a-z0-9_-]+$/)
      .default(DEFAULT_VARIANT),
    title: z.string().optional(),
    /** uncertain facts and how the graph follows models.md, for operators */
    notes: z.array(z.string()).default([]),
    /** non-core node classes and the manifest pack that provides each */
    customNodes: z
      .array(z.object({ class: z.string().min(1), pack: z.string().min(1), url: z.string().optional() }).strict())
      .default([]),
    /** model files the loaders name, by ComfyUI models folder */
    modelFiles: z.array(z.object({ folder: z.string().min(1), file: z.string().min(1) }).strict()),
    graph: zApiGraph.refine((g) => Object.keys(g).length > 0, 'the graph is empty'),
    bindings: z.array(z.union([zFieldBinding, zImageBinding])),
    /** where LoRA nodes are inserted; a template without it must declare `loras` unsupported */
    loras: z
      .object({ chains: z.array(zLoraChain).min(1) })
      .strict()
      .optional(),
    outputs: z.object({ node: zNodeId, kind: z.enum(['image', 'video']) }).strict(),
    /**
     * When an optional image of this mode is not given, the job runs on this model's template for another
     * mode (e.g. first_last_frame without its last frame → i2v, with the first frame as the reference).
     */
    without: z.object({ last: zMode }).partial().strict().optional(),
    /** in_graph: batch_size is bound into the graph; one_prompt_per_seed: one prompt per seed, run in turn */
    batch: z.enum(['in_graph', 'one_prompt_per_seed']),
    handledByGateway: z.array(z.object({ param: z.string().min(1), how: z.string().min(1) }).strict()).default([]),
    unsupported: z
      .array(
        z
          .object({ param: z.string().min(1), reason: z.string().min(1), when: z.array(zCondition).min(1).optional() })
          .strict(),
      )
      .default([]),
  })
  .strict();
export type WorkflowTemplate = z.infer<typeof zWorkflowTemplate>;

export const isImageBinding = (b: Binding): b is ImageBinding => 'image' in b;
export const templateName = (t: Pick<WorkflowTemplate, 'model' | 'mode' | 'variant'>): string =>
  `${t.model}.${t.mode}${t.variant === DEFAULT_VARIANT ? '' : `.${t.variant}`}`;

export class TemplateError extends Error {}

/** Cross-references zod cannot see: bound nodes and inputs exist, links point at nodes, the output node exists. */
export function checkTemplateReferences(t: WorkflowTemplate): string[] {
  const problems: string[] = [];
  for (const b of t.bindings) {
    const node = t.graph[b.node];
    if (!node) problems.push(`a binding names node ${b.node}, which the graph lacks`);
    else if (!(b.input in node.inputs))
      problems.push(
        `a binding names input ${b.node}.${b.input}, which the node does not set (give it a default literal)`,
      );
  }
  for (const [id, node] of Object.entries(t.graph)) {
    for (const [input, value] of Object.entries(node.inputs)) {
      if (Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && !t.graph[value[0]]) {
        problems.push(`node ${id} input ${input} links to node ${value[0]}, which the graph lacks`);
      }
    }
  }
  if (!t.graph[t.outputs.node]) problems.push(`the output node ${t.outputs.node} is not in the graph`);
  for (const c of t.loras?.chains ?? []) {
    for (const [what, link] of [
      ['model', c.model],
      ['clip', c.clip],
    ] as const) {
      if (link && !t.graph[link[0]])
        problems.push(`a LoRA chain's ${what} names node ${link[0]}, which the graph lacks`);
    }
  }
  if (t.loras && t.unsupported.some((u) => u.param === 'loras'))
    problems.push('the template both takes LoRAs and declares them unsupported');
  if (t.batch === 'in_graph' && !t.bindings.some((b) => !isImageBinding(b) && b.field === 'batch_size')) {
    problems.push('batch "in_graph" needs a batch_size binding');
  }
  return problems;
}

/** The templates of one directory, indexed by model × mode × variant. */
export class TemplateSet {
  private readonly byKey = new Map<string, WorkflowTemplate>();

  constructor(
    readonly templates: readonly WorkflowTemplate[],
    private readonly variants: Partial<Record<ModelId, string>> = {},
    readonly manifest: WorkflowManifest = { packs: {}, files: [] },
    /** where the templates (and bundled packs) were read from */
    readonly dir: string = DEFAULT_WORKFLOWS_DIR,
  ) {
    for (const t of templates) this.byKey.set(`${t.model}|${t.mode}|${t.variant}`, t);
    for (const [model, variant] of Object.entries(variants)) {
      if (variant === DEFAULT_VARIANT || templates.some((t) => t.model === model && t.variant === variant)) continue;
      const known = [...new Set(templates.filter((t) => t.model === model).map((t) => t.variant))].sort();
      throw new TemplateError(
        `WORKFLOW_VARIANTS selects ${model}:${variant}, but no workflow template has variant "${variant}" for ${model} (${known.length > 0 ? `available: ${known.join(', ')}` : 'it has no templates'}) in ${dir}`,
      );
    }
  }

  /** The templates of one model in use (one per mode). */
  forModel(model: ModelId): WorkflowTemplate[] {
    return this.selected([model]);
  }

  /** The configured variant for the model when it exists for this mode, else the default one. */
  find(model: ModelId, mode: Mode): WorkflowTemplate | undefined {
    const wanted = this.variants[model];
    return (
      (wanted ? this.byKey.get(`${model}|${mode}|${wanted}`) : undefined) ??
      this.byKey.get(`${model}|${mode}|${DEFAULT_VARIANT}`)
    );
  }

  get(model: ModelId, mode: Mode): WorkflowTemplate {
    const t = this.find(model, mode);
    if (!t) throw new TemplateError(`no workflow template for ${model} ${mode}`);
    return t;
  }

  /** The templates in use for these models (one per mode: the selected variant). */
  selected(models: readonly ModelId[], modes?: readonly Mode[]): WorkflowTemplate[] {
    const out: WorkflowTemplate[] = [];
    for (const model of models) {
      const spec = MODEL_LIST.find((m) => m.id === model);
      for (const mode of spec?.modes ?? []) {
        if (modes && !modes.includes(mode)) continue;
        const t = this.find(model, mode);
        if (t) out.push(t);
      }
    }
    return out;
  }

  /** model × mode pairs of the registry that have no template (reported at load). */
  missing(): string[] {
    return MODEL_LIST.flatMap((m) => m.modes.filter((mode) => !this.find(m.id, mode)).map((mode) => `${m.id}.${mode}`));
  }
}

export function parseTemplate(raw: unknown, source: string): WorkflowTemplate {
  const parsed = zWorkflowTemplate.safeParse(raw);
  if (!parsed.success) {
    throw new TemplateError(
      `workflow template ${source} is invalid: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`,
    );
  }
  const problems = checkTemplateReferences(parsed.data);
  if (problems.length > 0)
    throw new TemplateError(`workflow template ${source} is inconsistent: ${problems.join('; ')}`);
  return parsed.data;
}

/** Loads every `*.json` template of a directory; operators point WORKFLOWS_DIR at their own copy. */
export function loadTemplates(
  dir = DEFAULT_WORKFLOWS_DIR,
  variants: Partial<Record<ModelId, string>> = {},
): TemplateSet {
  let files: string[];
  try {
    files = fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.json') && f !== MANIFEST_FILE)
      .sort();
  } catch (err) {
    throw new TemplateError(
      `cannot read the workflows directory ${dir}: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  let manifest: WorkflowManifest;
  try {
    manifest = loadManifest(dir);
  } catch (err) {
    throw new TemplateError(`${err instanceof ManifestError ? err.message : String(err)} (in ${dir})`);
  }
  const seen = new Map<string, string>();
  const templates = files.map((f) => {
    let raw: unknown;
    try {
      raw = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'));
    } catch (err) {
      throw new TemplateError(
        `workflow template ${f} is not valid JSON: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
    const t = parseTemplate(raw, f);
    for (const c of t.customNodes) {
      const pack = manifest.packs[c.pack];
      if (!pack || !pack.nodes.includes(c.class))
        throw new TemplateError(
          `workflow template ${f} uses ${c.class} from pack ${c.pack}, which ${MANIFEST_FILE} ${pack ? 'does not list that node for' : 'does not declare'}`,
        );
    }
    const key = templateName(t);
    const other = seen.get(key);
    if (other) throw new TemplateError(`workflow templates ${other} and ${f} both define ${key}`);
    seen.set(key, f);
    return t;
  });
  return new TemplateSet(templates, variants, manifest, dir);
}
