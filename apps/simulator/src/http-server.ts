// ComfyUI 0.3.64's HTTP routes (server.py) for one simulated GPU, each also under `/api`,
// plus the simulator's own `/sim/*` control routes.
import crypto from 'node:crypto';
import fs from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import sharp from 'sharp';
import { validateGraph, type Graph } from './graph-validation.ts';
import { MultipartError, parseMultipart } from './multipart.ts';
import { listModelFolder, modelFolderNames, setInputImageChoices } from './node-catalog.ts';
import { MIME } from './output-files.ts';
import { pyStr } from './python-format.ts';
import { simStats, systemStats } from './gpu-stats.ts';
import type { SimulatedGpu } from './simulated-gpu.ts';

type Req = http.IncomingMessage;
type Res = http.ServerResponse;
class HttpError extends Error {
  constructor(readonly status: number) {
    super(`HTTP ${status}`);
  }
}

const TEXT = 'text/plain; charset=utf-8';
const UNSAFE_TYPES = new Set([
  'text/html',
  'text/html-sandboxed',
  'application/xhtml+xml',
  'text/javascript',
  'text/css',
]);

function sendJson(res: Res, status: number, body: unknown): void {
  const data = Buffer.from(JSON.stringify(body));
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': data.length }).end(data);
}
/** aiohttp's plain-text status bodies (`404: Not Found`); empty 200s have no body. */
function sendStatus(res: Res, status: number): void {
  if (status === 200) return void res.writeHead(200, { 'content-length': 0 }).end();
  const text = `${status}: ${{ 400: 'Bad Request', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 413: 'Request Entity Too Large' }[status] ?? 'Error'}`;
  res.writeHead(status, { 'content-type': TEXT }).end(text);
}

async function readBody(req: Req, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > limit) throw new HttpError(413);
    chunks.push(c);
  }
  return Buffer.concat(chunks);
}

/** `await request.json()`: anything undecodable raises, which aiohttp turns into a 500. */
async function readJson(req: Req, limit: number): Promise<Record<string, unknown>> {
  const value: unknown = JSON.parse((await readBody(req, limit)).toString('utf8'));
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new Error('expected a JSON object');
  return value as Record<string, unknown>;
}

const isLoopback = (host: string | undefined): boolean =>
  !!host && (host === 'localhost' || host === '::1' || host === '[::1]' || /^127\./.test(host));

/** server.py create_origin_only_middleware: a loopback Host must match the Origin (CSRF guard). */
function originRejected(gpu: SimulatedGpu, req: Req): boolean {
  const host = req.headers.host?.toLowerCase();
  const origin = req.headers.origin;
  if (gpu.o.corsOrigin !== undefined || !host || !origin) return false;
  let o: URL;
  let h: URL;
  try {
    o = new URL(origin);
    h = new URL(`http://${host}`);
  } catch {
    return false;
  }
  if (!isLoopback(h.hostname)) return false;
  const hostDomain = o.port ? host : h.hostname;
  const originDomain = h.port ? o.host.toLowerCase() : o.hostname.toLowerCase();
  return hostDomain !== originDomain;
}

export function handleUpgrade(gpu: SimulatedGpu, req: Req, socket: Duplex, head: Buffer): void {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if ((url.pathname !== '/ws' && url.pathname !== '/api/ws') || originRejected(gpu, req)) {
    socket.end(
      `HTTP/1.1 ${originRejected(gpu, req) ? '403 Forbidden' : '404 Not Found'}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`,
    );
    return;
  }
  gpu.hub.upgrade(req, socket, head, url.searchParams.get('clientId'));
}

