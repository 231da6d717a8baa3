// Pure checks of an API-format graph against ComfyUI node definitions (/object_info), the same
// ones ComfyUI's validate_prompt makes (classes, required inputs, link types, min/max, combo lists),
// plus template-level ones (declared model files and custom nodes). The health check reuses them.
import { z } from 'zod';
import { modelFileInput, modelFileUses } from './template-requirements.ts';
import { isImageBinding, type ApiGraph, type WorkflowTemplate } from './workflow-templates.ts';

export type InputSpec = readonly unknown[];
export interface NodeDef {
  input: { required?: Record<string, InputSpec>; optional?: Record<string, InputSpec> };
  output: readonly string[];
  output_node?: boolean;
  python_module?: string;
}
export type NodeCatalog = Readonly<Record<string, NodeDef>>;

const zNodeDef = z
  .object({
    input: z
      .object({
        required: z.record(z.string(), z.array(z.unknown())).optional(),
        optional: z.record(z.string(), z.array(z.unknown())).optional(),
      })
      .loose()
      .default({}),
    output: z.array(z.string()).default([]),
    output_node: z.boolean().optional(),
    python_module: z.string().optional(),
  })
  .loose();

/** /object_info comes from an untrusted peer: keep the entries that have the expected shape, drop the rest. */
export function parseNodeCatalog(raw: unknown): { catalog: Record<string, NodeDef>; malformed: string[] } {
  const catalog: Record<string, NodeDef> = {};
  const malformed: string[] = [];
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return { catalog, malformed: ['(not an object)'] };
  for (const [name, def] of Object.entries(raw)) {
    const parsed = zNodeDef.safeParse(def);
    if (parsed.success) catalog[name] = parsed.data;
    else malformed.push(name);
  }
  return { catalog, malformed };
}

/** Allowed values of a combo input: V1 puts the list first, V3 says "COMBO" and lists `options.options`. */
export function comboOptions(spec: InputSpec | undefined): readonly unknown[] | undefined {
  const head = spec?.[0];
  if (Array.isArray(head)) return head;
  if (head === 'COMBO') {
    const opts = spec?.[1] as { options?: unknown } | undefined;
    return Array.isArray(opts?.options) ? opts.options : [];
  }
  return undefined;
}

export function inputSpec(def: NodeDef | undefined, input: string): InputSpec | undefined {
  return def?.input.required?.[input] ?? def?.input.optional?.[input];
}

const WIDGET_TYPES = new Set(['INT', 'FLOAT', 'STRING', 'BOOLEAN', 'COMBO']);

export interface GraphProblem {
  node: string;
  classType?: string;
  input?: string;
  message: string;
  /** about the template's own declarations (customNodes, modelFiles), not about the node definitions */
  declaration?: true;
}

export const formatProblem = (p: GraphProblem): string =>
  `node ${p.node}${p.classType ? ` (${p.classType})` : ''}${p.input ? ` input ${p.input}` : ''}: ${p.message}`;

export interface GraphValidationOptions {
  /** inputs filled at run time (uploaded image names): their literal is not checked */
  skipInput?: (nodeId: string, input: string) => boolean;
  /** model-file inputs must name one of these (a template's declared files) instead of the node's option list */
  declaredModelFiles?: ReadonlySet<string>;
  /** report inputs the node does not declare (ComfyUI ignores them; in a template they are typos) */
  rejectUnknownInputs?: boolean;
}

const isLink = (v: unknown): v is [string, number] =>
  Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' && Number.isInteger(v[1]);

