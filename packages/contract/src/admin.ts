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

/** One model's readiness on one backend, from its last health check (what is missing, for the setup script). */
export const zModelReadinessView = z.object({
  model: zModelId,
  ready: z.boolean(),
  reason: z.string().nullable(),
  missing_packs: z.array(
    z.object({
      name: z.string(),
      repository: z.string().nullable(),
      commit: z.string().nullable(),
      nodes: z.array(z.string()),
    }),
  ),
  missing_nodes: z.array(z.string()),
  missing_files: z.array(
    z.object({ folder: z.string(), file: z.string(), size: z.string().nullable(), url: z.string().nullable() }),
  ),
});
export type ModelReadinessView = z.infer<typeof zModelReadinessView>;

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
  /** the models it can run now (ready for them at its last health check) */
  ready_models: z.array(zModelId),
  readiness: z.array(zModelReadinessView),
  /** things that work but degrade the service, e.g. live previews switched off */
  warnings: z.array(z.string()),
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

export const zAccountList = z.object({ items: z.array(zAccountView) });

export const zLaneView = z.object({
  lane: zLane,
  accounts: z.number().int(),
  accounts_ready: z.number().int(),
  /** queued jobs that will run on this lane */
  depth: z.number().int(),
  running: z.number().int(),
});

export const zRunningJobView = z.object({
  task_id: z.string(),
  model: zModelId,
  lane: zLane.nullable(),
  account_id: z.string().nullable(),
  account_name: z.string().nullable(),
  progress: z.number(),
});

/** GET /api/admin/queue (SPEC §6): lanes, depths, running jobs, and the degraded-mode state. */
export const zQueueSnapshot = z.object({
  lanes: z.array(zLaneView),
  /** no dedicated video lane is ready: video runs on shared lanes with bounded admission */
  degraded: z.boolean(),
  /** queued video jobs (in degraded mode at most DEGRADED_MAX_WAITING) */
  waiting_video: z.number().int(),
  degraded_max_waiting: z.number().int(),
  queued: z.number().int(),
  running: z.array(zRunningJobView),
});
export type QueueSnapshot = z.infer<typeof zQueueSnapshot>;

export const zUsageStats = z.object({
  days: z.number().int(),
  per_model_per_day: z.array(
    z.object({
      day: z.string(),
      model: z.string(),
      completed: z.number().int(),
      failed: z.number().int(),
      cancelled: z.number().int(),
    }),
  ),
  success_rate: z.number().nullable(),
  mean_queue_seconds: z.number().nullable(),
  mean_gpu_seconds: z.number().nullable(),
  totals: z.object({ completed: z.number().int(), failed: z.number().int(), cancelled: z.number().int() }),
});
export type UsageStats = z.infer<typeof zUsageStats>;

export const zAuditEntryView = z.object({
  id: z.number().int(),
  at: z.string(),
  actor: z.string(),
  action: z.string(),
  target: z.string().nullable(),
  status: z.number().int(),
  ip: z.string().nullable(),
});
export const zAuditPage = z.object({ items: z.array(zAuditEntryView) });

export const zUserListItem = z.object({
  id: z.string(),
  name: z.string(),
  credits: z.number().nullable(),
  created_at: z.string(),
  /** safe for work: explicit output of this user is withheld (content.ts) */
  sfw: z.boolean(),
  /** days this user's media is kept; null = the instance's RETENTION_DAYS */
  retention_days: z.number().int().nullable(),
});
export const zUserList = z.object({ items: z.array(zUserListItem) });
export type UserListItem = z.infer<typeof zUserListItem>;
export type UserCreated = z.infer<typeof zUserCreated>;
export type UserCreate = z.infer<typeof zUserCreate>;
export type CreditGrant = z.infer<typeof zCreditGrant>;
export type UserBalance = z.infer<typeof zUserBalance>;

export const zLedgerEntryView = z.object({
  id: z.number().int(),
  task_id: z.string().nullable(),
  kind: z.enum(['grant', 'reserve', 'release', 'charge']),
  amount: z.number().int(),
  balance_after: z.number().int(),
  created_at: z.string(),
});
export const zLedgerPage = z.object({
  user_id: z.string(),
  balance: z.number().nullable(),
  items: z.array(zLedgerEntryView),
});

export const zUserBalance = z.object({ id: z.string(), name: z.string(), credits: z.number().nullable() });
export type LedgerPage = z.infer<typeof zLedgerPage>;
export type AuditPage = z.infer<typeof zAuditPage>;
export type AccountList = z.infer<typeof zAccountList>;
