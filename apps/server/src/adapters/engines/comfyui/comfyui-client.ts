// A small hand-written ComfyUI client (reference/comfyui.md §2–3, §7): HTTP through global fetch and
// one /ws socket per backend, reconnecting with exponential backoff. No SDK: the protocol is small and
// the peer untrusted, so every answer the adapter reads is validated with zod.
import crypto from 'node:crypto';
import { EventEmitter } from 'node:events';
import WebSocket from 'ws';
import { type z } from 'zod';
import {
  parseBinaryFrame,
  parseTextFrame,
  zHistoryEntry,
  zPromptAccepted,
  zQueue,
  zSystemStats,
  zUploaded,
  type ComfyMessage,
  type HistoryEntry,
  type PreviewFrame,
} from './comfyui-messages.ts';

export interface EngineLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}

export interface ComfyUiClientOptions {
  baseUrl: string;
  authToken?: string;
  /** for log lines */
  name?: string;
  logger?: EngineLogger;
  requestTimeoutMs?: number;
  /** reconnect backoff: first delay, doubled per failed attempt up to the max */
  reconnectMinMs?: number;
  reconnectMaxMs?: number;
  /** ping interval; a socket that does not answer in time is dropped (ComfyUI sends no heartbeat, §7.3) */
  heartbeatMs?: number;
}

/** The backend answered with an HTTP error status. */
export class ComfyHttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly body?: unknown,
  ) {
    super(message);
    this.name = 'ComfyHttpError';
  }
}

/** The backend could not be reached (refused, reset, DNS, timeout) or answered something unreadable. */
export class ComfyUnreachableError extends Error {
  constructor(message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'ComfyUnreachableError';
  }
}

export interface SubmittedPrompt {
  promptId: string;
  number?: number;
  /** ComfyUI answers 200 with errors when only some output nodes failed validation (§2.1) */
  nodeErrors: Record<string, unknown>;
}

type Listener<T> = (value: T) => void;

const errorText = (err: unknown): string => {
  if (err instanceof Error) {
    const cause = (err as { cause?: { code?: unknown; message?: unknown } }).cause;
    const detail = cause && typeof cause === 'object' ? String(cause.code ?? cause.message ?? '') : '';
    return detail ? `${err.message} (${detail})` : err.message;
  }
  return String(err);
};

const newClientId = (): string => crypto.randomUUID().replace(/-/g, '');

/**
 * Emits 'message' (a validated ComfyMessage), 'preview' (PreviewFrame) and 'connection' (boolean);
 * the typed on*() methods below are the way to listen (an EventEmitter so tools such as the bench can observe it).
 */
export class ComfyUiClient extends EventEmitter {
  /** the id this socket registered with; prompts must carry it as client_id to get their events (§7.1) */
  clientId = newClientId();
  private ws: WebSocket | undefined;
  private open = false;
  private everOpen = false;
  private closed = false;
  private attempt = 0;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private heartbeat: NodeJS.Timeout | undefined;

  constructor(readonly o: ComfyUiClientOptions) {
    super();
    this.setMaxListeners(0); // one listener set per running prompt
  }

  get connected(): boolean {
    return this.open;
  }

  /** whether a socket ever opened: a backend whose /ws is blocked should not delay every job */
  get everConnected(): boolean {
    return this.everOpen;
  }

  private listen<T>(event: string, fn: Listener<T>): () => void {
    this.on(event, fn);
    return () => void this.off(event, fn);
  }

  onMessage(fn: Listener<ComfyMessage>): () => void {
    return this.listen('message', fn);
  }

  onPreview(fn: Listener<PreviewFrame>): () => void {
    return this.listen('preview', fn);
  }

  /** called with true on every (re)connect and false on every loss */
  onConnection(fn: Listener<boolean>): () => void {
    return this.listen('connection', fn);
  }

  private url(p: string): string {
    return `${this.o.baseUrl.replace(/\/+$/, '')}${p}`;
  }

  private authHeaders(): Record<string, string> {
    return this.o.authToken ? { authorization: `Bearer ${this.o.authToken}` } : {};
  }