export async function handleRequest(gpu: SimulatedGpu, req: Req, res: Res): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const p = url.pathname.startsWith('/api/') ? url.pathname.slice(4) : url.pathname;
  const method = req.method ?? 'GET';
  if (gpu.o.corsOrigin !== undefined) {
    res.setHeader('Access-Control-Allow-Origin', gpu.o.corsOrigin);
    res.setHeader('Access-Control-Allow-Methods', 'POST, GET, DELETE, PUT, OPTIONS');
    res.setHeader('Access-Control-Allow-Headers', 'Content-Type, Authorization');
    res.setHeader('Access-Control-Allow-Credentials', 'true');
    if (method === 'OPTIONS') return sendStatus(res, 200);
  } else if (originRejected(gpu, req)) return sendStatus(res, 403);
  try {
    await route(gpu, method, p, url, req, res);
  } catch (err) {
    if (err instanceof HttpError && !res.headersSent) return sendStatus(res, err.status);
    throw err;
  }
}

async function route(gpu: SimulatedGpu, method: string, p: string, url: URL, req: Req, res: Res): Promise<void> {
  const receivedAt = performance.now();
  const limit = gpu.maxUploadBytes;
  const { queue, executor, hub } = gpu;
  const get = method === 'GET' || method === 'HEAD';
  const known = (m: boolean): boolean => {
    if (!m) sendStatus(res, 405);
    return m;
  };
  switch (p) {
    case '/':
      if (!known(get)) return;
      return void res
        .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
        .end(
          `<!doctype html><title>ComfyUI simulator</title><p>ComfyUI 0.3.64 protocol simulator, GPU port ${gpu.port}.</p>`,
        );
    case '/prompt':
      if (get) return sendJson(res, 200, { exec_info: { queue_remaining: queue.remaining } });
      if (!known(method === 'POST')) return;
      return postPrompt(gpu, await readJson(req, limit), res, receivedAt);
    case '/queue':
      if (get) return sendJson(res, 200, queue.view());
      if (!known(method === 'POST')) return;
      {
        const body = await readJson(req, limit);
        if ('clear' in body && body.clear) {
          queue.wipe();
          hub.broadcastStatus();
        }
        if ('delete' in body && Array.isArray(body.delete))
          for (const id of body.delete) if (queue.delete(pyStr(id))) hub.broadcastStatus();
        return sendStatus(res, 200);
      }
    case '/interrupt': {
      if (!known(method === 'POST')) return;
      let body: Record<string, unknown> = {};
      try {
        body = await readJson(req, limit);
      } catch (err) {
        if (err instanceof HttpError) throw err;
      }
      executor.interrupt(body.prompt_id ? pyStr(body.prompt_id) : undefined);
      return sendStatus(res, 200);
    }
    case '/history':
      if (get) {
        const max = url.searchParams.get('max_items');
        const offset = url.searchParams.get('offset');
        const parseInt = (v: string): number => {
          if (!/^\s*[+-]?\d+\s*$/.test(v)) throw new Error(`invalid literal for int(): '${v}'`);
          return Number(v);
        };
        return sendJson(
          res,
          200,
          queue.historyView(max !== null ? parseInt(max) : undefined, offset !== null ? parseInt(offset) : -1),
        );
      }
      if (!known(method === 'POST')) return;
      {
        const body = await readJson(req, limit);
        if ('clear' in body && body.clear) queue.history.clear();
        if ('delete' in body && Array.isArray(body.delete))
          for (const id of body.delete) queue.history.delete(pyStr(id));
        return sendStatus(res, 200);
      }
    case '/view':
      if (!known(get)) return;
      return view(gpu, url, req, res);
    case '/upload/image':
      if (!known(method === 'POST')) return;
      return upload(gpu, req, res);
    case '/system_stats':
      if (!known(get)) return;
      return sendJson(res, 200, systemStats(gpu));
    case '/object_info':
      if (!known(get)) return;
      setInputImageChoices(gpu.o.catalog, gpu.folders.inputImages());
      return sendJson(res, 200, gpu.o.catalog);
    case '/models':
      if (!known(get)) return;
      return sendJson(res, 200, modelFolderNames(gpu.o.models, gpu.o.catalog));
    case '/embeddings':
    case '/extensions':
      if (!known(get)) return;
      return sendJson(res, 200, []);
    case '/features':
      if (!known(get)) return;
      return sendJson(res, 200, hub.features);
    case '/free': {
      if (!known(method === 'POST')) return;
      const body = await readJson(req, limit);
      executor.requestFree(Boolean(body.unload_models), Boolean(body.free_memory));
      return sendStatus(res, 200);
    }
    case '/sim/stats':
      if (!known(get)) return;
      return sendJson(res, 200, simStats(gpu));
    case '/sim/config': {
      if (get) return sendJson(res, 200, gpu.config);
      if (!known(method === 'POST')) return;
      const body = await readJson(req, limit);
      if ('time_scale' in body) {
        if (typeof body.time_scale !== 'number' || !(body.time_scale > 0) || !Number.isFinite(body.time_scale))
          return sendJson(res, 400, { error: 'time_scale must be a positive number' });
        gpu.config.timeScale = body.time_scale;
      }
      if (typeof body.previews === 'boolean') gpu.config.previews = body.previews;
      return sendJson(res, 200, gpu.config);
    }
    default:
      break;
  }
  if (p.startsWith('/history/') && get) {
    const id = decodeURIComponent(p.slice('/history/'.length));
    const entry = queue.history.get(id);
    return sendJson(res, 200, entry ? { [id]: entry } : {});
  }
  if (p.startsWith('/object_info/') && get) {
    const name = decodeURIComponent(p.slice('/object_info/'.length));
    if (name === 'LoadImage') setInputImageChoices(gpu.o.catalog, gpu.folders.inputImages());
    const info = Object.hasOwn(gpu.o.catalog, name) ? gpu.o.catalog[name] : undefined;
    return sendJson(res, 200, info ? { [name]: info } : {});
  }
  if (p.startsWith('/models/') && get) {
    const list = listModelFolder(gpu.o.models, gpu.o.catalog, decodeURIComponent(p.slice('/models/'.length)));
    return list ? sendJson(res, 200, list) : sendStatus(res, 404);
  }
  return sendStatus(res, 404);
}

