import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { PromptExecutor, type QueueItem } from './prompt-executor.ts';
import { validateGraph } from './graph-validation.ts';
import { parseMultipart } from './multipart.ts';
import type { Catalog, ModelFiles } from './node-catalog.ts';

export interface GpuOptions {
  port: number;
  host: string;
  timeScale: number;
  dir: string;
  catalog: Catalog;
  models: ModelFiles;
  vramGb: number;
}

const MIME: Record<string, string> = { '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.webp': 'image/webp', '.mp4': 'video/mp4', '.webm': 'video/webm', '.gif': 'image/gif' };

function readBody(req: http.IncomingMessage, limit = 100 * 1048576): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        reject(Object.assign(new Error('too large'), { status: 413 }));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(res: http.ServerResponse, status: number, body?: unknown, type = 'application/json'): void {
  if (body === undefined) {
    res.writeHead(status).end();
    return;
  }
  const data = Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body));
  res.writeHead(status, { 'content-type': type, 'content-length': data.length }).end(data);
}

/** One simulated GPU: a ComfyUI-protocol server on its own port with its own queue and history. */
export class GpuServer {
  readonly server: http.Server;
  readonly wss: WebSocketServer;
  readonly executor: PromptExecutor;
  private readonly sockets = new Map<string, WebSocket>();
  private counter = 0;

