// Mirrors ComfyUI 0.3.64 `execution.py: validate_prompt / validate_inputs`, including its error
// types, messages, `node_errors` bookkeeping and in-place value conversion. Two deliberate,
// stricter checks (documented in the README): V3 `COMBO` options are enforced, and a literal
// given where a link type (MODEL, IMAGE, …) is expected is rejected.
import type { Catalog, InputSpec } from './node-catalog.ts';
import { pyRepr, pyStr } from './python-format.ts';

export interface GraphNode {
  class_type: string;
  inputs: Record<string, unknown>;
  [k: string]: unknown;
}
export type Graph = Record<string, GraphNode>;

export interface NodeError {
  type: string;
  message: string;
  details: string;
  extra_info: Record<string, unknown>;
}
export interface NodeErrorEntry {
  errors: NodeError[];
  dependent_outputs: string[];
  class_type: string;
}
export type NodeErrors = Record<string, NodeErrorEntry>;

export type ValidationResult =
  { ok: true; outputs: string[]; node_errors: NodeErrors } | { ok: false; error: NodeError; node_errors: NodeErrors };

export interface ValidationContext {
  /** LoadImage/LoadVideo VALIDATE_INPUTS: does this (annotated) input file exist? */
  inputFileExists?: (name: string) => boolean;
  /** `partial_execution_targets` of POST /prompt */
  partialExecutionTargets?: string[];
}

/** A Python exception raised while validating (KeyError for a link to a missing node, …). */
class PyException extends Error {
  constructor(
    readonly pyType: string,
    message: string,
  ) {
    super(message);
  }
}

const WIDGET_TYPES = new Set(['INT', 'FLOAT', 'STRING', 'BOOLEAN', 'COMBO']);
/** Core nodes whose VALIDATE_INPUTS checks a file instead of the combo list. */
const FILE_VALIDATORS: Record<string, { input: string; what: string }> = {
  LoadImage: { input: 'image', what: 'image' },
  LoadImageMask: { input: 'image', what: 'image' },
  LoadVideo: { input: 'file', what: 'video' },
};

const pyTypeName = (v: unknown): string =>
  v === null || v === undefined
    ? 'NoneType'
    : Array.isArray(v)
      ? 'list'
      : typeof v === 'object'
        ? 'dict'
        : typeof v === 'string'
          ? 'str'
          : typeof v === 'boolean'
            ? 'bool'
            : Number.isInteger(v)
              ? 'int'
              : 'float';

/** Python int(): exact for decimal strings; huge values stay strings (JS numbers are 53-bit). */
function pyInt(v: unknown): number | string {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number') {
    if (!Number.isFinite(v))
      throw new PyException(
        Number.isNaN(v) ? 'ValueError' : 'OverflowError',
        'cannot convert float NaN or infinity to integer',
      );
    return Math.trunc(v);
  }
  if (typeof v === 'string') {
    const s = v.trim().replace(/_/g, '');
    if (!/^[+-]?\d+$/.test(s) || /^_|_$|__/.test(v.trim()))
      throw new PyException('ValueError', `invalid literal for int() with base 10: ${pyRepr(v)}`);
    const n = Number(s);
    return Number.isSafeInteger(n) ? n : BigInt(s).toString();
  }
  throw new PyException(
    'TypeError',
    `int() argument must be a string, a bytes-like object or a real number, not '${pyTypeName(v)}'`,
  );
}

function pyFloat(v: unknown): number {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    const s = v.trim().toLowerCase().replace(/_/g, '');
    if (/^[+-]?(inf|infinity)$/.test(s)) return s.startsWith('-') ? -Infinity : Infinity;
    if (/^[+-]?nan$/.test(s)) return Number.NaN;
    if (/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/.test(s)) return Number(s);
    throw new PyException('ValueError', `could not convert string to float: ${pyRepr(v)}`);
  }
  throw new PyException('TypeError', `float() argument must be a string or a real number, not '${pyTypeName(v)}'`);
}

const pyBool = (v: unknown): boolean => (v !== null && typeof v === 'object' ? Object.keys(v).length > 0 : Boolean(v));
const asNumber = (v: unknown): number => (typeof v === 'string' ? Number(v) : Number(v));
/** Python `==` for combo membership: 1 == 1.0 == True. */
const pyEq = (a: unknown, b: unknown): boolean =>
  (typeof a === 'number' || typeof a === 'boolean') && (typeof b === 'number' || typeof b === 'boolean')
    ? Number(a) === Number(b)
    : a === b;

/** ComfyUI `validate_node_input`: exact type, `*`, or overlapping comma-separated unions. */
function typesMatch(received: string, input: unknown): boolean {
  if (Array.isArray(input)) return received === 'COMBO' || received === '*';
  const want = String(input);
  if (received === want || received === '*' || want === '*') return true;
  const r = new Set(received.split(',').map((s) => s.trim()));
  return want.split(',').some((t) => r.has(t.trim()));
}

interface Validated {
  valid: boolean;
  errors: NodeError[];
}

