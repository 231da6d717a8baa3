// Pure: turns a template and a resolved request into the API-format graph to submit, and lists the
// request's parameters the template cannot honour (models.md Decision 6: never silently dropped).
import type { IgnoredParam, ResolvedGeneration } from '@mediagen/contract';
import { insertLoraChains } from './lora-chains.ts';
import {
  IMAGE_SLOTS,
  TemplateError,
  isImageBinding,
  templateName,
  type ApiGraph,
  type Condition,
  type FieldBinding,
  type ImageSlot,
  type WorkflowTemplate,
} from './workflow-templates.ts';

export type UploadedImageNames = Partial<Record<ImageSlot, string>>;

export interface BindOptions {
  /** SaveImage/SaveVideo filename_prefix (derived from the task id, never from user text) */
  filenamePrefix: string;
  /** the seed of this prompt: a video batch runs one prompt per seed */
  seed?: number;
}

export interface BoundWorkflow {
  graph: ApiGraph;
  ignored: IgnoredParam[];
}

type Values = Readonly<Record<string, unknown>>;

export const isParamSet = (v: unknown): boolean =>
  v !== undefined && v !== null && v !== '' && !(Array.isArray(v) && v.length === 0);

/**
 * `{name}` and `{name:.Nf}` placeholders (the Python format subset templates use), `{name?text}` for text
 * that appears only when the field is true (Pony's score tags); `{{`/`}}` escape braces.
 */
export function renderText(text: string, values: Values): string {
  return text.replace(
    /\{\{|\}\}|\{(\w+)(?::\.(\d+)f|\?([^{}]*))?\}/g,
    (whole, name: string | undefined, decimals: string | undefined, when: string | undefined) => {
      if (whole === '{{') return '{';
      if (whole === '}}') return '}';
      if (when !== undefined) return values[name!] === true ? when : '';
      const v = values[name!];
      if (v === undefined || v === null) return '';
      if (decimals !== undefined) {
        if (typeof v !== 'number') throw new TemplateError(`placeholder {${name}:.${decimals}f} needs a number`);
        return v.toFixed(Number(decimals));
      }
      return String(v);
    },
  );
}

/** Field names a text template reads. */
export function placeholders(text: string): string[] {
  return [...text.matchAll(/(?<!\{)\{(\w+)(?::\.\d+f|\?[^{}]*)?\}/g)].map((m) => m[1]!);
}

function bindValue(t: WorkflowTemplate, b: FieldBinding, values: Values): unknown {
  if (b.template !== undefined) return renderText(b.template, values);
  let v = values[b.field];
  if (b.map) {
    const mapped = b.map[String(v)];
    if (mapped === undefined) throw new TemplateError(`${templateName(t)}: no mapping for ${b.field} = ${String(v)}`);
    v = mapped;
  }
  if (b.offset !== undefined) v = Number(v) + b.offset;
  if (b.transform === 'negate') v = -Number(v);
  else if (b.transform === 'int') v = Math.round(Number(v));
  else if (b.transform === 'string') v = String(v);
  return v;
}

/**
 * A deep copy of the template graph with the request's values in the bound inputs; the template is
 * never mutated. Fields the request leaves unset keep the template's literal (its default).
 */
export function bindWorkflow(
  t: WorkflowTemplate,
  params: ResolvedGeneration,
  images: UploadedImageNames,
  opts: BindOptions,
): BoundWorkflow {
  const graph = structuredClone(t.graph);
  const values: Values = { ...params, seed: opts.seed ?? params.seed };
  for (const b of t.bindings) {
    const node = graph[b.node];
    if (!node) throw new TemplateError(`${templateName(t)}: binding to missing node ${b.node}`);
    if (isImageBinding(b)) {
      const name = images[b.image];
      if (!name)
        throw new TemplateError(`${templateName(t)} needs the ${IMAGE_SLOTS[b.image]} image, which was not uploaded`);
      node.inputs[b.input] = name;
      continue;
    }
    if (b.template === undefined && !isParamSet(values[b.field])) continue;
    node.inputs[b.input] = bindValue(t, b, values);
  }
  if (t.loras) insertLoraChains(graph, t.loras.chains, params.loras ?? []);
  const out = graph[t.outputs.node];
  if (out && 'filename_prefix' in out.inputs) out.inputs.filename_prefix = opts.filenamePrefix;
  return { graph, ignored: ignoredParams(t, params) };
}

function holds(c: Condition, values: Values): boolean {
  const left = values[c.field];
  let right: unknown = c.value;
  if (c.ref !== undefined) {
    const r = values[c.ref];
    right = typeof r === 'number' ? r + (c.offset ?? 0) : r;
  }
  const equal = typeof left === 'number' && typeof right === 'number' ? Math.abs(left - right) < 1e-9 : left === right;
  return c.op === 'eq' ? equal : !equal;
}

/** The template's unsupported params that this request actually set (and whose condition holds), minus those the contract already reported. */
export function ignoredParams(t: WorkflowTemplate, params: ResolvedGeneration): IgnoredParam[] {
  const values = params as unknown as Values;
  const already = new Set(params.ignored_params.map((i) => i.param));
  const out: IgnoredParam[] = [];
  for (const u of t.unsupported) {
    if (already.has(u.param) || out.some((o) => o.param === u.param)) continue;
    if (!isParamSet(values[u.param])) continue;
    if (u.when && !u.when.some((c) => holds(c, values))) continue;
    out.push({ param: u.param, reason: u.reason });
  }
  if (t.loras && !t.loras.chains.some((c) => c.clip) && params.loras?.some((l) => l.strength_clip !== undefined)) {
    out.push({
      param: 'loras.strength_clip',
      reason: `${templateName(t)} patches the model only (LoraLoaderModelOnly): a LoRA's text-encoder strength changes nothing`,
    });
  }
  for (const c of constantMaps(t)) {
    if (already.has(c.field) || out.some((o) => o.param === c.field) || !isParamSet(values[c.field])) continue;
    out.push({
      param: c.field,
      reason: `every ${c.field} value maps to the same ${c.input} (${c.value}) in this backend's workflow template: the value changes nothing until an operator maps the values to distinct files`,
    });
  }
  return out;
}

/** Fields whose value table sends every value to one literal (lighting_variant → one checkpoint today). */
export function constantMaps(t: WorkflowTemplate): Array<{ field: string; input: string; value: string }> {
  const out: Array<{ field: string; input: string; value: string }> = [];
  for (const b of t.bindings) {
    if (isImageBinding(b) || !b.map) continue;
    const values = new Set(Object.values(b.map).map(String));
    if (Object.keys(b.map).length > 1 && values.size === 1)
      out.push({ field: b.field, input: b.input, value: [...values][0]! });
  }
  return out;
}

/** Payload fields a template accounts for: bound (directly, in a text template, or as an image), handled by the gateway, or declared unsupported. */
export function accountedFields(t: WorkflowTemplate): {
  bound: Set<string>;
  handled: Set<string>;
  unsupported: Set<string>;
} {
  const bound = new Set<string>();
  for (const b of t.bindings) {
    if (isImageBinding(b)) bound.add(IMAGE_SLOTS[b.image]);
    else {
      bound.add(b.field);
      if (b.template) for (const f of placeholders(b.template)) bound.add(f);
    }
  }
  if (t.loras) bound.add('loras');
  return {
    bound,
    handled: new Set(t.handledByGateway.map((h) => h.param)),
    unsupported: new Set(t.unsupported.map((u) => u.param)),
  };
}
