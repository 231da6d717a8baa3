import crypto from 'node:crypto';
import { EventEmitter } from 'node:events';
import WebSocket from 'ws';
import { z } from 'zod';

/** JSON frames from /ws, validated loosely: the peer is untrusted and unknown types are ignored. */
const zWsMessage = z.object({ type: z.string(), data: z.record(z.string(), z.unknown()).default({}) });
export type WsMessage = z.infer<typeof zWsMessage>;

export interface PreviewFrame {
  image: Buffer;
  mime: 'image/jpeg' | 'image/png';
  promptId?: string;
}

const zPromptAccepted = z.object({ prompt_id: z.string(), number: z.number().optional(), node_errors: z.record(z.string(), z.unknown()).optional() });
const zFileRef = z.object({ filename: z.string(), subfolder: z.string().default(''), type: z.string().default('output') });
export const zHistoryEntry = z.object({
  outputs: z.record(z.string(), z.record(z.string(), z.unknown())).default({}),
  status: z.object({ status_str: z.string(), completed: z.boolean(), messages: z.array(z.unknown()).default([]) }).partial().default({}),
});
export type HistoryEntry = z.infer<typeof zHistoryEntry>;
export type FileRef = z.infer<typeof zFileRef>;

export class ComfyHttpError extends Error {
  constructor(readonly status: number, message: string, readonly body?: unknown) {
    super(message);
  }
}

export interface ClientOptions {
  baseUrl: string;
  authToken?: string;
  timeoutMs?: number;
  log?: { warn(o: object, m: string): void; debug(o: object, m: string): void };
}

/**
 * One backend: HTTP through fetch, one WebSocket with reconnect and backoff.
 * Each connection uses a fresh clientId (ComfyUI can orphan a socket reconnecting under the same id).
 */
export class ComfyUiClient extends EventEmitter {
  clientId = crypto.randomUUID().replace(/-/g, '');
  private ws: WebSocket | undefined;
  private closed = false;
  private attempt = 0;
  private reconnectTimer: NodeJS.Timeout | undefined;
  connected = false;

  constructor(readonly o: ClientOptions) {
    super();
    this.setMaxListeners(0);
  }