class Validator {
  readonly validated = new Map<string, Validated>();
  private readonly visiting = new Set<string>();

  constructor(
    private readonly graph: Graph,
    private readonly catalog: Catalog,
    private readonly ctx: ValidationContext,
  ) {}

  /** One node and, recursively, its linked ancestors. Throws PyException like validate_inputs does. */
  validate(id: string): Validated {
    const done = this.validated.get(id);
    if (done) return done;
    if (this.visiting.has(id)) throw new PyException('RecursionError', 'maximum recursion depth exceeded');
    this.visiting.add(id);
    try {
      const result = this.validateNode(id);
      this.validated.set(id, result);
      return result;
    } finally {
      this.visiting.delete(id);
    }
  }

  private validateNode(id: string): Validated {
    const node = this.graph[id]!;
    const info = this.catalog[node.class_type]!;
    if (!node.inputs || typeof node.inputs !== 'object' || Array.isArray(node.inputs))
      throw new PyException('KeyError', "'inputs'");
    const inputs = node.inputs;
    const errors: NodeError[] = [];
    let valid = true;
    const fileCheck = FILE_VALIDATORS[node.class_type];
    const specs: Array<[string, InputSpec, boolean]> = [
      ...Object.entries(info.input.required ?? {}).map(([k, v]): [string, InputSpec, boolean] => [k, v, true]),
      ...Object.entries(info.input.optional ?? {}).map(([k, v]): [string, InputSpec, boolean] => [k, v, false]),
    ];
    for (const [name, spec, required] of specs) {
      if (!(name in inputs)) {
        if (required)
          errors.push({
            type: 'required_input_missing',
            message: 'Required input is missing',
            details: name,
            extra_info: { input_name: name },
          });
        continue;
      }
      let val = inputs[name];
      if (val !== null && typeof val === 'object' && !Array.isArray(val) && '__value__' in val) {
        val = val.__value__;
        inputs[name] = val;
      }
      const inputType = spec[0];
      const opts = spec[1] ?? {};
      if (Array.isArray(val)) {
        if (val.length !== 2) {
          errors.push({
            type: 'bad_linked_input',
            message: 'Bad linked input, must be a length-2 list of [node_id, slot_index]',
            details: name,
            extra_info: { input_name: name, input_config: spec, received_value: val },
          });
          continue;
        }
        const [srcId, slot] = val as [unknown, unknown];
        const src = typeof srcId === 'string' ? this.graph[srcId] : undefined;
        if (!src) throw new PyException('KeyError', pyRepr(srcId));
        if (typeof slot !== 'number' || !Number.isInteger(slot))
          throw new PyException('TypeError', `tuple indices must be integers or slices, not ${pyTypeName(slot)}`);
        const returnTypes = this.catalog[src.class_type]?.output ?? [];
        const receivedType = returnTypes.at(slot);
        if (receivedType === undefined) throw new PyException('IndexError', 'tuple index out of range');
        if (!typesMatch(receivedType, inputType)) {
          errors.push({
            type: 'return_type_mismatch',
            message: 'Return type mismatch between linked nodes',
            details: `${name}, received_type(${receivedType}) mismatch input_type(${pyStr(inputType)})`,
            extra_info: { input_name: name, input_config: spec, received_type: receivedType, linked_node: val },
          });
          continue;
        }
        try {
          if (!this.validate(srcId as string).valid) valid = false;
        } catch (ex) {
          valid = false;
          const e = ex instanceof PyException ? ex : new PyException('Exception', String(ex));
          this.validated.set(srcId as string, {
            valid: false,
            errors: [
              {
                type: 'exception_during_inner_validation',
                message: 'Exception when validating inner node',
                details: e.message,
                extra_info: { exception_type: e.pyType, traceback: [] },
              },
            ],
          });
        }
        continue;
      }
      const extra = { input_name: name, input_config: spec, received_value: val };
      const typeName = Array.isArray(inputType) ? 'COMBO' : String(inputType);
      try {
        if (typeName === 'INT') val = pyInt(val);
        else if (typeName === 'FLOAT') val = pyFloat(val);
        else if (typeName === 'STRING') val = pyStr(val);
        else if (typeName === 'BOOLEAN') val = pyBool(val);
        else if (!WIDGET_TYPES.has(typeName) && val !== null && val !== undefined) {
          throw new PyException('TypeError', `a ${typeName} input must be linked to a node output (simulator check)`);
        }
        inputs[name] = val;
      } catch (ex) {
        const message = ex instanceof Error ? ex.message : String(ex);
        errors.push({
          type: 'invalid_input_type',
          message: `Failed to convert an input value to a ${typeName} value`,
          details: `${name}, ${pyStr(val)}, ${message}`,
          extra_info: { ...extra, exception_message: message },
        });
        continue;
      }
      if (fileCheck?.input === name) continue; // VALIDATE_INPUTS replaces min/max/combo checks for this input
      if (typeof opts.min === 'number' && asNumber(val) < opts.min) {
        errors.push({
          type: 'value_smaller_than_min',
          message: `Value ${pyStr(val)} smaller than min of ${opts.min}`,
          details: name,
          extra_info: extra,
        });
        continue;
      }
      if (typeof opts.max === 'number' && asNumber(val) > opts.max) {
        errors.push({
          type: 'value_bigger_than_max',
          message: `Value ${pyStr(val)} bigger than max of ${opts.max}`,
          details: name,
          extra_info: extra,
        });
        continue;
      }
      const combo = Array.isArray(inputType)
        ? (inputType as unknown[])
        : typeName === 'COMBO' && Array.isArray(opts.options)
          ? (opts.options as unknown[])
          : undefined;
      if (combo && !combo.some((o) => pyEq(o, val))) {
        const long = combo.length > 20;
        errors.push({
          type: 'value_not_in_list',
          message: 'Value not in list',
          details: `${name}: '${pyStr(val)}' not in ${long ? `(list of length ${combo.length})` : pyRepr(combo)}`,
          extra_info: { input_name: name, input_config: long ? null : spec, received_value: val },
        });
      }
    }
    if (
      fileCheck &&
      typeof inputs[fileCheck.input] === 'string' &&
      this.ctx.inputFileExists &&
      !this.ctx.inputFileExists(inputs[fileCheck.input] as string)
    ) {
      errors.push({
        type: 'custom_validation_failed',
        message: 'Custom validation failed for node',
        details: `${fileCheck.input} - Invalid ${fileCheck.what} file: ${String(inputs[fileCheck.input])}`,
        extra_info: { input_name: fileCheck.input },
      });
    }
    return { valid: valid && errors.length === 0, errors };
  }
}

