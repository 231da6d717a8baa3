import { z } from 'zod';
import type { ErrorDetail } from './errors.ts';
import { zLoraFamily, zModelId } from './models/index.ts';

/** At most this many LoRAs per request (SPEC §11). */
export const MAX_LORAS = 4;
/** The strength range a request may ask for (ComfyUI's LoraLoader takes −100…100; beyond ±2 is noise). */
export const LORA_STRENGTH = { min: -2, max: 2 } as const;

/** A catalog name: what `<lora:name:strength>` carries (A1111 uses the file name without its extension). */
export const zLoraName = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9_.+-]{0,99}$/,
    'letters, digits and _ . + - (at most 100), starting with a letter or digit',
  );

/** A file as ComfyUI lists it under models/loras (a relative path; `/` for sub-folders). */
export const zLoraFile = z
  .string()
  .min(1)
  .max(300)
  .refine(
    (f) => !f.split(/[\\/]/).includes('..') && !/^[\\/]/.test(f) && !/["'$`\n\r\0]/.test(f),
    'a plain relative file name under models/loras',
  );

/** One LoRA of a generation request: stage 1 checks the types (400), the rules and the library give 422. */
export const zLoraRequest = z
  .object({
    /** a catalog name (GET /api/loras) */
    name: z.string().min(1).max(200),
    /** model strength (−2…2) */
    strength: z.number(),
    /** text-encoder strength where the model's graph patches CLIP too (default: strength) */
    strength_clip: z.number().optional(),
    /** append the LoRA's trigger words to the prompt (off unless asked) */
    add_trigger_words: z.boolean().optional(),
  })
  .strict();
export type LoraRequest = z.infer<typeof zLoraRequest>;

/** Rules on well-typed LoRA entries (422 details with paths like `loras.1.strength`). */
export function checkLoraRules(loras: readonly LoraRequest[] | undefined, out: ErrorDetail[]): void {
  if (loras === undefined) return;
  if (loras.length > MAX_LORAS) out.push({ path: 'loras', message: `at most ${MAX_LORAS} LoRAs per request` });
  const seen = new Set<string>();
  loras.forEach((l, i) => {
    for (const key of ['strength', 'strength_clip'] as const) {
      const v = l[key];
      if (v !== undefined && (v < LORA_STRENGTH.min || v > LORA_STRENGTH.max))
        out.push({
          path: `loras.${i}.${key}`,
          message: `must be between ${LORA_STRENGTH.min} and ${LORA_STRENGTH.max}`,
        });
    }
    if (seen.has(l.name)) out.push({ path: `loras.${i}.name`, message: 'is listed twice' });
    seen.add(l.name);
  });
}

/** A LoRA as a task stores and an engine applies it: the catalog's file and family, the request's strengths. */
export const zResolvedLora = z.object({
  name: z.string(),
  /** the file under models/loras, as the backends list it */
  file: z.string(),
  /** another file for a graph's chain of this role (a Wan 2.2 LoRA pair: `high_noise`, `low_noise`) */
  role_files: z.record(z.string(), z.string()).optional(),
  strength: z.number(),
  /** given by the request; absent means the model strength */
  strength_clip: z.number().optional(),
  family: zLoraFamily,
  /** AutoV2 hash (the first 10 hex digits of the file's SHA-256) for the infotext's `Lora hashes` */
  hash: z.string().optional(),
});
export type ResolvedLora = z.infer<typeof zResolvedLora>;

/** Every file a LoRA needs on a backend. */
export function loraFiles(l: Pick<ResolvedLora, 'file' | 'role_files'>): string[] {
  return [...new Set([l.file, ...Object.values(l.role_files ?? {})])];
}

/** Who may use a catalog entry: everyone, the listed users, or administrators only (staging a new LoRA). */
export const zLoraAccess = z.enum(['everyone', 'users', 'admins']);
export type LoraAccess = z.infer<typeof zLoraAccess>;

const zSha256 = z
  .string()
  .regex(/^[0-9a-fA-F]{64}$/, '64 hex digits')
  .transform((s) => s.toLowerCase());
const zTriggerWords = z.array(z.string().trim().min(1).max(100)).max(20);
const zRoleFiles = z.record(z.string().regex(/^[a-z0-9_]{1,40}$/), zLoraFile);

const catalogFields = {
  file: zLoraFile,
  family: zLoraFamily,
  title: z.string().trim().max(120).optional(),
  description: z.string().max(2000).optional(),
  trigger_words: zTriggerWords.optional(),
  access: zLoraAccess.optional(),
  /** user ids, for access `users` */
  users: z.array(z.string().min(1).max(100)).max(1000).optional(),
  sha256: zSha256.nullable().optional(),
  /** where the file is downloaded from (the setup script's source) */
  source_url: z
    .url({ protocol: /^https?$/ })
    .nullable()
    .optional(),
  default_strength: z.number().min(LORA_STRENGTH.min).max(LORA_STRENGTH.max).optional(),
  role_files: zRoleFiles.optional(),
  /** a PNG/JPEG/WebP as base64 or a data: URL; stored as a 256 px square */
  preview_image: z
    .string()
    .max(8 * 1024 * 1024)
    .nullable()
    .optional(),
};

export const zLoraCreate = z.object({ name: zLoraName, ...catalogFields }).strict();
export type LoraCreate = z.infer<typeof zLoraCreate>;
export const zLoraPatch = z
  .object({ ...catalogFields, file: zLoraFile.optional(), family: zLoraFamily.optional() })
  .strict();
export type LoraPatch = z.infer<typeof zLoraPatch>;

export const zLoraNameParams = z.object({ name: zLoraName });
export const zLorasQuery = z.object({ model: zModelId.optional() });

/** What a user sees of a catalog entry. */
export const zLoraView = z.object({
  name: z.string(),
  title: z.string(),
  family: zLoraFamily,
  description: z.string(),
  trigger_words: z.array(z.string()),
  default_strength: z.number(),
  preview_url: z.string().nullable(),
  /** some ready backend (serving the model asked for, if any) holds its files */
  available: z.boolean(),
  /** the backends that hold it, by name */
  available_on: z.array(z.string()),
});
export type LoraView = z.infer<typeof zLoraView>;

/** GET /api/loras: what the caller may use (for one model: of its family), and where each is available. */
export const zLoraList = z.object({
  model: zModelId.nullable(),
  family: zLoraFamily.nullable(),
  /** false when the model's workflow template cannot take LoRAs (they would be ignored) */
  supported: z.boolean(),
  reason: z.string().nullable(),
  items: z.array(zLoraView),
});
export type LoraList = z.infer<typeof zLoraList>;

/** A catalog entry on one backend: whether it holds every file. */
export const zLoraBackendView = z.object({
  account_id: z.string(),
  name: z.string(),
  status: z.string(),
  holds: z.boolean(),
  missing_files: z.array(z.string()),
});

export const zLoraAdminView = zLoraView.omit({ available: true, available_on: true }).extend({
  file: z.string(),
  role_files: z.record(z.string(), z.string()),
  access: zLoraAccess,
  users: z.array(z.string()),
  sha256: z.string().nullable(),
  source_url: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
  backends: z.array(zLoraBackendView),
});
export type LoraAdminView = z.infer<typeof zLoraAdminView>;

/** GET /api/admin/loras: the catalog with per-backend availability, and LoRA files backends hold that it lacks. */
export const zLoraCatalog = z.object({
  items: z.array(zLoraAdminView),
  unlisted: z.array(z.object({ file: z.string(), accounts: z.array(z.string()) })),
});
export type LoraCatalog = z.infer<typeof zLoraCatalog>;

/** Generation fields that are lists of objects: in multipart/form-data, one part holding their JSON text. */
export const GENERATE_JSON_FIELDS = ['loras'] as const;
