import { z } from 'zod';
import { defineRoute } from './route-def.ts';

/** Task events a webhook can subscribe to: every task status. */
export const zWebhookEvent = z.enum(['queued', 'running', 'completed', 'failed', 'cancelled']);
export type WebhookEvent = z.infer<typeof zWebhookEvent>;
/** Without `webhook_events`, only the final states are sent. */
export const DEFAULT_WEBHOOK_EVENTS: readonly WebhookEvent[] = ['completed', 'failed', 'cancelled'];

/** Stage 1 only checks types (400); whether the target may be called is a rule of the server (422). */
export const zWebhookUrl = z.string().max(2048);
export const zWebhookEvents = z.array(zWebhookEvent).min(1).max(5);
/** Generation fields that are lists: in multipart/form-data, repeated parts or one comma-separated part. */
export const GENERATE_LIST_FIELDS = ['webhook_events'] as const;

/** Standard Webhooks request headers (https://www.standardwebhooks.com). */
export const WEBHOOK_HEADERS = {
  id: 'webhook-id',
  timestamp: 'webhook-timestamp',
  signature: 'webhook-signature',
} as const;
/** Signing secrets are `whsec_` + base64 of random bytes (Standard Webhooks). */
export const WEBHOOK_SECRET_PREFIX = 'whsec_';

export const zWebhookSecretCreated = z.object({
  /** shown once: store it where your receiver can read it */
  secret: z.string(),
  created_at: z.string(),
  /** the replaced secret still signs deliveries (a second signature) until this time, so receivers can roll over */
  previous_secret_valid_until: z.string().nullable(),
});
export type WebhookSecretCreated = z.infer<typeof zWebhookSecretCreated>;

/** The caller's webhook defaults: used by a POST /api/generate that names no webhook_url. */
export const zWebhookSettings = z.object({
  url: z.string().nullable(),
  events: z.array(zWebhookEvent),
  /** null until POST /api/account/webhook-secret has been called */
  secret_created_at: z.string().nullable(),
});
export type WebhookSettings = z.infer<typeof zWebhookSettings>;

export const zWebhookSettingsUpdate = z
  .object({ url: zWebhookUrl.nullable(), events: zWebhookEvents.optional() })
  .strict();
export type WebhookSettingsUpdate = z.infer<typeof zWebhookSettingsUpdate>;

export const zWebhookMessageStatus = z.enum(['pending', 'sending', 'delivered', 'failed']);

/** One try to deliver a message. */
export const zWebhookAttemptView = z.object({
  attempt: z.number().int(),
  at: z.string(),
  duration_ms: z.number().int(),
  /** the receiver's HTTP status; null when no answer came (timeout, refused, network) */
  response_status: z.number().int().nullable(),
  error: z.string().nullable(),
  outcome: z.enum(['delivered', 'retry', 'failed']),
});

/** One webhook message (one event of one task) and its tries. */
export const zWebhookMessageView = z.object({
  /** the `webhook-id` header: the same on every retry of the message */
  id: z.string(),
  task_id: z.string(),
  event: zWebhookEvent,
  url: z.string(),
  status: zWebhookMessageStatus,
  attempts: z.number().int(),
  created_at: z.string(),
  next_attempt_at: z.string().nullable(),
  last_error: z.string().nullable(),
  tries: z.array(zWebhookAttemptView),
});
export type WebhookMessageView = z.infer<typeof zWebhookMessageView>;

export const zWebhookLog = z.object({ items: z.array(zWebhookMessageView) });
export type WebhookLog = z.infer<typeof zWebhookLog>;

export const zAdminWebhookQuery = z.object({
  task_id: z.string().min(1).max(100).optional(),
  status: zWebhookMessageStatus.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

const USER_ERRORS = [401, 403, 429] as const;

/** The routes of webhooks (spread into ROUTES). */
export const WEBHOOK_ROUTES = {
  webhookSecret: defineRoute({
    method: 'POST',
    path: '/api/account/webhook-secret',
    summary: 'Create or rotate the webhook signing secret (Standard Webhooks); the secret is shown once',
    tags: ['webhooks'],
    access: 'user',
    responses: { 201: zWebhookSecretCreated },
    errors: [...USER_ERRORS],
  }),
  webhookSettingsGet: defineRoute({
    method: 'GET',
    path: '/api/account/webhook',
    summary: 'Your default webhook (used when a generation names no webhook_url)',
    tags: ['webhooks'],
    access: 'user',
    responses: { 200: zWebhookSettings },
    errors: [...USER_ERRORS],
  }),
  webhookSettingsPut: defineRoute({
    method: 'PUT',
    path: '/api/account/webhook',
    summary: 'Set (or clear, with url null) your default webhook; a target that may not be called is a 422',
    tags: ['webhooks'],
    access: 'user',
    body: zWebhookSettingsUpdate,
    responses: { 200: zWebhookSettings },
    errors: [400, ...USER_ERRORS, 422],
  }),
  taskWebhooks: defineRoute({
    method: 'GET',
    path: '/api/tasks/:id/webhooks',
    summary: "The webhook deliveries of one of your tasks, with every try's answer",
    tags: ['webhooks'],
    access: 'user',
    params: z.object({ id: z.string().min(1).max(100) }),
    responses: { 200: zWebhookLog },
    errors: [400, ...USER_ERRORS, 404],
  }),
  adminWebhooks: defineRoute({
    method: 'GET',
    path: '/api/admin/webhooks',
    summary: 'Webhook deliveries of every user, newest first (filter by task or status)',
    tags: ['admin'],
    access: 'admin',
    query: zAdminWebhookQuery,
    responses: { 200: zWebhookLog },
    errors: [400, 401, 403],
  }),
} as const;
