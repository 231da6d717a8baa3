import { z } from 'zod';
import { zAuthMode } from './auth.ts';
import { zGenerationType, zMode, zModelId } from './models/index.ts';

/** When a declared-unsupported parameter applies: the field equals (or not) a value, or another field plus an offset. */
export const zParamCondition = z.object({
  field: z.string(),
  op: z.enum(['eq', 'ne']),
  value: z.union([z.string(), z.number(), z.boolean()]).optional(),
  ref: z.string().optional(),
  offset: z.number().optional(),
});
export type ParamCondition = z.infer<typeof zParamCondition>;

/** A parameter the template of a model × mode cannot honour (declared by the template), with the reason. */
export const zUnsupportedParam = z.object({
  model: zModelId,
  mode: zMode,
  param: z.string(),
  reason: z.string(),
  /** applies only when one of these holds (absent: always) */
  when: z.array(zParamCondition).optional(),
});
export type UnsupportedParam = z.infer<typeof zUnsupportedParam>;

/** GET /api/models: the registry for clients (each spec passes through whole), and the server's limits. */
export const zModelsInfo = z.object({
  models: z.array(z.looseObject({ id: zModelId, label: z.string(), type: zGenerationType, modes: z.array(zMode) })),
  sizes: z.array(z.number().int()),
  max_batch: z.number().int(),
  max_upload_mb: z.number(),
  /** what the UI shows disabled, with the reason, before anything is sent */
  unsupported: z.array(zUnsupportedParam).optional(),
});
export type ModelsInfo = z.infer<typeof zModelsInfo>;

export const zMediaToolView = z.object({ version: z.string(), source: z.enum(['env', 'path', 'npm']) });

/** GET /api/health. `degraded` names its reasons (no ready backend, storage trouble, …). */
export const zHealth = z.object({
  status: z.enum(['ok', 'degraded']),
  reasons: z.array(z.string()),
  version: z.string(),
  simulated: z.boolean(),
  auth_mode: zAuthMode,
  credits_enabled: z.boolean(),
  uptime_seconds: z.number().int(),
  accounts: z.object({ total: z.number().int(), ready: z.number().int() }),
  queued: z.number().int(),
  media_tools: z.object({ ffmpeg: zMediaToolView, ffprobe: zMediaToolView }),
});
export type Health = z.infer<typeof zHealth>;