  constructor(private readonly o: GpuOptions) {
    for (const sub of ['input', 'output', 'temp']) fs.mkdirSync(path.join(o.dir, sub), { recursive: true });
    this.executor = new PromptExecutor({
      dir: o.dir,
      timeScale: o.timeScale,
      emit: (clientId, msg) => this.emit(clientId, msg),
      emitBinary: (clientId, data) => this.emitBinary(clientId, data),
      onQueueChanged: () => this.broadcastStatus(),
    });
    this.server = http.createServer((req, res) => {
      this.route(req, res).catch((err: unknown) => {
        const status = (err as { status?: number }).status ?? 500;
        if (!res.headersSent) send(res, status, { error: { type: 'server_error', message: String(err) } });
      });
    });
    this.wss = new WebSocketServer({ noServer: true });
    this.server.on('upgrade', (req, socket, head) => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname !== '/ws' && url.pathname !== '/api/ws') return socket.destroy();
      this.wss.handleUpgrade(req, socket, head, (ws) => this.onSocket(ws, url.searchParams.get('clientId') ?? crypto.randomBytes(16).toString('hex')));
    });
  }

  listen(): Promise<void> {
    return new Promise((resolve) => this.server.listen(this.o.port, this.o.host, () => resolve()));
  }

  async close(): Promise<void> {
    this.executor.stop();
    for (const ws of this.wss.clients) ws.terminate();
    await new Promise<void>((r) => this.wss.close(() => r()));
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  private onSocket(ws: WebSocket, clientId: string): void {
    this.sockets.set(clientId, ws);
    let first = true;
    ws.on('message', (data, isBinary) => {
      if (!first || isBinary) return;
      first = false;
      try {
        const msg = JSON.parse(String(data)) as { type?: string; data?: { supports_preview_metadata?: boolean } };
        if (msg.type === 'feature_flags') {
          this.executor.setPreviewMetadata(clientId, msg.data?.supports_preview_metadata === true);
          ws.send(JSON.stringify({ type: 'feature_flags', data: { supports_preview_metadata: true, max_upload_size: 100 * 1048576 } }));
        }
      } catch {
        // ComfyUI ignores anything else a client sends
      }
    });
    ws.on('close', () => {
      if (this.sockets.get(clientId) === ws) this.sockets.delete(clientId);
    });
    ws.send(JSON.stringify({ type: 'status', data: { status: { exec_info: { queue_remaining: this.executor.remaining() } }, sid: clientId } }));
  }

  /** Messages go to the prompt's client only; with no client id, ComfyUI broadcasts (sid=None). */
  private emit(clientId: string | undefined, msg: unknown): void {
    const text = JSON.stringify(msg);
    if (clientId) this.sockets.get(clientId)?.send(text);
    else for (const ws of this.sockets.values()) ws.send(text);
  }

  private emitBinary(clientId: string | undefined, data: Buffer): void {
    if (clientId) this.sockets.get(clientId)?.send(data);
    else for (const ws of this.sockets.values()) ws.send(data);
  }

  private broadcastStatus(): void {
    this.emit(undefined, { type: 'status', data: { status: { exec_info: { queue_remaining: this.executor.remaining() } } } });
  }

  private async route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    const p = url.pathname.startsWith('/api/') ? url.pathname.slice(4) : url.pathname;
    const m = req.method ?? 'GET';
    if (m === 'POST' && p === '/prompt') return this.postPrompt(req, res);
    if (m === 'GET' && p === '/prompt') return send(res, 200, { exec_info: { queue_remaining: this.executor.remaining() } });
    if (m === 'GET' && p === '/queue') return send(res, 200, this.executor.queueView());
    if (m === 'POST' && p === '/queue') {
      const body = JSON.parse((await readBody(req)).toString() || '{}') as { clear?: boolean; delete?: string[] };
      if (body.clear) this.executor.clearPending();
      if (Array.isArray(body.delete)) for (const id of body.delete) this.executor.deletePending(String(id));
      return send(res, 200);
    }
    if (m === 'POST' && p === '/interrupt') {
      let body: { prompt_id?: string } = {};
      try {
        body = JSON.parse((await readBody(req)).toString() || '{}') as { prompt_id?: string };
      } catch {
        body = {};
      }
      this.executor.interrupt(body.prompt_id);
      return send(res, 200);
    }
    if (m === 'GET' && p === '/history') {
      const max = url.searchParams.get('max_items');
      return send(res, 200, this.executor.historyView(max ? Number(max) : undefined));
    }
    if (m === 'GET' && p.startsWith('/history/')) {
      const id = decodeURIComponent(p.slice('/history/'.length));
      const entry = this.executor.history.get(id);
      return send(res, 200, entry ? { [id]: entry } : {});
    }
    if (m === 'GET' && p === '/view') return this.view(url, res);
    if (m === 'POST' && p === '/upload/image') return this.upload(req, res);
    if (m === 'GET' && p === '/system_stats') return send(res, 200, this.systemStats());
    if (m === 'GET' && p === '/object_info') return send(res, 200, this.o.catalog);
    if (m === 'GET' && p.startsWith('/object_info/')) {
      const name = decodeURIComponent(p.slice('/object_info/'.length));
      const info = this.o.catalog[name];
      return send(res, 200, info ? { [name]: info } : {});
    }
    if (m === 'GET' && p === '/models') return send(res, 200, Object.keys(this.o.models));
    if (m === 'GET' && p.startsWith('/models/')) {
      const list = this.o.models[p.slice('/models/'.length)];
      return list ? send(res, 200, list) : send(res, 404);
    }
    if (m === 'GET' && p === '/features') return send(res, 200, { supports_preview_metadata: true, max_upload_size: 100 * 1048576 });
    if (m === 'POST' && p === '/free') {
      this.executor.free();
      return send(res, 200);
    }
    if (m === 'GET' && p === '/sim/stats') return send(res, 200, { port: this.o.port, ...this.executor.stats() });
    if (m === 'POST' && p === '/sim/config') {
      const body = JSON.parse((await readBody(req)).toString() || '{}') as { time_scale?: number };
      if (typeof body.time_scale === 'number' && body.time_scale > 0) this.executor.timeScale = body.time_scale;
      return send(res, 200, { time_scale: this.executor.timeScale });
    }
    return send(res, 404, { error: 'not found' });
  }

  private async postPrompt(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    let body: { prompt?: unknown; client_id?: string; prompt_id?: string; number?: number; front?: boolean; extra_data?: Record<string, unknown> };
    try {
      body = JSON.parse((await readBody(req)).toString()) as typeof body;
    } catch {
      return send(res, 500, { error: 'Internal Server Error' });
    }
    if (!body.prompt) return send(res, 400, { error: { type: 'no_prompt', message: 'No prompt provided', details: 'No prompt provided', extra_info: {} }, node_errors: {} });
    const inputDir = path.join(this.o.dir, 'input');
    const result = validateGraph(body.prompt, this.o.catalog, { inputFileExists: (f) => fs.existsSync(path.join(inputDir, f.replace(/ \[(input|output|temp)\]$/, ''))) });
    if (!result.ok) return send(res, 400, { error: result.error, node_errors: result.node_errors });
    const promptId = body.prompt_id ? String(body.prompt_id) : crypto.randomUUID();
    this.counter += 1;
    const number = typeof body.number === 'number' ? body.number : body.front ? -this.counter : this.counter;
    const item: QueueItem = { number, promptId, graph: body.prompt as QueueItem['graph'], extra: { ...(body.extra_data ?? {}), ...(body.client_id ? { client_id: body.client_id } : {}) }, outputs: result.outputs };
    this.executor.enqueue(item);
    send(res, 200, { prompt_id: promptId, number, node_errors: {} });
  }

  private view(url: URL, res: http.ServerResponse): void {
    let filename = url.searchParams.get('filename');
    if (!filename) return send(res, 404);
    let type = url.searchParams.get('type') ?? 'output';
    const ann = / \[(input|output|temp)\]$/.exec(filename);
    if (ann) {
      type = ann[1]!;
      filename = filename.slice(0, -ann[0].length);
    }
    if (!['output', 'input', 'temp'].includes(type)) return send(res, 400);
    if (filename === '' || filename.startsWith('/') || filename.includes('..')) return send(res, 400);
    const base = path.join(this.o.dir, type);
    const file = path.resolve(base, url.searchParams.get('subfolder') ?? '', filename);
    if (!file.startsWith(path.resolve(base) + path.sep)) return send(res, 403);
    if (!fs.existsSync(file)) return send(res, 404);
    const data = fs.readFileSync(file);
    res.writeHead(200, { 'content-type': MIME[path.extname(file).toLowerCase()] ?? 'application/octet-stream', 'content-disposition': `filename="${path.basename(file)}"`, 'content-length': data.length });
    res.end(data);
  }

  private async upload(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const parts = parseMultipart(await readBody(req), req.headers['content-type'] ?? '');
    const image = parts.find((pt) => pt.name === 'image');
    if (!image || !image.filename) return send(res, 400);
    const field = (n: string): string | undefined => parts.find((pt) => pt.name === n)?.data.toString();
    const type = field('type') ?? 'input';
    const subfolder = field('subfolder') ?? '';
    const overwrite = ['true', '1'].includes(field('overwrite') ?? '');
    const dir = path.resolve(this.o.dir, type, subfolder);
    if (!dir.startsWith(path.resolve(this.o.dir, type))) return send(res, 400);
    fs.mkdirSync(dir, { recursive: true });
    let name = path.basename(image.filename);
    const ext = path.extname(name);
    const stem = name.slice(0, name.length - ext.length);
    for (let i = 1; !overwrite && fs.existsSync(path.join(dir, name)); i++) {
      if (fs.readFileSync(path.join(dir, name)).equals(image.data)) break; // identical bytes: reuse
      name = `${stem} (${i})${ext}`;
    }
    fs.writeFileSync(path.join(dir, name), image.data);
    send(res, 200, { name, subfolder, type });
  }

  private systemStats(): unknown {
    const total = this.o.vramGb * 1024 ** 3;
    const used = this.executor.loadedModel ? total * 0.4 : 0;
    return {
      system: { os: 'posix', ram_total: 128 * 1024 ** 3, ram_free: 100 * 1024 ** 3, comfyui_version: '0.3.64', python_version: '3.12.0 (simulated)', pytorch_version: 'simulated', embedded_python: false, argv: ['main.py', '--simulated'] },
      devices: [{ name: `Simulated GPU ${this.o.port}`, type: 'cuda', index: 0, vram_total: total, vram_free: total - used, torch_vram_total: total, torch_vram_free: total - used }],
    };
  }
}
