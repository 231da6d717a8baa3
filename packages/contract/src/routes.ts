import { z } from 'zod';
import {
  zAccountCreate,
  zAccountList,
  zAccountPatch,
  zAccountView,
  zAuditPage,
  zCreditGrant,
  zLedgerPage,
  zQueueSnapshot,
  zUsageStats,
  zUserBalance,
  zUserCreate,
  zUserCreated,
  zUserList,
} from './admin.ts';
import { zAdminSessionInfo, zSessionInfo, zSessionRequest } from './auth.ts';
import { CONTENT_ROUTES } from './content-routes.ts';
import { zGenerateRequest } from './generate.ts';
import { defineRoute } from './route-def.ts';
import { zHealth, zModelsInfo } from './system.ts';
import { zAcceptedResponse, zGalleryPage, zGalleryQuery, zGenerationResult, zTaskStatusResponse } from './tasks.ts';
import { LORA_ROUTES } from './lora-routes.ts';
import { WEBHOOK_ROUTES } from './webhooks.ts';
import { WORKSPACE_ROUTES } from './workspace-routes.ts';

export const zIdParams = z.object({ id: z.string().min(1).max(100) });
export const zResultQuery = z.object({
  index: z.coerce.number().int().min(0).max(64).default(0),
  /** present → Content-Disposition: attachment */
  download: z.string().optional(),
});

const USER_ERRORS = [401, 403, 429] as const;
const image = ['image/png', 'image/jpeg'] as const;

/**
 * Every public route, declared once: the server registers its handlers from this table (typed by it),
 * the web client calls it, and the OpenAPI document is generated from it.
 */
