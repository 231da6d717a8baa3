import { z } from 'zod';
import { zLane } from './admin.ts';
import { zGalleryItem, zGenerationResult, zTaskStage, zTaskStatus } from './tasks.ts';
import { zGenerationType, zMode, zModelId } from './models/index.ts';

// The user's workspace (jobs kept on the server, prompt history, presets, gallery trash) and the admin queue.

/** One of the caller's tasks, as the jobs panel shows it (GET /api/tasks, the `task` event of the user stream). */
export const zTaskListItem = z.object({
  task_id: z.string(),
  status: zTaskStatus,
  stage: zTaskStage,
  progress: z.number(),
  type: zGenerationType,
  model: zModelId,
  mode: zMode,
  prompt: z.string(),
  created_at: z.string(),
  updated_at: z.string(),
  started_at: z.string().nullable(),
  finished_at: z.string().nullable(),
  /** the estimate of the job's own run time (measured durations once the model has finished jobs) */
  estimated_seconds: z.number(),
  /** queued: 1 = next among the jobs competing for the same GPUs */
  queue_position: z.number().int().min(1).optional(),
  /** queued: seconds until it ends (jobs ahead on the same GPUs included); running: seconds left */
  eta_seconds: z.number().optional(),
  preview_url: z.string().optional(),
  result: zGenerationResult.optional(),
  error: z.string().optional(),
  code: z.string().optional(),
  retriable: z.boolean().optional(),
  /** the parameters the task runs with (reuse settings, retry) */
  parameters: z.record(z.string(), z.unknown()),
});
export type TaskListItem = z.infer<typeof zTaskListItem>;

export const zTaskListQuery = z.object({
  /** comma-separated statuses; default every status */
  status: z
    .string()
    .regex(/^(queued|running|completed|failed|cancelled)(,(queued|running|completed|failed|cancelled))*$/)
    .optional(),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});
export const zTaskListPage = z.object({ items: z.array(zTaskListItem), next_cursor: z.string().nullable() });
export type TaskListPage = z.infer<typeof zTaskListPage>;

export const zQueueEstimate = z.object({
  task_id: z.string(),
  queue_position: z.number().int().min(1),
  eta_seconds: z.number().optional(),
});

/** Server-Sent Events of GET /api/tasks/events: every task of the caller on one stream. */
export const zUserStreamEvent = z.discriminatedUnion('event', [
  /** the stream is open: (re)read GET /api/tasks now */
  z.object({ event: z.literal('ready'), data: z.object({ at: z.string() }) }),
  /** a task was created or changed status (API jobs and other tabs included) */
  z.object({ event: z.literal('task'), data: zTaskListItem }),
  z.object({
    event: z.literal('progress'),
    data: z.object({ task_id: z.string(), status: zTaskStatus, progress: z.number(), stage: zTaskStage }),
  }),
  z.object({
    event: z.literal('preview'),
    data: z.object({ task_id: z.string(), preview_url: z.string(), seq: z.number().int() }),
  }),
  /** queue positions and times of the caller's queued tasks changed */
  z.object({ event: z.literal('queue'), data: z.object({ items: z.array(zQueueEstimate) }) }),
]);
export type UserStreamEvent = z.infer<typeof zUserStreamEvent>;

export const zCancelQueuedResult = z.object({ cancelled: z.number().int() });

/** GET /api/availability: which types and models would be admitted now (the 503 banner routes around). */
export const zAvailability = z.object({
  models: z.array(
    z.object({
      model: zModelId,
      type: zGenerationType,
      available: z.boolean(),
      code: z.enum(['queue_overloaded', 'no_backend_available', 'user_queue_full']).optional(),
      reason: z.string().optional(),
      retry_after_seconds: z.number().int().optional(),
    }),
  ),
  /** jobs waiting now, per type */
  waiting: z.object({ image: z.number().int(), video: z.number().int() }),
  degraded_max_waiting: z.number().int(),
});
export type Availability = z.infer<typeof zAvailability>;

// ---- prompt history and presets ----

export const zPromptHistoryQuery = z.object({
  q: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export const zPromptHistoryItem = z.object({
  id: z.string(),
  prompt: z.string(),
  negative_prompt: z.string(),
  uses: z.number().int(),
  last_used_at: z.string(),
});
export type PromptHistoryItem = z.infer<typeof zPromptHistoryItem>;
export const zPromptHistoryPage = z.object({ items: z.array(zPromptHistoryItem) });

const zPresetParams = z.record(z.string(), z.unknown()).refine((p) => JSON.stringify(p).length <= 20_000, {
  message: 'at most 20,000 characters of parameters',
});
export const zPresetSave = z.object({ name: z.string().trim().min(1).max(80), params: zPresetParams }).strict();
export type PresetSave = z.infer<typeof zPresetSave>;
export const zPreset = z.object({
  id: z.string(),
  name: z.string(),
  params: z.record(z.string(), z.unknown()),
  created_at: z.string(),
  updated_at: z.string(),
});
export type Preset = z.infer<typeof zPreset>;
export const zPresetList = z.object({ items: z.array(zPreset) });
export const zPresetImport = z.object({ presets: z.array(zPresetSave).min(1).max(100) }).strict();
export type PresetImport = z.infer<typeof zPresetImport>;

// ---- gallery ----

export const zStarBody = z.object({ starred: z.boolean() }).strict();
export const zIdsBody = z.object({ ids: z.array(z.string().min(1).max(100)).min(1).max(100) }).strict();
export const zIdsResult = z.object({ ids: z.array(z.string()) });
export const zZipQuery = z.object({
  /** comma-separated task ids (at most 100) */
  ids: z.string().min(1).max(4000),
});
export const zTrashItem = zGalleryItem.extend({ trashed_at: z.string(), purge_at: z.string() });
export type TrashItem = z.infer<typeof zTrashItem>;
export const zTrashPage = z.object({ items: z.array(zTrashItem), retention_days: z.number().int() });
export type TrashPage = z.infer<typeof zTrashPage>;
export const zLastFrame = z.object({ asset_id: z.string(), preview_url: z.string() });
export type LastFrame = z.infer<typeof zLastFrame>;

// ---- admin queue ----

export const zAdminQueueJob = z.object({
  task_id: z.string(),
  status: z.enum(['queued', 'running']),
  user_id: z.string(),
  user_name: z.string(),
  model: zModelId,
  type: zGenerationType,
  /** running: the lane it runs on; queued: the lane it waits for */
  lane: zLane.nullable(),
  account_name: z.string().nullable(),
  age_seconds: z.number(),
  queue_position: z.number().int().optional(),
  progress: z.number(),
  priority: z.number().int(),
  prompt: z.string(),
});
export type AdminQueueJob = z.infer<typeof zAdminQueueJob>;
export const zAdminQueueJobs = z.object({ items: z.array(zAdminQueueJob), paused_lanes: z.array(zLane) });
export type AdminQueueJobs = z.infer<typeof zAdminQueueJobs>;
export const zLaneParams = z.object({ lane: zLane });
export const zPausedLanes = z.object({ paused_lanes: z.array(zLane) });