function checkLiteral(
  value: unknown,
  spec: InputSpec,
  fileInput: boolean,
  o: GraphValidationOptions,
): string | undefined {
  const type = spec[0];
  const options = (spec[1] ?? {}) as { min?: unknown; max?: unknown };
  const combo = comboOptions(spec);
  if (combo) {
    if (fileInput && o.declaredModelFiles) {
      return o.declaredModelFiles.has(String(value))
        ? undefined
        : `model file ${JSON.stringify(value)} is not among the template's declared modelFiles`;
    }
    if (combo.includes(value)) return undefined;
    const shown = combo.length > 12 ? `${combo.slice(0, 12).join(', ')}, …` : combo.join(', ');
    return `${JSON.stringify(value)} is not one of [${shown}]`;
  }
  if (typeof type !== 'string') return 'has an unreadable input definition';
  if (!WIDGET_TYPES.has(type)) return `expects a link to a ${type} output, got the literal ${JSON.stringify(value)}`;
  if (type === 'STRING')
    return typeof value === 'string' ? undefined : `expects a string, got ${JSON.stringify(value)}`;
  if (type === 'BOOLEAN')
    return typeof value === 'boolean' ? undefined : `expects true/false, got ${JSON.stringify(value)}`;
  if (typeof value !== 'number' || !Number.isFinite(value)) return `expects a number, got ${JSON.stringify(value)}`;
  if (type === 'INT' && !Number.isInteger(value)) return `expects an integer, got ${value}`;
  if (typeof options.min === 'number' && value < options.min) return `${value} is below the minimum ${options.min}`;
  if (typeof options.max === 'number' && value > options.max) return `${value} is above the maximum ${options.max}`;
  return undefined;
}

function checkLink(graph: ApiGraph, catalog: NodeCatalog, link: [string, number], spec: InputSpec): string | undefined {
  const [from, index] = link;
  const source = graph[from];
  if (!source) return `links to node ${from}, which is not in the graph`;
  const def = catalog[source.class_type];
  if (!def) return undefined; // the unknown source class is reported on its own node
  const outType = def.output[index];
  if (outType === undefined)
    return `links to output ${index} of node ${from} (${source.class_type}), which has ${def.output.length} outputs`;
  const want = spec[0];
  if (typeof want !== 'string' || want === 'COMBO' || want === '*' || outType === '*') return undefined;
  const wanted = want.split(',');
  return outType.split(',').some((t) => wanted.includes(t))
    ? undefined
    : `expects ${want} but node ${from} output ${index} is ${outType}`;
}

/** Every problem ComfyUI's validation would raise for this graph (and a few it would only hit at run time). */
export function validateGraph(graph: ApiGraph, catalog: NodeCatalog, o: GraphValidationOptions = {}): GraphProblem[] {
  const problems: GraphProblem[] = [];
  let outputNodes = 0;
  for (const [id, node] of Object.entries(graph)) {
    const def = catalog[node.class_type];
    if (!def) {
      problems.push({ node: id, classType: node.class_type, message: 'unknown node class' });
      continue;
    }
    if (def.output_node) outputNodes++;
    const required = def.input.required ?? {};
    const optional = def.input.optional ?? {};
    for (const [input, spec] of [...Object.entries(required), ...Object.entries(optional)]) {
      const value = node.inputs[input];
      const at = { node: id, classType: node.class_type, input };
      if (value === undefined) {
        if (input in required) problems.push({ ...at, message: 'required input missing' });
        continue;
      }
      if (o.skipInput?.(id, input)) continue;
      if (value !== null && typeof value === 'object' && !Array.isArray(value) && '__value__' in value) continue;
      const message = isLink(value)
        ? checkLink(graph, catalog, value, spec)
        : Array.isArray(value)
          ? `a list must be a link [node id string, output index] or wrapped as {"__value__": …}`
          : checkLiteral(value, spec, modelFileInput(node.class_type, input) !== undefined, o);
      if (message) problems.push({ ...at, message });
    }
    if (o.rejectUnknownInputs) {
      for (const input of Object.keys(node.inputs)) {
        if (!(input in required) && !(input in optional))
          problems.push({ node: id, classType: node.class_type, input, message: 'the node has no such input' });
      }
    }
  }
  if (outputNodes === 0)
    problems.push({ node: '-', message: 'the graph has no output node, so ComfyUI would run nothing' });
  return problems;
}

/**
 * A template against node definitions: its graph (image inputs excepted; model files against the
 * declared list), its bindings' targets and mapped values, and its custom-node and model-file declarations.
 */