export const ROUTES = {
  // ---- generation and tasks (SPEC §2, §4) ----
  generate: defineRoute({
    method: 'POST',
    path: '/api/generate',
    summary: 'Queue a generation job (JSON or multipart/form-data with the same fields)',
    tags: ['generate'],
    access: 'user',
    body: zGenerateRequest,
    bodyValidation: 'handler',
    multipart: true,
    headers: {
      'Idempotency-Key': 'retries with the same key and body return the same task (1–200 characters)',
      Prefer: '`wait=N` (N ≤ 300): hold the answer until the task ends or N seconds pass',
    },
    responses: {
      202: zAcceptedResponse,
      200: z.union([zGenerationResult, zTaskStatusResponse]),
    },
    errors: [400, ...USER_ERRORS, 402, 409, 413, 415, 422, 503],
  }),
  status: defineRoute({
    method: 'GET',
    path: '/api/status/:id',
    summary: "A task's status, progress, and result when completed",
    tags: ['tasks'],
    access: 'user',
    params: zIdParams,
    responses: { 200: zTaskStatusResponse },
    errors: [400, ...USER_ERRORS, 404],
  }),
  cancel: defineRoute({
    method: 'POST',
    path: '/api/cancel/:id',
    summary: 'Cancel a queued task or interrupt a running one (idempotent)',
    tags: ['tasks'],
    access: 'user',
    params: zIdParams,
    responses: { 200: zTaskStatusResponse },
    errors: [400, ...USER_ERRORS, 404],
  }),
  events: defineRoute({
    method: 'GET',
    path: '/api/events/:id',
    summary: 'Server-Sent Events of a task: progress, preview, completed, failed, cancelled',
    tags: ['tasks'],
    access: 'user',
    params: zIdParams,
    responses: { 200: { kind: 'events', description: 'text/event-stream of TaskEvent (event: name, data: JSON)' } },
    errors: [400, ...USER_ERRORS, 404],
  }),
  results: defineRoute({
    method: 'GET',
    path: '/api/results/:id',
    summary: 'An output file of a completed task (HTTP Range supported)',
    tags: ['tasks'],
    access: 'user',
    params: zIdParams,
    query: zResultQuery,
    responses: {
      200: {
        kind: 'binary',
        contentTypes: ['image/png', 'image/jpeg', 'video/mp4', 'video/webm', 'image/gif'],
        description: 'the file',
      },
      206: { kind: 'binary', contentTypes: ['video/mp4', 'video/webm'], description: 'a byte range' },
      302: {
        kind: 'empty',
        description: 'MEDIA_STORE=s3://… with S3_PRESIGN=true: Location is a short-lived presigned URL of the object',
      },
    },
    errors: [400, ...USER_ERRORS, 404, 416],
  }),
  asset: defineRoute({
    method: 'GET',
    path: '/api/assets/:id',
    summary: 'An uploaded reference image or an output, by asset id (owner only)',
    tags: ['assets'],
    access: 'user',
    params: zIdParams,
    responses: {
      200: {
        kind: 'binary',
        contentTypes: ['image/png', 'image/jpeg', 'video/mp4', 'video/webm', 'image/gif'],
        description: 'the file',
      },
    },
    errors: [400, ...USER_ERRORS, 404],
  }),
  preview: defineRoute({
    method: 'GET',
    path: '/api/preview/:id',
    summary: 'The latest live preview while running; a thumbnail once completed',
    tags: ['tasks'],
    access: 'user',
    params: zIdParams,
    responses: { 200: { kind: 'binary', contentTypes: image, description: 'JPEG or PNG' } },
    errors: [400, ...USER_ERRORS, 404],
  }),
  gallery: defineRoute({
    method: 'GET',
    path: '/api/gallery',
    summary: "The caller's finished tasks, newest first (cursor pagination)",
    tags: ['gallery'],
    access: 'user',
    query: zGalleryQuery,
    responses: { 200: zGalleryPage },
    errors: [400, ...USER_ERRORS],
  }),
  galleryDelete: defineRoute({
    method: 'DELETE',
    path: '/api/gallery/:id',
    summary: 'Delete a task and its files',
    tags: ['gallery'],
    access: 'user',
    params: zIdParams,
    responses: { 204: { kind: 'empty', description: 'deleted' } },
    errors: [400, ...USER_ERRORS, 404],
  }),

  // ---- system ----
  models: defineRoute({
    method: 'GET',
    path: '/api/models',
    summary: 'The model registry and the server limits',
    tags: ['system'],
    access: 'public',
    responses: { 200: zModelsInfo },
    errors: [],
  }),
  health: defineRoute({
    method: 'GET',
    path: '/api/health',
    summary: 'Liveness, backends, queue and media tools',
    tags: ['system'],
    access: 'public',
    responses: { 200: zHealth },
    errors: [],
  }),
  metrics: defineRoute({
    method: 'GET',
    path: '/metrics',
    summary: 'Prometheus metrics',
    tags: ['system'],
    access: 'public',
    responses: {
      200: { kind: 'text', contentType: 'text/plain; version=0.0.4', description: 'Prometheus exposition' },
    },
    errors: [],
  }),

  // ---- sessions (SPEC §5) ----
  sessionCreate: defineRoute({
    method: 'POST',
    path: '/api/auth/session',
    summary: 'Exchange an access key (body or X-API-Key header) for the gg_session cookie',
    tags: ['auth'],
    access: 'public',
    // no body at all (the X-API-Key header alone) arrives as null
    body: zSessionRequest.nullish(),
    headers: { 'X-API-Key': 'an access key, instead of the body' },
    responses: { 200: zSessionInfo },
    errors: [400, 401, 403, 429],
  }),
  sessionGet: defineRoute({
    method: 'GET',
    path: '/api/auth/session',
    summary: 'The current session',
    tags: ['auth'],
    access: 'public',
    responses: { 200: zSessionInfo },
    errors: [401],
  }),
  sessionDelete: defineRoute({
    method: 'DELETE',
    path: '/api/auth/session',
    summary: 'Log out',
    tags: ['auth'],
    access: 'public',
    responses: { 204: { kind: 'empty', description: 'logged out' } },
    errors: [403],
  }),
  adminSessionCreate: defineRoute({
    method: 'POST',
    path: '/api/admin/session',
    summary: 'Admin login with the x-admin-key header; sets the gg_admin cookie',
    tags: ['admin'],
    access: 'public',
    headers: { 'x-admin-key': 'the admin key (login only)' },
    responses: { 200: zAdminSessionInfo },
    errors: [401, 403, 429],
  }),
  adminSessionGet: defineRoute({
    method: 'GET',
    path: '/api/admin/session',
    summary: 'The current admin session',
    tags: ['admin'],
    access: 'public',
    responses: { 200: zAdminSessionInfo },
    errors: [401],
  }),
  adminSessionDelete: defineRoute({
    method: 'DELETE',
    path: '/api/admin/session',
    summary: 'Admin logout',
    tags: ['admin'],
    access: 'public',
    responses: { 204: { kind: 'empty', description: 'logged out' } },
    errors: [403],
  }),

  // ---- admin (SPEC §6) ----
  accountsList: defineRoute({
    method: 'GET',
    path: '/api/admin/accounts',
    summary: 'GPU accounts (ComfyUI backends) with their status',
    tags: ['admin'],
    access: 'admin',
    responses: { 200: zAccountList },
    errors: [401, 403],
  }),
  accountCreate: defineRoute({
    method: 'POST',
    path: '/api/admin/accounts',
    summary: 'Add a GPU account; it starts pending and is checked at once',
    tags: ['admin'],
    access: 'admin',
    body: zAccountCreate,
    responses: { 201: zAccountView },
    errors: [400, 401, 403],
  }),
  accountGet: defineRoute({
    method: 'GET',
    path: '/api/admin/accounts/:id',
    summary: 'One GPU account',
    tags: ['admin'],
    access: 'admin',
    params: zIdParams,
    responses: { 200: zAccountView },
    errors: [400, 401, 403, 404],
  }),
  accountPatch: defineRoute({
    method: 'PATCH',
    path: '/api/admin/accounts/:id',
    summary: 'Edit an account; status may only be set to disabled or (re-enable) pending',
    tags: ['admin'],
    access: 'admin',
    params: zIdParams,
    body: zAccountPatch,
    responses: { 200: zAccountView },
    errors: [400, 401, 403, 404, 409],
  }),
  accountDelete: defineRoute({
    method: 'DELETE',
    path: '/api/admin/accounts/:id',
    summary: 'Remove an account',
    tags: ['admin'],
    access: 'admin',
    params: zIdParams,
    responses: { 204: { kind: 'empty', description: 'removed' } },
    errors: [400, 401, 403, 404],
  }),
  accountCheck: defineRoute({
    method: 'POST',
    path: '/api/admin/accounts/:id/check',
    summary: 'Run a health check now',
    tags: ['admin'],
    access: 'admin',
    params: zIdParams,
    responses: { 200: zAccountView },
    errors: [400, 401, 403, 404, 409],
  }),
  accountSetupScript: defineRoute({
    method: 'GET',
    path: '/api/admin/accounts/:id/setup-script',
    summary: "A bash script that prepares the account's ComfyUI host for what its last health check found missing",
    tags: ['admin'],
    access: 'admin',
    params: zIdParams,
    responses: {
      200: { kind: 'text', contentType: 'text/x-shellscript', description: 'run it from the ComfyUI folder' },
    },
    errors: [400, 401, 403, 404],
  }),
  queue: defineRoute({
    method: 'GET',
    path: '/api/admin/queue',
    summary: 'Lanes, queue depths, running jobs and the degraded-mode state',
    tags: ['admin'],
    access: 'admin',
    responses: { 200: zQueueSnapshot },
    errors: [401, 403],
  }),
  stats: defineRoute({
    method: 'GET',
    path: '/api/admin/stats',
    summary: 'Jobs per model per day, success rate, queue and GPU time',
    tags: ['admin'],
    access: 'admin',
    query: z.object({ days: z.coerce.number().int().min(1).max(365).default(14) }),
    responses: { 200: zUsageStats },
    errors: [400, 401, 403],
  }),
  audit: defineRoute({
    method: 'GET',
    path: '/api/admin/audit',
    summary: 'The audit log of admin actions, newest first',
    tags: ['admin'],
    access: 'admin',
    query: z.object({ limit: z.coerce.number().int().min(1).max(1000).default(200) }),
    responses: { 200: zAuditPage },
    errors: [400, 401, 403],
  }),
  usersList: defineRoute({
    method: 'GET',
    path: '/api/admin/users',
    summary: 'Users',
    tags: ['admin'],
    access: 'admin',
    responses: { 200: zUserList },
    errors: [401, 403],
  }),
  userCreate: defineRoute({
    method: 'POST',
    path: '/api/admin/users',
    summary: 'Create a user; the access key is shown once',
    tags: ['admin'],
    access: 'admin',
    body: zUserCreate,
    responses: { 201: zUserCreated },
    errors: [400, 401, 403],
  }),
  userCredits: defineRoute({
    method: 'POST',
    path: '/api/admin/users/:id/credits',
    summary: 'Grant (or take) credits',
    tags: ['admin'],
    access: 'admin',
    params: zIdParams,
    body: zCreditGrant,
    responses: { 200: zUserBalance },
    errors: [400, 401, 403, 404, 422],
  }),
  userRotateKey: defineRoute({
    method: 'POST',
    path: '/api/admin/users/:id/rotate-key',
    summary: 'A new access key (shown once); the old key and every session of the user stop working',
    tags: ['admin'],
    access: 'admin',
    params: zIdParams,
    responses: { 200: zUserCreated },
    errors: [400, 401, 403, 404],
  }),
  userLedger: defineRoute({
    method: 'GET',
    path: '/api/admin/users/:id/ledger',
    summary: "A user's credit ledger, newest first",
    tags: ['admin'],
    access: 'admin',
    params: zIdParams,
    responses: { 200: zLedgerPage },
    errors: [400, 401, 403, 404],
  }),
  userDelete: defineRoute({
    method: 'DELETE',
    path: '/api/admin/users/:id',
    summary: "Delete a user: revokes the key and every session, and erases the user's data (the credit ledger stays)",
    tags: ['admin'],
    access: 'admin',
    params: zIdParams,
    responses: { 204: { kind: 'empty', description: 'deleted' } },
    errors: [400, 401, 403, 404],
  }),

  // ---- webhooks (SPEC §11) ----
  ...WEBHOOK_ROUTES,
  // ---- the user's workspace and the admin queue (workspace-routes.ts) ----
  ...WORKSPACE_ROUTES,
  // ---- content and data: export, erasure, review queue, storage (content-routes.ts) ----
  ...CONTENT_ROUTES,
  // ---- the LoRA library (lora-routes.ts) ----
  ...LORA_ROUTES,
} as const;

export type Routes = typeof ROUTES;
export type RouteName = keyof Routes;
