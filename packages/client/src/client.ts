import {
  IMAGE_FIELDS,
  ROUTES,
  zTaskEvent,
  type AcceptedResponse,
  type GalleryItem,
  type GalleryPage,
  type GenerateRequest,
  type GenerationResult,
  type GenerationType,
  type ImageField,
  type ModelId,
  type ModelsInfo,
  type TaskEvent,
  type TaskStatusResponse,
  type WebhookLog,
  type WebhookSecretCreated,
  type WebhookSettings,
  type WebhookSettingsUpdate,
} from '@mediagen/contract';
import { toBase64 } from './base64.ts';
import {
  AuthError,
  MediaGenError,
  NotFoundError,
  TaskCancelledError,
  TaskFailedError,
  WaitTimeoutError,
} from './errors.ts';
import { RouteCaller, sleep } from './route-caller.ts';
import { readSse } from './sse.ts';

/** An image for a reference field: base64, a `data:` URL, `asset:<id>`, or the bytes themselves. */
export type ImageInput = string | Blob | ArrayBuffer | Uint8Array;
export type GenerateInput = Omit<GenerateRequest, ImageField> & Partial<Record<ImageField, ImageInput>>;

export interface ClientOptions {
  /** default: MEDIAGEN_URL in Node, else the page's origin (browsers) */
  baseUrl?: string;
  /** sent as X-API-Key; default MEDIAGEN_API_KEY in Node. In a browser signed in with a session cookie, omit it. */
  apiKey?: string;
  /** extra tries after 429/503 (Retry-After honoured) and, for calls that are safe to repeat, after no answer (default 3) */
  maxRetries?: number;
  /** cap of one wait between tries (default 60 s) */
  maxRetryDelayMs?: number;
  /** `ru` for Russian messages and user_action */
  language?: string;
  fetch?: typeof fetch;
}

export interface GenerateOptions {
  /** default: a new random key, so the client's own retries can never start a second job */
  idempotencyKey?: string;
  signal?: AbortSignal;
}

export interface WaitOptions {
  signal?: AbortSignal;
  /** give up (WaitTimeoutError) after this long; the task keeps running */
  timeoutMs?: number;
  /** every event while waiting (progress, previews) */
  onEvent?: (e: TaskEvent) => void;
  /** polling interval when the event stream is unavailable (default 1000 ms) */
  pollIntervalMs?: number;
}

export interface Download {
  bytes: Uint8Array;
  contentType: string;
  /** from Content-Disposition, e.g. `flux-1234.png` */
  filename: string;
}

export interface GalleryFilter {
  type?: GenerationType;
  model?: ModelId;
  limit?: number;
  cursor?: string;
}

type Env = Record<string, string | undefined>;
const env = (): Env => (globalThis as { process?: { env?: Env } }).process?.env ?? {};
const defaultBaseUrl = (): string =>
  env().MEDIAGEN_URL ??
  ((globalThis as { location?: { origin?: string } }).location?.origin || 'http://127.0.0.1:8080');

/** RFC 4122 v4; getRandomValues where randomUUID is missing (browsers on plain-http hosts). */
function newIdempotencyKey(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = ((b[6] ?? 0) & 0x0f) | 0x40;
  b[8] = ((b[8] ?? 0) & 0x3f) | 0x80;
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** One signal that aborts when any of them does (AbortSignal.any where available). */
function anySignal(signals: AbortSignal[]): AbortSignal | undefined {
  if (signals.length <= 1) return signals[0];
  if (typeof AbortSignal.any === 'function') return AbortSignal.any(signals);
  const ctrl = new AbortController();
  for (const s of signals) {
    if (s.aborted) ctrl.abort(s.reason);
    else s.addEventListener('abort', () => ctrl.abort(s.reason), { once: true });
  }
  return ctrl.signal;
}

function filenameOf(disposition: string | null, fallback: string): string {
  if (!disposition) return fallback;
  const star = /filename\*=UTF-8''([^;]+)/i.exec(disposition)?.[1];
  if (star) return decodeURIComponent(star);
  return /filename="?([^";]+)"?/i.exec(disposition)?.[1] ?? fallback;
}

/**
 * The MediaGen API, typed by the contract's route table (`ROUTES`): the same declarations the server
 * registers its handlers from, so requests and answers cannot drift. Works in Node ≥ 20 and browsers
 * (fetch and streams only).
 */