  /** Opens the socket if it is not open or opening; later losses reconnect by themselves until close(). */
  connect(): void {
    if (this.closed || this.ws) return;
    const u = new URL(this.url('/ws'));
    u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
    u.searchParams.set('clientId', this.clientId);
    // browsers cannot send headers on a WebSocket, so proxies/ComfyUI-Login also accept ?token= (§7.11)
    if (this.o.authToken) u.searchParams.set('token', this.o.authToken);
    const ws = new WebSocket(u, { headers: this.authHeaders(), handshakeTimeout: 10_000 });
    this.ws = ws;
    let alive = true;
    ws.on('open', () => {
      this.attempt = 0;
      this.open = true;
      this.everOpen = true;
      ws.send(JSON.stringify({ type: 'feature_flags', data: { supports_preview_metadata: true } }));
      this.heartbeat = setInterval(() => {
        if (ws.readyState !== WebSocket.OPEN) return;
        if (!alive) return void ws.terminate();
        alive = false;
        ws.ping();
      }, this.o.heartbeatMs ?? 15_000);
      this.heartbeat.unref();
      this.emit('connection', true);
    });
    ws.on('pong', () => {
      alive = true;
    });
    ws.on('message', (data: WebSocket.RawData, isBinary: boolean) => {
      alive = true;
      const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
      if (isBinary) {
        const frame = parseBinaryFrame(buf);
        if (frame) this.emit('preview', frame);
        return;
      }
      const parsed = parseTextFrame(buf.toString('utf8'));
      if (parsed.kind === 'message') this.emit('message', parsed.message);
      else if (parsed.kind === 'malformed')
        this.o.logger?.debug(
          { backend: this.o.name, type: parsed.type, reason: parsed.reason },
          'malformed ComfyUI message ignored',
        );
    });
    ws.on('error', (err) =>
      this.o.logger?.debug({ backend: this.o.name, err: errorText(err) }, 'ComfyUI socket error'),
    );
    ws.on('close', () => {
      clearInterval(this.heartbeat);
      this.ws = undefined;
      const was = this.open;
      this.open = false;
      if (was) this.emit('connection', false);
      if (this.closed) return;
      // a fresh id: reconnecting under the old one can orphan the new socket (ComfyUI#16010, §7.2);
      // events of a prompt submitted under the old id are then recovered through /history
      this.clientId = newClientId();
      const delay = Math.min(this.o.reconnectMaxMs ?? 15_000, (this.o.reconnectMinMs ?? 500) * 2 ** this.attempt++);
      this.reconnectTimer = setTimeout(() => this.connect(), delay);
      this.reconnectTimer.unref();
    });
  }

