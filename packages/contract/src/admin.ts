import { z } from 'zod';
import { zModelId } from './models/index.ts';

export const zAccountStatus = z.enum(['pending', 'checking', 'ready', 'failed', 'disabled']);
export type AccountStatus = z.infer<typeof zAccountStatus>;
export const zLane = z.enum(['video', 'image', 'shared']);
export type Lane = z.infer<typeof zLane>;

/** SPEC §6 allowed transitions; `ready` only ever follows `checking`. */
export const ACCOUNT_TRANSITIONS: Readonly<Record<AccountStatus, readonly AccountStatus[]>> = {
  pending: ['checking', 'disabled'],
  checking: ['ready', 'failed', 'disabled'],
  ready: ['checking', 'disabled'],
  failed: ['checking', 'disabled'],
  disabled: ['pending', 'disabled'],
};

export function canTransition(from: AccountStatus, to: AccountStatus): boolean {
  return ACCOUNT_TRANSITIONS[from].includes(to);
}

export const zAccountCreate = z
  .object({
    name: z.string().trim().min(1).max(100),
    base_url: z.url({ protocol: /^https?$/ }),
    lane: zLane,
    models: z.array(zModelId).min(1),
    auth_token: z.string().min(1).max(1000).optional(),
  })
  .strict();
export type AccountCreate = z.infer<typeof zAccountCreate>;

export const zAccountPatch = z
  .object({
    name: z.string().trim().min(1).max(100).optional(),
    lane: zLane.optional(),
    models: z.array(zModelId).min(1).optional(),
    auth_token: z.string().max(1000).nullable().optional(),
    status: zAccountStatus.optional(),
  })
  .strict();
export type AccountPatch = z.infer<typeof zAccountPatch>;

export const zAccountView = z.object({
  id: z.string(),
  name: z.string(),
  base_url: z.string(),
  lane: zLane,
  models: z.array(zModelId),
  status: zAccountStatus,
  status_reason: z.string().nullable(),
  has_auth_token: z.boolean(),
  vram_total: z.number().nullable(),
  vram_free: z.number().nullable(),
  last_checked_at: z.string().nullable(),
  loaded_model: z.string().nullable(),
  running_task_id: z.string().nullable(),
  created_at: z.string(),
});
export type AccountView = z.infer<typeof zAccountView>;

export const zUserCreate = z
  .object({ name: z.string().trim().min(1).max(100), credits: z.number().int().min(0).optional() })
  .strict();
export const zUserCreated = z.object({
  id: z.string(),
  name: z.string(),
  access_key: z.string(),
  credits: z.number().nullable(),
});
export const zCreditGrant = z.object({ amount: z.number().int(), reason: z.string().max(200).optional() }).strict();