export class MediaGenClient {
  readonly http: RouteCaller;

  constructor(opts: ClientOptions = {}) {
    const apiKey = opts.apiKey ?? env().MEDIAGEN_API_KEY;
    this.http = new RouteCaller({
      baseUrl: opts.baseUrl ?? defaultBaseUrl(),
      apiKey,
      fetch: opts.fetch ?? ((input, init) => fetch(input, init)),
      maxRetries: opts.maxRetries ?? 3,
      maxRetryDelayMs: opts.maxRetryDelayMs ?? 60_000,
      headers: opts.language ? { 'accept-language': opts.language } : {},
    });
  }

  /** Queue a job (POST /api/generate). Binary images are sent as base64. */
  async generate(input: GenerateInput, opts: GenerateOptions = {}): Promise<AcceptedResponse> {
    const body: Record<string, unknown> = { ...input };
    for (const field of IMAGE_FIELDS) {
      const v = input[field];
      if (v !== undefined && typeof v !== 'string') body[field] = await toBase64(v);
    }
    const answer = await this.http.call(ROUTES.generate, {
      body: body as GenerateRequest,
      headers: { 'idempotency-key': opts.idempotencyKey ?? newIdempotencyKey() },
      idempotent: true,
      signal: opts.signal,
    });
    if ('status_url' in answer) return answer;
    // a replay of a finished job answers 200 with its end state
    const id = answer.task_id;
    const status = await this.status(id);
    return {
      status: 'queued',
      job_id: id,
      task_id: id,
      queue_position: 0,
      estimated_seconds: 0,
      status_url: `/api/status/${id}`,
      events_url: `/api/events/${id}`,
      seed: status.result?.seed ?? input.seed,
    };
  }

  /** generate() then wait(): the result of a completed job (TaskFailedError / TaskCancelledError otherwise). */
  async run(input: GenerateInput, opts: GenerateOptions & WaitOptions = {}): Promise<GenerationResult> {
    const job = await this.generate(input, opts);
    return this.wait(job.task_id, opts);
  }

  status(taskId: string, signal?: AbortSignal): Promise<TaskStatusResponse> {
    return this.http.call(ROUTES.status, { params: { id: taskId }, signal });
  }

  /** Cancel a queued or running task (idempotent). */
  cancel(taskId: string): Promise<TaskStatusResponse> {
    return this.http.call(ROUTES.cancel, { params: { id: taskId }, idempotent: true });
  }

  /**
   * The task's events (Server-Sent Events over fetch) as an async iterator: its current state first, then
   * progress, previews, and one final event (`completed`, `failed` or `cancelled`), after which it ends.
   * A dropped stream is reopened (the server starts each stream with the current state).
   */
  async *events(taskId: string, opts: { signal?: AbortSignal } = {}): AsyncGenerator<TaskEvent> {
    for (let reconnects = 0; ; reconnects++) {
      let res: Response;
      try {
        res = await this.http.send(ROUTES.events, {
          params: { id: taskId },
          headers: { accept: 'text/event-stream' },
          signal: opts.signal,
        });
      } catch (err) {
        if (err instanceof MediaGenError && err.code === 'network_error' && reconnects < 3) continue;
        throw err;
      }
      if (!res.body || !(res.headers.get('content-type') ?? '').includes('text/event-stream')) {
        throw new MediaGenError({ code: 'no_event_stream', status: res.status, message: 'No event stream' });
      }
      try {
        for await (const msg of readSse(res.body, opts.signal)) {
          let data: unknown;
          try {
            data = JSON.parse(msg.data);
          } catch {
            continue;
          }
          const parsed = zTaskEvent.safeParse({ event: msg.event, data });
          if (!parsed.success) continue; // an event kind this client does not know yet
          yield parsed.data;
          if (['completed', 'failed', 'cancelled'].includes(parsed.data.event)) return;
        }
      } catch (err) {
        if (opts.signal?.aborted) throw err;
      }
      if (reconnects >= 3) {
        throw new MediaGenError({ code: 'network_error', status: 0, message: 'The event stream kept ending' });
      }
      await sleep(500 * (reconnects + 1), opts.signal);
    }
  }