  /** Resolves true once the socket is open, false after `timeoutMs`. */
  async waitConnected(timeoutMs: number): Promise<boolean> {
    this.connect();
    if (this.open) return true;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        off();
        resolve(false);
      }, timeoutMs);
      const off = this.onConnection((up) => {
        if (!up) return;
        clearTimeout(timer);
        off();
        resolve(true);
      });
    });
  }

  private async request(
    method: string,
    p: string,
    body?: { json?: unknown; form?: FormData },
    timeoutMs?: number,
  ): Promise<Response> {
    const headers: Record<string, string> = this.authHeaders();
    if (body?.json !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(this.url(p), {
        method,
        headers,
        signal: AbortSignal.timeout(timeoutMs ?? this.o.requestTimeoutMs ?? 15_000),
        ...(body?.json !== undefined ? { body: JSON.stringify(body.json) } : body?.form ? { body: body.form } : {}),
      });
    } catch (err) {
      throw new ComfyUnreachableError(`${method} ${p} failed: ${errorText(err)}`, err);
    }
    if (!res.ok) {
      const text = await res.text().catch(() => '');
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // keep the text
      }
      throw new ComfyHttpError(res.status, `${method} ${p} answered ${res.status}`, parsed);
    }
    return res;
  }

  private async json(
    method: string,
    p: string,
    body?: { json?: unknown; form?: FormData },
    timeoutMs?: number,
  ): Promise<unknown> {
    const res = await this.request(method, p, body, timeoutMs);
    let text: string;
    try {
      text = await res.text();
    } catch (err) {
      throw new ComfyUnreachableError(`${method} ${p}: the answer broke off (${errorText(err)})`, err);
    }
    if (!text) return {};
    try {
      return JSON.parse(text);
    } catch {
      throw new ComfyUnreachableError(`${method} ${p} answered something that is not JSON`);
    }
  }

  private parse<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
    const r = schema.safeParse(value);
    if (!r.success)
      throw new ComfyUnreachableError(
        `${what}: unexpected answer (${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')})`,
      );
    return r.data;
  }

  /** POST /prompt with our client_id (so events come to this socket) and a client-side uuid prompt_id. */
  async submitPrompt(
    graph: unknown,
    promptId: string = crypto.randomUUID(),
    extraData?: Record<string, unknown>,
  ): Promise<SubmittedPrompt> {
    const body = await this.json('POST', '/prompt', {
      json: {
        prompt: graph,
        client_id: this.clientId,
        prompt_id: promptId,
        ...(extraData ? { extra_data: extraData } : {}),
      },
    });
    const ok = this.parse(zPromptAccepted, body, 'POST /prompt');
    return {
      promptId: ok.prompt_id,
      ...(ok.number !== undefined ? { number: ok.number } : {}),
      nodeErrors: ok.node_errors,
    };
  }

  /** `undefined` while the prompt is unknown, pending or running (ComfyUI answers `{}`, §2.4). */
  async getHistory(promptId: string): Promise<HistoryEntry | undefined> {
    const body = await this.json('GET', `/history/${encodeURIComponent(promptId)}`);
    const entry = body !== null && typeof body === 'object' ? (body as Record<string, unknown>)[promptId] : undefined;
    return entry === undefined ? undefined : this.parse(zHistoryEntry, entry, `GET /history/${promptId}`);
  }

  /** Prompt ids running and pending, pending in execution order (the server's list is an unsorted heap, §2.2). */
  async getQueue(): Promise<{ running: string[]; pending: string[] }> {
    const q = this.parse(zQueue, await this.json('GET', '/queue'), 'GET /queue');
    const ids = (items: unknown[][]): string[] =>
      items
        .filter((i) => typeof i[1] === 'string')
        .sort((a, b) => Number(a[0]) - Number(b[0]))
        .map((i) => i[1] as string);
    return { running: ids(q.queue_running), pending: ids(q.queue_pending) };
  }

  /** Downloads an output file; a nonce defeats stale caches (file names are reused, §7.5). */
  async view(filename: string, subfolder: string, type: string): Promise<Buffer> {
    const q = new URLSearchParams({ filename, subfolder, type, nocache: crypto.randomBytes(6).toString('hex') });
    const res = await this.request('GET', `/view?${q.toString()}`, undefined, 120_000);
    try {
      return Buffer.from(await res.arrayBuffer());
    } catch (err) {
      throw new ComfyUnreachableError(`GET /view ${filename}: the download broke off (${errorText(err)})`, err);
    }
  }

  /** Multipart upload to the input folder; returns the name to give LoadImage (with its subfolder). */
  async uploadImage(data: Buffer, name: string, mime = 'image/png'): Promise<string> {
    const form = new FormData();
    form.append('image', new Blob([new Uint8Array(data)], { type: mime }), name);
    form.append('overwrite', 'true');
    form.append('type', 'input');
    const up = this.parse(zUploaded, await this.json('POST', '/upload/image', { form }, 60_000), 'POST /upload/image');
    return up.subfolder ? `${up.subfolder}/${up.name}` : up.name;
  }

  /** Removes pending prompts; the running one is unaffected (§2.2). */
  async deleteFromQueue(promptId: string): Promise<void> {
    await this.request('POST', '/queue', { json: { delete: [promptId] } });
  }

  /** Interrupts only if this prompt is the running one (always name it: interrupt races, §7.9). */
  async interrupt(promptId: string): Promise<void> {
    await this.request('POST', '/interrupt', { json: { prompt_id: promptId } });
  }

  async systemStats(
    timeoutMs = 5000,
  ): Promise<{ vramTotal?: number; vramFree?: number; device?: string; version?: string; argv?: string[] }> {
    const s = this.parse(
      zSystemStats,
      await this.json('GET', '/system_stats', undefined, timeoutMs),
      'GET /system_stats',
    );
    const d = s.devices[0];
    const version = s.system?.comfyui_version;
    const argv = s.system?.argv;
    return {
      ...(Array.isArray(argv) ? { argv: argv.map(String) } : {}),
      ...(d?.vram_total !== undefined ? { vramTotal: d.vram_total } : {}),
      ...(d?.vram_free !== undefined ? { vramFree: d.vram_free } : {}),
      ...(d?.name ? { device: d.name } : {}),
      ...(typeof version === 'string' ? { version } : {}),
    };
  }

  /** The node catalogue, unvalidated: graph-validation.parseNodeCatalog keeps the well-formed entries. */
  async objectInfo(timeoutMs = 30_000): Promise<unknown> {
    return this.json('GET', '/object_info', undefined, timeoutMs);
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    clearInterval(this.heartbeat);
    this.ws?.terminate();
    this.ws = undefined;
    this.open = false;
    this.removeAllListeners();
  }
}
