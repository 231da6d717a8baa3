import { z } from 'zod';
import { zModelId } from './models/index.ts';

// Content and data (SPEC §11): output checks and their review queue, per-user content settings, the storage
// report, a user's export and erasure.

/** Rule ids of a withheld output (apps/server/src/domain/output-policy.ts). */
export const zOutputRule = z.enum(['minor+explicit', 'sfw-instance', 'sfw-user']);
export type OutputRuleId = z.infer<typeof zOutputRule>;

export const zOutputCheckMode = z.enum(['minors', 'all', 'off']);

/** The explicit classes of the classifier's scores (the peak over a batch's images or a clip's frames). */
export const zExplicitScores = z.object({ porn: z.number(), hentai: z.number(), sexy: z.number() });

/** An admin sets these per user: safe for work (explicit output withheld), and a retention of its own. */
export const zUserContentPatch = z
  .object({
    sfw: z.boolean().optional(),
    /** days outputs and references are kept; null = the instance's RETENTION_DAYS */
    retention_days: z.number().int().min(1).max(36_500).nullable().optional(),
  })
  .strict();
export type UserContentPatch = z.infer<typeof zUserContentPatch>;

export const zQuarantineItem = z.object({
  id: z.string(),
  task_id: z.string(),
  user_id: z.string(),
  user_name: z.string().nullable(),
  model: zModelId,
  type: z.enum(['image', 'video']),
  rule: zOutputRule,
  scores: zExplicitScores,
  /** withheld files (the explicit outputs of the batch; the rest were dropped) */
  files: z.number().int(),
  created_at: z.string(),
  /** a safe-for-work withholding may be released into the user's gallery; a minor rule never */
  releasable: z.boolean(),
  /** a tiny, blurred thumbnail (never the file itself) */
  thumbnail_url: z.string().nullable(),
});
export type QuarantineItem = z.infer<typeof zQuarantineItem>;

export const zQuarantineList = z.object({ mode: zOutputCheckMode, items: z.array(zQuarantineItem) });
export type QuarantineList = z.infer<typeof zQuarantineList>;

const zStorageUser = z.object({
  user_id: z.string(),
  name: z.string().nullable(),
  bytes: z.number().int(),
  files: z.number().int(),
  oldest_at: z.string().nullable(),
  /** the user's retention override, if any */
  retention_days: z.number().int().nullable(),
});

/** GET /api/admin/storage: what the stored media weigh, per user and per model, and the oldest item. */
export const zStorageReport = z.object({
  total_bytes: z.number().int(),
  files: z.number().int(),
  oldest_at: z.string().nullable(),
  /** RETENTION_DAYS (null: kept until deleted) */
  retention_days: z.number().int().nullable(),
  users: z.array(zStorageUser),
  models: z.array(z.object({ model: z.string(), bytes: z.number().int(), files: z.number().int() })),
  /** withheld files awaiting review */
  quarantine: z.object({ bytes: z.number().int(), files: z.number().int() }),
});
export type StorageReport = z.infer<typeof zStorageReport>;

/** The phrase a client sends to confirm "delete my data" (the UI makes the user type a word first). */
export const ERASE_CONFIRMATION = 'delete my data';
export const zEraseRequest = z.object({ confirm: z.literal(ERASE_CONFIRMATION) }).strict();

export const zErasureResult = z.object({
  tasks: z.number().int(),
  files: z.number().int(),
  bytes: z.number().int(),
});
export type ErasureResult = z.infer<typeof zErasureResult>;