  /**
   * Wait until the task ends: its result when completed; TaskFailedError or TaskCancelledError otherwise.
   * Follows the event stream, and polls GET /api/status when streams are unavailable (proxies that buffer).
   */
  async wait(taskId: string, opts: WaitOptions = {}): Promise<GenerationResult> {
    const timeout = opts.timeoutMs !== undefined ? AbortSignal.timeout(opts.timeoutMs) : undefined;
    const signal = anySignal([opts.signal, timeout].filter((s): s is AbortSignal => s !== undefined));
    try {
      try {
        for await (const e of this.events(taskId, signal ? { signal } : {})) {
          opts.onEvent?.(e);
          if (e.event === 'completed') return e.data.result;
          if (e.event === 'failed') {
            throw new TaskFailedError(taskId, {
              code: e.data.code,
              message: e.data.error,
              retriable: e.data.retriable,
            });
          }
          if (e.event === 'cancelled') throw new TaskCancelledError(taskId);
        }
      } catch (err) {
        if (err instanceof TaskFailedError || err instanceof TaskCancelledError) throw err;
        if (err instanceof AuthError || err instanceof NotFoundError || signal?.aborted) throw err;
        // no usable stream: poll below
      }
      for (;;) {
        const s = await this.status(taskId, signal);
        opts.onEvent?.({
          event: 'progress',
          data: { task_id: taskId, status: s.status, progress: s.progress, stage: s.stage },
        });
        if (s.status === 'completed' && s.result) return s.result;
        if (s.status === 'failed') {
          throw new TaskFailedError(
            taskId,
            { code: s.code ?? 'internal_error', message: s.error ?? 'failed', retriable: s.retriable ?? false },
            s,
          );
        }
        if (s.status === 'cancelled') throw new TaskCancelledError(taskId);
        await sleep(opts.pollIntervalMs ?? 1000, signal);
      }
    } catch (err) {
      if (timeout?.aborted && !opts.signal?.aborted) {
        throw new WaitTimeoutError({
          code: 'wait_timeout',
          status: 0,
          message: `Task ${taskId} did not end within ${opts.timeoutMs} ms (it keeps running)`,
        });
      }
      throw err;
    }
  }

  /** An output file of a completed task (`index` for batches). */
  async download(
    task: string | Pick<GenerationResult, 'task_id'>,
    opts: { index?: number; signal?: AbortSignal } = {},
  ): Promise<Download> {
    const id = typeof task === 'string' ? task : task.task_id;
    const res = await this.http.send(ROUTES.results, {
      params: { id },
      query: { index: opts.index ?? 0, download: '1' },
      headers: { accept: '*/*' },
      signal: opts.signal,
    });
    const contentType = res.headers.get('content-type') ?? 'application/octet-stream';
    return {
      bytes: new Uint8Array(await res.arrayBuffer()),
      contentType,
      filename: filenameOf(res.headers.get('content-disposition'), `${id}-${opts.index ?? 0}`),
    };
  }

  /** One page of your finished tasks, newest first. */
  gallery(filter: GalleryFilter = {}): Promise<GalleryPage> {
    return this.http.call(ROUTES.gallery, { query: filter });
  }

  /** Every finished task, page after page. */
  async *galleryItems(filter: Omit<GalleryFilter, 'cursor'> = {}): AsyncGenerator<GalleryItem> {
    let cursor: string | undefined;
    do {
      const page = await this.gallery({ ...filter, ...(cursor ? { cursor } : {}) });
      yield* page.items;
      cursor = page.next_cursor ?? undefined;
    } while (cursor);
  }

  deleteFromGallery(taskId: string): Promise<void> {
    return this.http.call(ROUTES.galleryDelete, { params: { id: taskId } });
  }

  models(): Promise<ModelsInfo> {
    return this.http.call(ROUTES.models);
  }

  /** Create or rotate the webhook signing secret; the answer is the only time it is shown. */
  rotateWebhookSecret(): Promise<WebhookSecretCreated> {
    return this.http.call(ROUTES.webhookSecret);
  }

  webhookSettings(): Promise<WebhookSettings> {
    return this.http.call(ROUTES.webhookSettingsGet);
  }

  setWebhookSettings(settings: WebhookSettingsUpdate): Promise<WebhookSettings> {
    return this.http.call(ROUTES.webhookSettingsPut, { body: settings });
  }

  /** The webhook messages of one of your tasks and every try's answer. */
  webhookDeliveries(taskId: string): Promise<WebhookLog> {
    return this.http.call(ROUTES.taskWebhooks, { params: { id: taskId } });
  }
}
