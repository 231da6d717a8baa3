import fs from 'node:fs/promises';
import { IMAGE_FIELDS, MODELS, zGenerateRequest, type ImageField, type ModelId } from '@mediagen/contract';
import type { GenerateInput } from './client.ts';

/** The part of a zod schema the flag table reads (kept structural: no zod import here). */
interface SchemaLike {
  def: { type: string; innerType?: SchemaLike; element?: SchemaLike };
  options?: readonly string[];
}

export type FlagKind = 'number' | 'string' | 'enum' | 'list' | 'image';

/** One flag per field of the generation payload, derived from the contract's schema (none can be missing). */
export interface PayloadFlag {
  field: string;
  flag: string;
  kind: FlagKind;
  choices?: readonly string[];
  short?: string;
}

const SHORT: Record<string, string> = {
  model: 'm',
  prompt: 'p',
  negative_prompt: 'n',
  width: 'W',
  height: 'H',
  seed: 's',
  output_format: 'f',
};

function kindOf(schema: SchemaLike, field: string): Pick<PayloadFlag, 'kind' | 'choices'> {
  const inner = schema.def.type === 'optional' && schema.def.innerType ? schema.def.innerType : schema;
  if ((IMAGE_FIELDS as readonly string[]).includes(field)) return { kind: 'image' };
  switch (inner.def.type) {
    case 'number':
      return { kind: 'number' };
    case 'enum':
      return { kind: 'enum', ...(inner.options ? { choices: inner.options } : {}) };
    case 'array':
      return { kind: 'list', ...(inner.def.element?.options ? { choices: inner.def.element.options } : {}) };
    default:
      return { kind: 'string' };
  }
}

export const PAYLOAD_FLAGS: readonly PayloadFlag[] = Object.entries(
  zGenerateRequest.shape as unknown as Record<string, SchemaLike>,
).map(([field, schema]) => ({
  field,
  flag: field.replaceAll('_', '-'),
  ...kindOf(schema, field),
  ...(SHORT[field] ? { short: SHORT[field] } : {}),
}));

/** parseArgs options for the payload flags (values are read as text and converted here, so the server judges them). */
export function payloadOptions(): Record<string, { type: 'string'; short?: string }> {
  return Object.fromEntries(
    PAYLOAD_FLAGS.map((f) => [f.flag, { type: 'string' as const, ...(f.short ? { short: f.short } : {}) }]),
  );
}

/** A number flag that is not a number goes to the server as text: its 400 names the field and the problem. */
function numberOrText(v: string): number | string {
  return /^-?\d+(\.\d+)?$/.test(v.trim()) ? Number(v) : v;
}

/** An image flag: a file path (read here), or already `data:…`, `asset:<id>`. */
async function imageValue(v: string): Promise<string | Uint8Array> {
  if (v.startsWith('data:') || v.startsWith('asset:')) return v;
  return new Uint8Array(await fs.readFile(v));
}

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/**
 * The generation request the flags describe. Required fields the user left out get defaults: `type` from
 * the model, `mode` from whether images are given, 1024 (image) or 512 (video) square, seed −1 (random).
 * `--image` (repeatable) fills reference_image, or first/last frame for first_last_frame.
 */
export async function requestFromFlags(
  values: Readonly<Record<string, string | boolean | string[] | undefined>>,
): Promise<GenerateInput> {
  const out: Record<string, unknown> = {};
  for (const f of PAYLOAD_FLAGS) {
    const raw = values[f.flag];
    if (typeof raw !== 'string') continue;
    if (f.kind === 'number') out[f.field] = numberOrText(raw);
    else if (f.kind === 'list')
      out[f.field] = raw
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    else if (f.kind === 'image') out[f.field] = await imageValue(raw);
    else out[f.field] = raw;
  }
  const images = Array.isArray(values.image) ? values.image : [];
  const model = out.model as ModelId | undefined;
  if (!model) throw new UsageError('--model (-m) is required, e.g. -m flux');
  if (typeof out.prompt !== 'string') throw new UsageError('--prompt (-p) is required');
  const spec = (MODELS as Partial<Record<string, (typeof MODELS)[ModelId]>>)[model];
  const type = (out.type as string | undefined) ?? spec?.type ?? 'image';
  const hasImage = images.length > 0 || IMAGE_FIELDS.some((f) => out[f] !== undefined);
  out.type ??= type;
  out.mode ??= type === 'video' ? (hasImage ? 'i2v' : 't2v') : hasImage ? 'img2img' : 'txt2img';
  out.width ??= type === 'video' ? 512 : 1024;
  out.height ??= type === 'video' ? 512 : 1024;
  out.seed ??= -1;
  const targets: ImageField[] =
    out.mode === 'first_last_frame' ? ['first_frame_image', 'last_frame_image'] : ['reference_image'];
  if (images.length > targets.length) {
    throw new UsageError(`--image given ${images.length} times; ${String(out.mode)} takes ${targets.length}`);
  }
  for (const [i, path] of images.entries()) {
    const field = targets[i];
    if (field) out[field] = await imageValue(path);
  }
  return out as GenerateInput;
}