const topError = (type: string, message: string, details = ''): NodeError => ({
  type,
  message,
  details,
  extra_info: {},
});

/**
 * Validates an API-format graph as ComfyUI's validate_prompt does. `ok` with a non-empty
 * `node_errors` means some outputs failed but others passed (ComfyUI answers 200 then).
 */
export function validateGraph(prompt: unknown, catalog: Catalog, ctx: ValidationContext = {}): ValidationResult {
  if (!prompt || typeof prompt !== 'object' || Array.isArray(prompt)) {
    return {
      ok: false,
      error: topError('invalid_prompt', 'Cannot execute because the prompt is not an object.', 'prompt'),
      node_errors: {},
    };
  }
  const graph = prompt as Graph;
  const outputs: string[] = [];
  const targets =
    ctx.partialExecutionTargets && ctx.partialExecutionTargets.length > 0
      ? new Set(ctx.partialExecutionTargets)
      : undefined;
  for (const [id, node] of Object.entries(graph)) {
    if (!node || typeof node !== 'object' || !('class_type' in node)) {
      return {
        ok: false,
        error: topError(
          'invalid_prompt',
          'Cannot execute because a node is missing the class_type property.',
          `Node ID '#${id}'`,
        ),
        node_errors: {},
      };
    }
    const info = catalog[String(node.class_type)];
    if (!info)
      return {
        ok: false,
        error: topError(
          'invalid_prompt',
          `Cannot execute because node ${String(node.class_type)} does not exist.`,
          `Node ID '#${id}'`,
        ),
        node_errors: {},
      };
    if (info.output_node === true && (!targets || targets.has(id))) outputs.push(id);
  }
  if (outputs.length === 0)
    return { ok: false, error: topError('prompt_no_outputs', 'Prompt has no outputs'), node_errors: {} };

  const v = new Validator(graph, catalog, ctx);
  const good: string[] = [];
  const failedOwn: NodeError[] = [];
  const nodeErrors: NodeErrors = {};
  for (const o of outputs) {
    let result: Validated;
    try {
      result = v.validate(o);
    } catch (ex) {
      const e = ex instanceof PyException ? ex : new PyException('Exception', String(ex));
      result = {
        valid: false,
        errors: [
          {
            type: 'exception_during_validation',
            message: 'Exception when validating node',
            details: e.message,
            extra_info: { exception_type: e.pyType, traceback: [] },
          },
        ],
      };
      v.validated.set(o, result);
    }
    if (result.valid) {
      good.push(o);
      continue;
    }
    failedOwn.push(...result.errors);
    // like ComfyUI: every invalid node seen so far is charged to this output
    for (const [id, r] of v.validated) {
      if (r.valid || r.errors.length === 0) continue;
      nodeErrors[id] ??= { errors: r.errors, dependent_outputs: [], class_type: graph[id]!.class_type };
      nodeErrors[id].dependent_outputs.push(o);
    }
  }
  if (good.length === 0) {
    const details = failedOwn.map((e) => `${e.message}: ${e.details}`).join('\n');
    return {
      ok: false,
      error: {
        type: 'prompt_outputs_failed_validation',
        message: 'Prompt outputs failed validation',
        details,
        extra_info: {},
      },
      node_errors: nodeErrors,
    };
  }
  return { ok: true, outputs: good, node_errors: nodeErrors };
}
