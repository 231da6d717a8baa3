import { z } from 'zod';
import { zErrorCode, zTaskErrorCode } from './errors.ts';
import { zIgnoredParam } from './generate.ts';
import { zGenerationType, zMode, zModelId, zOutputFormat } from './models/index.ts';

export const zTaskStatus = z.enum(['queued', 'running', 'completed', 'failed', 'cancelled']);
export type TaskStatus = z.infer<typeof zTaskStatus>;
export const TERMINAL_STATUSES: readonly TaskStatus[] = ['completed', 'failed', 'cancelled'];

/** What the job is doing now, for the progress line. */
export const zTaskStage = z.enum([
  'queued',
  'uploading',
  'submitted',
  'loading_model',
  'sampling',
  'decoding',
  'saving',
  'converting',
  'done',
]);
export type TaskStage = z.infer<typeof zTaskStage>;

export const zAcceptedResponse = z.object({
  /** `queued`; a replay (same Idempotency-Key) reports where the task is now */
  status: z.enum(['queued', 'running']),
  job_id: z.string(),
  task_id: z.string(),
  queue_position: z.number().int(),
  estimated_seconds: z.number(),
  status_url: z.string(),
  events_url: z.string(),
  seed: z.number().int(),
});
export type AcceptedResponse = z.infer<typeof zAcceptedResponse>;

export const zResultMetadata = z.object({
  inference_time: z.number(),
  gpu_time: z.number(),
  queue_time: z.number(),
  /** seconds spent downloading the outputs from the backend (part of inference_time) */
  transfer_time: z.number().optional(),
  num_frames: z.number().int().optional(),
  fps: z.number().optional(),
  backend: z.string(),
  ignored_params: z.array(zIgnoredParam),
  requested_num_frames: z.number().int().optional(),
  /** the rate the model generates at (Wan: 16); `fps` is the playback rate written into the file */
  native_fps: z.number().optional(),
  /** what the user should know about how the request was carried out (e.g. no end frame given) */
  notes: z.array(z.string()).optional(),
});

/** The seed guide's GenerationResponse, extended. */
export const zGenerationResult = z.object({
  status: z.literal('success'),
  task_id: z.string(),
  url: z.string(),
  urls: z.array(z.string()),
  /** `asset:<id>` handles of the outputs, usable as reference images */
  asset_ids: z.array(z.string()),
  thumbnail_url: z.string(),
  seed: z.number().int(),
  seeds: z.array(z.number().int()),
  width: z.number().int(),
  height: z.number().int(),
  model: zModelId,
  type: zGenerationType,
  mode: zMode,
  output_format: zOutputFormat,
  metadata: zResultMetadata,
});
export type GenerationResult = z.infer<typeof zGenerationResult>;

export const zTaskStatusResponse = z.object({
  task_id: z.string(),
  job_id: z.string(),
  status: zTaskStatus,
  progress: z.number(),
  stage: zTaskStage,
  queue_position: z.number().int().optional(),
  eta_seconds: z.number().optional(),
  preview_url: z.string().optional(),
  result: zGenerationResult.optional(),
  error: z.string().optional(),
  code: z.union([zTaskErrorCode, zErrorCode]).optional(),
  retriable: z.boolean().optional(),
  created_at: z.string(),
  updated_at: z.string(),
});
export type TaskStatusResponse = z.infer<typeof zTaskStatusResponse>;

/** Server-Sent Events on /api/events/{task_id}: the `event:` name and its JSON `data:`. */
export const zTaskEvent = z.discriminatedUnion('event', [
  z.object({
    event: z.literal('progress'),
    data: z.object({
      task_id: z.string(),
      status: zTaskStatus,
      progress: z.number(),
      stage: zTaskStage,
      queue_position: z.number().int().optional(),
      eta_seconds: z.number().optional(),
    }),
  }),
  z.object({
    event: z.literal('preview'),
    data: z.object({ task_id: z.string(), preview_url: z.string(), seq: z.number().int() }),
  }),
  z.object({ event: z.literal('completed'), data: z.object({ task_id: z.string(), result: zGenerationResult }) }),
  z.object({
    event: z.literal('failed'),
    data: z.object({ task_id: z.string(), error: z.string(), code: z.string(), retriable: z.boolean() }),
  }),
  z.object({ event: z.literal('cancelled'), data: z.object({ task_id: z.string() }) }),
]);
export type TaskEvent = z.infer<typeof zTaskEvent>;

export const zGalleryItem = z.object({
  task_id: z.string(),
  status: zTaskStatus,
  type: zGenerationType,
  model: zModelId,
  mode: zMode,
  prompt: z.string(),
  created_at: z.string(),
  thumbnail_url: z.string().optional(),
  url: z.string().optional(),
  urls: z.array(z.string()),
  output_format: zOutputFormat,
  width: z.number().int(),
  height: z.number().int(),
  seed: z.number().int(),
  parameters: z.record(z.string(), z.unknown()),
  asset_ids: z.array(z.string()),
  starred: z.boolean().optional(),
});
export type GalleryItem = z.infer<typeof zGalleryItem>;

export const zGalleryQuery = z.object({
  type: zGenerationType.optional(),
  model: zModelId.optional(),
  /** words of the prompt (each must appear) */
  q: z.string().max(200).optional(),
  /** created at or after / before (ISO date or date-time) */
  from: z.iso
    .date()
    .or(z.iso.datetime({ offset: true }))
    .optional(),
  to: z.iso
    .date()
    .or(z.iso.datetime({ offset: true }))
    .optional(),
  starred: z.enum(['true', 'false']).optional(),
  /** tasks that used this LoRA (catalog name) */
  lora: z.string().max(200).optional(),
  cursor: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(100).default(24),
});
export type GalleryQuery = z.infer<typeof zGalleryQuery>;

export const zGalleryPage = z.object({ items: z.array(zGalleryItem), next_cursor: z.string().nullable() });
export type GalleryPage = z.infer<typeof zGalleryPage>;