export function validateTemplate(
  t: WorkflowTemplate,
  catalog: NodeCatalog,
  o: { modelFilesFromCatalog?: boolean; ignoreUnknownInputs?: boolean } = {},
): GraphProblem[] {
  const imageInputs = new Set(t.bindings.filter(isImageBinding).map((b) => `${b.node}|${b.input}`));
  const declared = new Set(t.modelFiles.map((f) => f.file));
  const problems = validateGraph(t.graph, catalog, {
    skipInput: (node, input) => imageInputs.has(`${node}|${input}`),
    rejectUnknownInputs: !o.ignoreUnknownInputs,
    ...(o.modelFilesFromCatalog ? {} : { declaredModelFiles: declared }),
  });
  for (const b of t.bindings) {
    const node = t.graph[b.node];
    const spec = node ? inputSpec(catalog[node.class_type], b.input) : undefined;
    if (!node || !catalog[node.class_type]) continue;
    if (!spec) {
      problems.push({
        node: b.node,
        classType: node.class_type,
        input: b.input,
        message: 'a binding targets an input the node does not have',
      });
      continue;
    }
    if (isImageBinding(b) || !b.map) continue;
    const fileInput = modelFileInput(node.class_type, b.input) !== undefined;
    for (const [key, value] of Object.entries(b.map)) {
      const message = checkLiteral(
        value,
        spec,
        fileInput,
        o.modelFilesFromCatalog ? {} : { declaredModelFiles: declared },
      );
      if (message)
        problems.push({
          node: b.node,
          classType: node.class_type,
          input: b.input,
          message: `${b.field} ${key} maps to ${message}`,
        });
    }
  }
  problems.push(...loraChainProblems(t, catalog));
  const customDeclared = new Set(t.customNodes.map((c) => c.class));
  for (const [id, node] of Object.entries(t.graph)) {
    const module = catalog[node.class_type]?.python_module ?? '';
    if (module.startsWith('custom_nodes') && !customDeclared.has(node.class_type)) {
      problems.push({
        node: id,
        classType: node.class_type,
        message: 'a custom node class that customNodes does not declare',
        declaration: true,
      });
    }
  }
  for (const c of customDeclared) {
    if (!Object.values(t.graph).some((n) => n.class_type === c))
      problems.push({
        node: '-',
        message: `customNodes declares ${c}, which the graph does not use`,
        declaration: true,
      });
  }
  const used = modelFileUses(t);
  for (const f of t.modelFiles) {
    const use = used.find((u) => u.file === f.file);
    if (!use)
      problems.push({
        node: '-',
        message: `modelFiles declares ${f.folder}/${f.file}, which no loader uses`,
        declaration: true,
      });
    else if (use.folder !== f.folder)
      problems.push({
        node: use.nodeId,
        classType: use.nodeClass,
        message: `${f.file} is declared in ${f.folder} but ${use.nodeClass} reads ${use.folder}`,
        declaration: true,
      });
  }
  return problems;
}

/** A LoRA chain must start at a MODEL output (and a CLIP output for LoraLoader), and its LoRA node class must exist. */
function loraChainProblems(t: WorkflowTemplate, catalog: NodeCatalog): GraphProblem[] {
  const problems: GraphProblem[] = [];
  for (const chain of t.loras?.chains ?? []) {
    const loader = chain.clip ? 'LoraLoader' : 'LoraLoaderModelOnly';
    if (!catalog[loader]) problems.push({ node: '-', classType: loader, message: 'unknown node class (LoRA chain)' });
    for (const [link, type] of [
      [chain.model, 'MODEL'],
      [chain.clip, 'CLIP'],
    ] as const) {
      if (!link) continue;
      const source = t.graph[link[0]];
      const out = source ? catalog[source.class_type]?.output[link[1]] : undefined;
      if (source && catalog[source.class_type] && out !== type)
        problems.push({
          node: link[0],
          classType: source.class_type,
          message: `a LoRA chain takes output ${link[1]} as ${type}, but it is ${out ?? 'missing'}`,
        });
    }
  }
  return problems;
}
