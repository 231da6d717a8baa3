import type { ResolvedGeneration } from '@mediagen/contract';
import type { FieldBinding, WorkflowTemplate } from './workflow-templates.ts';

export type ApiGraph = Record<string, { class_type: string; inputs: Record<string, unknown> }>;

/** A1111 sampler labels → ComfyUI sampler_name and scheduler (reference/comfyui.md §6). */
const TABLES: Record<string, Record<string, string>> = {
  a1111_sampler: { Euler: 'euler', 'Euler a': 'euler_ancestral', 'DPM++ 2M': 'dpmpp_2m', 'DPM++ 2M Karras': 'dpmpp_2m', 'DPM++ SDE Karras': 'dpmpp_sde' },
  a1111_scheduler: { Euler: 'normal', 'Euler a': 'normal', 'DPM++ 2M': 'normal', 'DPM++ 2M Karras': 'karras', 'DPM++ SDE Karras': 'karras' },
  flux_scheduler: { Euler: 'simple', 'Euler a': 'simple', 'DPM++ 2M': 'simple', 'DPM++ 2M Karras': 'karras', 'DPM++ SDE Karras': 'karras' },
};

type Values = Record<string, unknown>;

function fieldValue(params: ResolvedGeneration, field: string, seed: number): unknown {
  if (field === 'seed') return seed;
  return (params as unknown as Values)[field];
}

function render(template: string, params: ResolvedGeneration, seed: number): string {
  return template.replace(/\{(\w+)(?::(\d))?\}/g, (_m, name: string, decimals?: string) => {
    const v = fieldValue(params, name, seed);
    if (v === undefined || v === null) return '';
    return decimals !== undefined && typeof v === 'number' ? v.toFixed(Number(decimals)) : String(v);
  });
}

function transformed(b: FieldBinding, value: unknown, params: ResolvedGeneration, seed: number): unknown {
  if (b.template) return render(b.template, params, seed);
  let v = value;
  if (b.map !== undefined) {
    const table = typeof b.map === 'string' ? TABLES[b.map] : b.map;
    if (!table) throw new Error(`unknown value table ${String(b.map)}`);
    const mapped = table[String(v)];
    if (mapped === undefined) throw new Error(`no mapping for ${b.field}=${String(v)}`);
    v = mapped;
  }
  if (b.transform === 'negate' && typeof v === 'number') v = -v;
  if (b.transform === 'string') v = String(v);
  return v;
}

export interface BindOptions {
  filenamePrefix: string;
  /** the seed of this run (a video batch runs once per seed) */
  seed?: number;
  /** batch size of this run (a video batch runs one at a time) */
  batchSize?: number;
}

/**
 * Pure: a deep copy of the template graph with the request's values written into the bound inputs.
 * Values the request leaves unset keep the template's literal.
 */
export function bindWorkflow(
  t: WorkflowTemplate,
  params: ResolvedGeneration,
  images: { reference?: string; first?: string; last?: string },
  opts: BindOptions,
): { graph: ApiGraph; ignored: Array<{ param: string; reason: string }> } {
  const graph = structuredClone(t.graph) as ApiGraph;
  const seed = opts.seed ?? params.seed;
  const p: ResolvedGeneration = opts.batchSize !== undefined ? { ...params, batch_size: opts.batchSize } : params;
  for (const b of t.bindings) {
    const node = graph[b.node];
    if (!node) throw new Error(`template ${t.model}.${t.mode}: binding to missing node ${b.node}`);
    if ('image' in b) {
      const name = images[b.image];
      if (!name) throw new Error(`template ${t.model}.${t.mode} needs the ${b.image} image`);
      node.inputs[b.input] = name;
      continue;
    }
    const value = fieldValue(p, b.field, seed);
    if (value === undefined && !b.template) continue;
    node.inputs[b.input] = transformed(b, value, p, seed);
  }
  const out = graph[t.output.node];
  if (out && 'filename_prefix' in out.inputs) out.inputs.filename_prefix = opts.filenamePrefix;
  return { graph, ignored: ignoredParams(t, params) };
}

/** Parameters the request set that this template cannot honour (never dropped silently). */
export function ignoredParams(t: WorkflowTemplate, params: ResolvedGeneration): Array<{ param: string; reason: string }> {
  const values = params as unknown as Values;
  return t.unsupported.filter((u) => {
    const v = values[u.param];
    return v !== undefined && v !== '' && v !== null;
  });
}
