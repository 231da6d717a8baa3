import type { Catalog, InputSpec } from './node-catalog.ts';

export interface GraphNode {
  class_type: string;
  inputs: Record<string, unknown>;
}
export type Graph = Record<string, GraphNode>;

export interface NodeError {
  type: string;
  message: string;
  details: string;
  extra_info: Record<string, unknown>;
}

export type ValidationResult =
  | { ok: true; outputs: string[]; order: string[] }
  | { ok: false; error: NodeError; node_errors: Record<string, { errors: NodeError[]; dependent_outputs: string[]; class_type: string }> };

export interface ValidationContext {
  /** file names LoadImage may reference (ComfyUI checks the input dir in VALIDATE_INPUTS) */
  inputFileExists?: (name: string) => boolean;
}

const isLink = (v: unknown): v is [string, number] => Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' && Number.isInteger(v[1]);

function fail(type: string, message: string, details = ''): NodeError {
  return { type, message, details, extra_info: {} };
}

function comboOptions(spec: InputSpec): unknown[] | undefined {
  if (Array.isArray(spec[0])) return spec[0] as unknown[];
  if (spec[0] === 'COMBO') {
    const opts = spec[1]?.options;
    return Array.isArray(opts) ? opts : [];
  }
  return undefined;
}

function checkInput(graph: Graph, catalog: Catalog, nodeId: string, name: string, spec: InputSpec, value: unknown, ctx: ValidationContext): NodeError | undefined {
  const extra = { input_name: name, input_config: spec, received_value: value };
  const err = (type: string, message: string, details: string): NodeError => ({ type, message, details, extra_info: extra });
  if (Array.isArray(value) && !isLink(value)) {
    if (value.length !== 2) return err('bad_linked_input', 'Bad linked input, must be a length-2 list of [node_id, slot_index]', `${name}, ${JSON.stringify(value)}`);
  }
  if (isLink(value)) {
    const src = graph[value[0]];
    if (!src) return err('exception_during_validation', 'Exception when validating node', `KeyError: '${value[0]}'`);
    const srcInfo = catalog[src.class_type];
    const outType = srcInfo?.output[value[1]];
    const want = comboOptions(spec) ? 'COMBO' : String(spec[0]);
    if (outType === undefined) return err('return_type_mismatch', 'Return type mismatch between linked nodes', `${name}, output ${value[1]} does not exist`);
    if (outType !== want && outType !== '*' && want !== '*' && !want.split(',').includes(outType)) {
      return err('return_type_mismatch', 'Return type mismatch between linked nodes', `${name}, received_type(${outType}) mismatch input_type(${want})`);
    }
    return undefined;
  }
  const node = graph[nodeId];
  if (node?.class_type === 'LoadImage' && name === 'image') {
    const file = String(value);
    if (ctx.inputFileExists && !ctx.inputFileExists(file)) return err('custom_validation_failed', 'Custom validation failed for node', `image - Invalid image file: ${file}`);
    return undefined;
  }
  const options = comboOptions(spec);
  if (options) {
    if (!options.includes(value)) {
      const list = options.length <= 20 ? `: ${JSON.stringify(options)}` : '';
      return err('value_not_in_list', 'Value not in list', `${name}: '${String(value)}' not in${list}`);
    }
    return undefined;
  }
  const type = String(spec[0]);
  const opts = spec[1] ?? {};
  if (type === 'INT' || type === 'FLOAT') {
    const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN;
    if (!Number.isFinite(n) || (type === 'INT' && !Number.isInteger(n))) return err('invalid_input_type', 'Failed to convert an input value to a ' + type + ' value', `${name}, ${String(value)}`);
    if (typeof opts.min === 'number' && n < opts.min) return err('value_smaller_than_min', `Value ${n} smaller than min of ${opts.min}`, `${name}`);
    if (typeof opts.max === 'number' && n > opts.max) return err('value_bigger_than_max', `Value ${n} bigger than max of ${opts.max}`, `${name}`);
    return undefined;
  }
  if (type === 'STRING' || type === 'BOOLEAN') return undefined;
  // a link type (MODEL, IMAGE, …) given a literal
  return err('return_type_mismatch', 'Return type mismatch between linked nodes', `${name}, expected a link of type ${type}`);
}

/** Validates an API-format graph the way ComfyUI's validate_prompt does (plus V3 combo membership). */
export function validateGraph(prompt: unknown, catalog: Catalog, ctx: ValidationContext = {}): ValidationResult {
  if (!prompt || typeof prompt !== 'object' || Array.isArray(prompt)) {
    return { ok: false, error: fail('invalid_prompt', 'Invalid prompt', 'the prompt must be an object'), node_errors: {} };
  }
  const graph = prompt as Graph;
  for (const [id, node] of Object.entries(graph)) {
    if (!node || typeof node !== 'object' || typeof node.class_type !== 'string') {
      return { ok: false, error: fail('invalid_prompt', 'Cannot execute because a node is missing the class_type property.', `Node ID '#${id}'`), node_errors: {} };
    }
    if (!catalog[node.class_type]) {
      return { ok: false, error: fail('invalid_prompt', `Cannot execute because node ${node.class_type} does not exist.`, `Node ID '#${id}'`), node_errors: {} };
    }
    if (!node.inputs || typeof node.inputs !== 'object') node.inputs = {};
  }
  const outputs = Object.keys(graph).filter((id) => catalog[graph[id]!.class_type]?.output_node === true);
  if (outputs.length === 0) return { ok: false, error: fail('prompt_no_outputs', 'Prompt has no outputs'), node_errors: {} };

  const nodeErrors: Record<string, { errors: NodeError[]; dependent_outputs: string[]; class_type: string }> = {};
  const order: string[] = [];
  const seen = new Set<string>();
  const visit = (id: string, output: string): void => {
    const node = graph[id];
    if (!node) return;
    if (seen.has(id)) {
      const e = nodeErrors[id];
      if (e && !e.dependent_outputs.includes(output)) e.dependent_outputs.push(output);
      return;
    }
    seen.add(id);
    const info = catalog[node.class_type]!;
    const errors: NodeError[] = [];
    const specs: Array<[string, InputSpec, boolean]> = [
      ...Object.entries(info.input.required ?? {}).map(([k, v]) => [k, v, true] as [string, InputSpec, boolean]),
      ...Object.entries(info.input.optional ?? {}).map(([k, v]) => [k, v, false] as [string, InputSpec, boolean]),
    ];
    for (const [name, spec, required] of specs) {
      const value = node.inputs[name];
      if (value === undefined) {
        if (required) errors.push({ type: 'required_input_missing', message: 'Required input is missing', details: name, extra_info: { input_name: name } });
        continue;
      }
      if (isLink(value)) visit(value[0], output);
      const e = checkInput(graph, catalog, id, name, spec, value, ctx);
      if (e) errors.push(e);
    }
    if (errors.length > 0) nodeErrors[id] = { errors, dependent_outputs: [output], class_type: node.class_type };
    order.push(id);
  };
  for (const out of outputs) visit(out, out);
  if (Object.keys(nodeErrors).length > 0) {
    const lines = Object.values(nodeErrors).flatMap((n) => n.errors.map((e) => `${e.message}: ${e.details}`));
    return { ok: false, error: { type: 'prompt_outputs_failed_validation', message: 'Prompt outputs failed validation', details: lines.join('\n'), extra_info: {} }, node_errors: nodeErrors };
  }
  return { ok: true, outputs, order };
}