  private url(p: string): string {
    return `${this.o.baseUrl.replace(/\/$/, '')}${p}`;
  }

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    return { ...(this.o.authToken ? { authorization: `Bearer ${this.o.authToken}` } : {}), ...extra };
  }

  async request(method: string, p: string, body?: unknown, timeoutMs = this.o.timeoutMs ?? 15_000): Promise<Response> {
    const init: RequestInit = { method, headers: this.headers(body !== undefined && !(body instanceof FormData) ? { 'content-type': 'application/json' } : {}), signal: AbortSignal.timeout(timeoutMs) };
    if (body !== undefined) init.body = body instanceof FormData ? body : JSON.stringify(body);
    const res = await fetch(this.url(p), init);
    if (!res.ok) {
      const text = await res.text().catch(() => '');
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // not JSON
      }
      throw new ComfyHttpError(res.status, `${method} ${p} → ${res.status}`, parsed);
    }
    return res;
  }

  async json(method: string, p: string, body?: unknown, timeoutMs?: number): Promise<unknown> {
    const res = await this.request(method, p, body, timeoutMs);
    const text = await res.text();
    return text ? JSON.parse(text) : {};
  }

  connect(): void {
    if (this.closed || this.ws) return;
    const u = new URL(this.url('/ws'));
    u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
    u.searchParams.set('clientId', this.clientId);
    if (this.o.authToken) u.searchParams.set('token', this.o.authToken);
    const ws = new WebSocket(u, { headers: this.headers(), handshakeTimeout: 10_000 });
    this.ws = ws;
    ws.on('open', () => {
      this.attempt = 0;
      this.connected = true;
      ws.send(JSON.stringify({ type: 'feature_flags', data: { supports_preview_metadata: true } }));
      this.emit('open');
    });
    ws.on('message', (data: WebSocket.RawData, isBinary: boolean) => {
      const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
      if (isBinary) this.onBinary(buf);
      else this.onText(buf.toString('utf8'));
    });
    ws.on('error', (err) => this.o.log?.debug({ err: String(err), baseUrl: this.o.baseUrl }, 'comfyui socket error'));
    ws.on('close', () => {
      this.ws = undefined;
      const was = this.connected;
      this.connected = false;
      if (was) this.emit('close');
      if (this.closed) return;
      // fresh id for the next connection; backoff 0.5 s … 15 s
      this.clientId = crypto.randomUUID().replace(/-/g, '');
      const delay = Math.min(15_000, 500 * 2 ** this.attempt++);
      this.reconnectTimer = setTimeout(() => this.connect(), delay);
      this.reconnectTimer.unref();
    });
  }

  /** Resolves once the socket is open (or after `timeoutMs`, whichever first). */
  async ready(timeoutMs = 5000): Promise<boolean> {
    this.connect();
    if (this.connected) return true;
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.off('open', onOpen);
        resolve(false);
      }, timeoutMs);
      const onOpen = (): void => {
        clearTimeout(t);
        resolve(true);
      };
      this.once('open', onOpen);
    });
  }

  private onText(text: string): void {
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      return;
    }
    const parsed = zWsMessage.safeParse(raw);
    if (parsed.success) this.emit('message', parsed.data);
  }

  private onBinary(buf: Buffer): void {
    if (buf.length < 8) return;
    const type = buf.readUInt32BE(0);
    if (type === 1) {
      const format = buf.readUInt32BE(4);
      this.emit('preview', { image: buf.subarray(8), mime: format === 2 ? 'image/png' : 'image/jpeg' } satisfies PreviewFrame);
    } else if (type === 4) {
      const len = buf.readUInt32BE(4);
      if (8 + len > buf.length) return;
      let meta: { prompt_id?: unknown; image_type?: unknown } = {};
      try {
        meta = JSON.parse(buf.subarray(8, 8 + len).toString('utf8')) as typeof meta;
      } catch {
        return;
      }
      const frame: PreviewFrame = { image: buf.subarray(8 + len), mime: meta.image_type === 'image/png' ? 'image/png' : 'image/jpeg' };
      if (typeof meta.prompt_id === 'string') frame.promptId = meta.prompt_id;
      this.emit('preview', frame);
    }
  }

  async submitPrompt(graph: unknown, promptId: string): Promise<string> {
    const body = await this.json('POST', '/prompt', { prompt: graph, client_id: this.clientId, prompt_id: promptId });
    return zPromptAccepted.parse(body).prompt_id;
  }

  /** `undefined` while the prompt is unknown or unfinished (ComfyUI answers `{}`). */
  async history(promptId: string): Promise<HistoryEntry | undefined> {
    const body = (await this.json('GET', `/history/${encodeURIComponent(promptId)}`)) as Record<string, unknown>;
    const entry = body[promptId];
    return entry ? zHistoryEntry.parse(entry) : undefined;
  }

  async queue(): Promise<{ running: string[]; pending: string[] }> {
    const body = z.object({ queue_running: z.array(z.array(z.unknown())), queue_pending: z.array(z.array(z.unknown())) }).parse(await this.json('GET', '/queue'));
    const ids = (items: unknown[][]): string[] => items.map((i) => String(i[1]));
    return { running: ids(body.queue_running), pending: ids(body.queue_pending) };
  }

  async view(ref: FileRef, cacheBust: string): Promise<Buffer> {
    const q = new URLSearchParams({ filename: ref.filename, subfolder: ref.subfolder, type: ref.type, t: cacheBust });
    const res = await this.request('GET', `/view?${q.toString()}`, undefined, 120_000);
    return Buffer.from(await res.arrayBuffer());
  }

  async uploadImage(data: Buffer, name: string): Promise<string> {
    const form = new FormData();
    form.append('image', new Blob([new Uint8Array(data)], { type: 'image/png' }), name);
    form.append('overwrite', 'true');
    const body = z.object({ name: z.string(), subfolder: z.string().default('') }).parse(await this.json('POST', '/upload/image', form, 60_000));
    return body.subfolder ? `${body.subfolder}/${body.name}` : body.name;
  }

  async deleteFromQueue(promptId: string): Promise<void> {
    await this.request('POST', '/queue', { delete: [promptId] });
  }

  async interrupt(promptId: string): Promise<void> {
    await this.request('POST', '/interrupt', { prompt_id: promptId });
  }

  async systemStats(): Promise<{ vramTotal?: number; vramFree?: number }> {
    const body = z.object({ devices: z.array(z.object({ vram_total: z.number().optional(), vram_free: z.number().optional() }).passthrough()).default([]) }).passthrough()
      .parse(await this.json('GET', '/system_stats', undefined, 5000));
    const d = body.devices[0];
    return { ...(d?.vram_total !== undefined ? { vramTotal: d.vram_total } : {}), ...(d?.vram_free !== undefined ? { vramFree: d.vram_free } : {}) };
  }

  async objectInfo(): Promise<Record<string, { input?: { required?: Record<string, unknown[]>; optional?: Record<string, unknown[]> } }>> {
    return (await this.json('GET', '/object_info', undefined, 30_000)) as Record<string, { input?: { required?: Record<string, unknown[]> } }>;
  }

  close(): void {
    this.closed = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.ws?.terminate();
    this.ws = undefined;
  }
}