function postPrompt(gpu: SimulatedGpu, body: Record<string, unknown>, res: Res, receivedAt: number): void {
  let number: number;
  if ('number' in body) {
    number = Number(body.number);
    if (body.number === null || body.number === '' || Number.isNaN(number))
      throw new Error('could not convert number to float');
  } else {
    number = body.front ? -gpu.promptCounter : gpu.promptCounter;
    gpu.promptCounter += 1;
  }
  if (!('prompt' in body)) {
    return sendJson(res, 400, {
      error: { type: 'no_prompt', message: 'No prompt provided', details: 'No prompt provided', extra_info: {} },
      node_errors: {},
    });
  }
  // at 0.3.64 any prompt_id is accepted and passed through str()
  const promptId = 'prompt_id' in body ? pyStr(body.prompt_id) : crypto.randomUUID();
  const targets = Array.isArray(body.partial_execution_targets)
    ? body.partial_execution_targets.map(String)
    : undefined;
  const result = validateGraph(body.prompt, gpu.o.catalog, {
    inputFileExists: gpu.folders.inputFileExists,
    ...(targets ? { partialExecutionTargets: targets } : {}),
  });
  const extraData: Record<string, unknown> =
    body.extra_data && typeof body.extra_data === 'object' && !Array.isArray(body.extra_data)
      ? { ...(body.extra_data as Record<string, unknown>) }
      : {};
  if ('client_id' in body) extraData.client_id = body.client_id;
  if (!result.ok) return sendJson(res, 400, { error: result.error, node_errors: result.node_errors });
  gpu.queue.put({ number, promptId, graph: body.prompt as Graph, extraData, outputs: result.outputs, receivedAt });
  gpu.hub.broadcastStatus();
  gpu.executor.wake();
  sendJson(res, 200, { prompt_id: promptId, number, node_errors: result.node_errors });
}

