import {
  WEBHOOK_HEADERS,
  WEBHOOK_SECRET_PREFIX,
  zTaskStatusResponse,
  type TaskStatusResponse,
} from '@mediagen/contract';

/** Request headers as Node (`req.headers`), the Fetch API (`Headers`) or a plain object gives them. */
export type HeadersLike =
  { get(name: string): string | null } | Readonly<Record<string, string | readonly string[] | undefined>>;

export interface VerifyOptions {
  /** how far webhook-timestamp may be from now (default 300 s, as Standard Webhooks recommends) */
  toleranceSeconds?: number;
  /** the current time in ms (tests) */
  now?: () => number;
}

/** The request is not a genuine, fresh MediaGen webhook. Answer it with 400 (or 401) and ignore it. */
export class WebhookVerificationError extends Error {
  override readonly name = 'WebhookVerificationError';
}

/** A webhook's body: the task's status view (the same shape as GET /api/status/{task_id}). */
export type WebhookPayload = TaskStatusResponse;

function header(headers: HeadersLike, name: string): string | undefined {
  if (typeof (headers as { get?: unknown }).get === 'function') {
    return (headers as { get(n: string): string | null }).get(name) ?? undefined;
  }
  const record = headers as Readonly<Record<string, string | readonly string[] | undefined>>;
  const key = Object.keys(record).find((k) => k.toLowerCase() === name);
  const v = key === undefined ? undefined : record[key];
  return Array.isArray(v) ? (v as readonly string[])[0] : (v as string | undefined);
}

function base64ToBytes(b64: string): Uint8Array<ArrayBuffer> {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function bytesToBase64(bytes: Uint8Array): string {
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin);
}

function secretBytes(secret: string): Uint8Array<ArrayBuffer> {
  const raw = secret.startsWith(WEBHOOK_SECRET_PREFIX) ? secret.slice(WEBHOOK_SECRET_PREFIX.length) : secret;
  try {
    return base64ToBytes(raw);
  } catch {
    throw new WebhookVerificationError('The secret is not a whsec_ base64 secret');
  }
}

const utf8 = new TextEncoder();
const bodyText = (body: string | Uint8Array): string =>
  typeof body === 'string' ? body : new TextDecoder().decode(body);

/** `v1,<base64 HMAC-SHA256 of "id.timestamp.body">` with one secret (WebCrypto: Node ≥ 20 and browsers). */
export async function signWebhook(secret: string, id: string, timestamp: number, body: string): Promise<string> {
  const key = await crypto.subtle.importKey('raw', secretBytes(secret), { name: 'HMAC', hash: 'SHA-256' }, false, [
    'sign',
  ]);
  const mac = await crypto.subtle.sign('HMAC', key, utf8.encode(`${id}.${timestamp}.${body}`));
  return `v1,${bytesToBase64(new Uint8Array(mac))}`;
}

function constantTimeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/**
 * Checks a webhook request as Standard Webhooks defines it: the `webhook-signature` header holds a `v1`
 * signature by one of `secrets` over `webhook-id.webhook-timestamp.body`, and the timestamp is within the
 * tolerance (replays of old requests fail). Pass the body exactly as received (before any JSON parsing).
 * Throws WebhookVerificationError; returns the webhook's id and time.
 */
export async function verifyWebhookSignature(
  secrets: string | readonly string[],
  headers: HeadersLike,
  body: string | Uint8Array,
  opts: VerifyOptions = {},
): Promise<{ id: string; timestamp: number }> {
  const id = header(headers, WEBHOOK_HEADERS.id);
  const ts = header(headers, WEBHOOK_HEADERS.timestamp);
  const signatures = header(headers, WEBHOOK_HEADERS.signature);
  if (!id || !ts || !signatures) throw new WebhookVerificationError('Missing webhook-id, -timestamp or -signature');
  if (!/^\d+$/.test(ts)) throw new WebhookVerificationError('webhook-timestamp is not a number of seconds');
  const timestamp = Number(ts);
  const now = Math.floor((opts.now?.() ?? Date.now()) / 1000);
  const tolerance = opts.toleranceSeconds ?? 300;
  if (Math.abs(now - timestamp) > tolerance) {
    throw new WebhookVerificationError(`webhook-timestamp is more than ${tolerance} s away from now`);
  }
  const text = bodyText(body);
  const offered = signatures.split(' ').filter((s) => s.startsWith('v1,'));
  for (const secret of typeof secrets === 'string' ? [secrets] : secrets) {
    const expected = await signWebhook(secret, id, timestamp, text);
    if (offered.some((s) => constantTimeEqual(s, expected))) return { id, timestamp };
  }
  throw new WebhookVerificationError('No signature matches the secret');
}

/**
 * Verifies a MediaGen webhook (see verifyWebhookSignature) and returns its body: the task's status view.
 *
 * ```ts
 * const task = await verifyWebhook(process.env.MEDIAGEN_WEBHOOK_SECRET!, req.headers, rawBody);
 * if (task.status === 'completed') console.log(task.result?.url);
 * ```
 */
export async function verifyWebhook(
  secrets: string | readonly string[],
  headers: HeadersLike,
  body: string | Uint8Array,
  opts: VerifyOptions = {},
): Promise<WebhookPayload> {
  await verifyWebhookSignature(secrets, headers, body, opts);
  let data: unknown;
  try {
    data = JSON.parse(bodyText(body));
  } catch {
    throw new WebhookVerificationError('The body is not JSON');
  }
  const parsed = zTaskStatusResponse.safeParse(data);
  if (!parsed.success) throw new WebhookVerificationError('The body is not a task status');
  return parsed.data;
}