async function view(gpu: SimulatedGpu, url: URL, req: Req, res: Res): Promise<void> {
  const found = gpu.folders.viewPath(url.searchParams);
  if ('status' in found) return sendStatus(res, found.status);
  const name = path.basename(found.file);
  const disposition = `filename="${name}"`;
  const preview = url.searchParams.get('preview');
  const channel = url.searchParams.get('channel') ?? 'rgba';
  if (preview !== null) {
    const info = preview.split(';');
    const format =
      ['webp', 'jpeg'].includes(info[0] ?? '') && !(url.searchParams.get('channel') ?? '').includes('a')
        ? (info[0] as 'webp' | 'jpeg')
        : 'webp';
    const quality = /^\d+$/.test(info.at(-1) ?? '') ? Number(info.at(-1)) : 90;
    const img = sharp(found.file).flatten();
    const data = await (format === 'jpeg' ? img.jpeg({ quality }) : img.webp({ quality })).toBuffer();
    return void res
      .writeHead(200, {
        'content-type': `image/${format}`,
        'content-disposition': disposition,
        'content-length': data.length,
      })
      .end(data);
  }
  if (channel === 'rgb' || channel === 'a') {
    const img = sharp(found.file);
    const data = await (channel === 'rgb' ? img.removeAlpha() : img.ensureAlpha().extractChannel('alpha'))
      .png()
      .toBuffer();
    return void res
      .writeHead(200, {
        'content-type': 'image/png',
        'content-disposition': disposition,
        'content-length': data.length,
      })
      .end(data);
  }
  const guessed = MIME[path.extname(name).toLowerCase()] ?? 'application/octet-stream';
  const type = UNSAFE_TYPES.has(guessed) ? 'application/octet-stream' : guessed;
  const size = fs.statSync(found.file).size;
  const headers: http.OutgoingHttpHeaders = {
    'content-type': type,
    'content-disposition': disposition,
    'accept-ranges': 'bytes',
    'last-modified': fs.statSync(found.file).mtime.toUTCString(),
  };
  // aiohttp's FileResponse honours single byte ranges (video players seek with them)
  const range = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range ?? '');
  if (range && (range[1] || range[2])) {
    const start = range[1] ? Number(range[1]) : Math.max(0, size - Number(range[2]));
    const end = range[1] && range[2] ? Math.min(size - 1, Number(range[2])) : size - 1;
    if (start >= size || start > end) return void res.writeHead(416, { 'content-range': `bytes */${size}` }).end();
    res.writeHead(206, {
      ...headers,
      'content-range': `bytes ${start}-${end}/${size}`,
      'content-length': end - start + 1,
    });
    if (req.method === 'HEAD') return void res.end();
    return void fs.createReadStream(found.file, { start, end }).pipe(res);
  }
  res.writeHead(200, { ...headers, 'content-length': size });
  if (req.method === 'HEAD') return void res.end();
  fs.createReadStream(found.file).pipe(res);
}

async function upload(gpu: SimulatedGpu, req: Req, res: Res): Promise<void> {
  const body = await readBody(req, gpu.maxUploadBytes);
  let parts;
  try {
    parts = parseMultipart(body, req.headers['content-type'] ?? '');
  } catch (err) {
    if (err instanceof MultipartError) return sendStatus(res, 400);
    throw err;
  }
  const field = (n: string): string | undefined =>
    parts.find((pt) => pt.name === n && pt.filename === undefined)?.data.toString('utf8');
  const image = parts.find((pt) => pt.name === 'image' && pt.filename !== undefined);
  if (!image?.filename) return sendStatus(res, 400);
  const overwrite = field('overwrite');
  const stored = gpu.folders.storeUpload(image.data, image.filename, {
    type: field('type') ?? 'input',
    subfolder: field('subfolder') ?? '',
    overwrite: overwrite === 'true' || overwrite === '1',
  });
  if ('status' in stored)
    return stored.status === 500
      ? void res
          .writeHead(500, { 'content-type': TEXT })
          .end('500 Internal Server Error\n\nServer got itself in trouble')
      : sendStatus(res, stored.status);
  sendJson(res, 200, stored);
}
