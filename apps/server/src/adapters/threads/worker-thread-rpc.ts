// One worker thread that answers requests: the classifier and the C2PA signer each own one, so model inference
// and WASM hashing/signing run off the gateway's event loop.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parentPort, Worker, type TransferListItem } from 'node:worker_threads';

/** What a worker thread sends back for request `id`. */
export type WorkerReply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: string };

/** What the worker thread receives. */
export interface WorkerRequest {
  id: number;
  method: string;
  args: unknown[];
}

/**
 * The worker thread runs TypeScript: tsx's loader is registered inside the thread before the entry is imported
 * (a worker inherits `--import tsx` under `npm start`, but not inside vitest, and registering twice is harmless).
 */
function bootstrapSource(entry: URL): string {
  return `import(${JSON.stringify(tsxEsmApiUrl())}).then((m) => { m.register(); return import(${JSON.stringify(entry.href)}); })`;
}

/** tsx's ESM API entry, read from its package.json exports (require.resolve would give the CommonJS one). */
function tsxEsmApiUrl(): string {
  const manifestPath = createRequire(import.meta.url).resolve('tsx/package.json');
  const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8')) as {
    exports?: Record<string, { import?: { default?: string } } | string>;
  };
  const entry = manifest.exports?.['./esm/api'];
  const relative = typeof entry === 'object' ? entry.import?.default : undefined;
  if (!relative) throw new Error('tsx does not export ./esm/api (needed to run TypeScript in worker threads)');
  return pathToFileURL(path.join(path.dirname(manifestPath), relative)).href;
}

export class WorkerThreadClosedError extends Error {
  override readonly name = 'WorkerThreadClosedError';
}

/**
 * Starts the worker thread on first use, matches replies to requests, rejects what is pending if the thread dies
 * (the next request starts a fresh one), and stops it on close().
 */
export class WorkerThreadRpc {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private closed = false;

  constructor(
    private readonly entry: URL,
    private readonly options: {
      name: string;
      workerData?: unknown;
      resourceLimits?: { maxOldGenerationSizeMb?: number };
    },
  ) {}

  call<T>(method: string, args: unknown[] = [], transfer: TransferListItem[] = []): Promise<T> {
    if (this.closed) return Promise.reject(new WorkerThreadClosedError(`${this.options.name} is closed`));
    const worker = this.start();
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: (v) => resolve(v as T), reject });
      worker.ref(); // a request in flight keeps the process alive; an idle thread does not
      const request: WorkerRequest = { id, method, args };
      worker.postMessage(request, transfer);
    });
  }

  /** true once the thread has been started (and not stopped since) */
  get running(): boolean {
    return this.worker !== undefined;
  }

  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    this.worker = undefined;
    this.failAll(new WorkerThreadClosedError(`${this.options.name} is closed`));
    if (worker) await worker.terminate();
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(bootstrapSource(this.entry), {
      eval: true,
      name: this.options.name,
      workerData: this.options.workerData,
      ...(this.options.resourceLimits ? { resourceLimits: this.options.resourceLimits } : {}),
    });
    worker.unref();
    worker.on('message', (reply: WorkerReply) => {
      const waiting = this.pending.get(reply.id);
      if (!waiting) return;
      this.pending.delete(reply.id);
      if (this.pending.size === 0) worker.unref();
      if (reply.ok) waiting.resolve(reply.value);
      else waiting.reject(new Error(reply.error));
    });
    const onGone = (err: Error): void => {
      if (this.worker === worker) this.worker = undefined;
      this.failAll(err);
    };
    worker.on('error', (err) => onGone(new Error(`${this.options.name} thread failed: ${err.message}`)));
    worker.on('exit', (code) => onGone(new Error(`${this.options.name} thread exited (code ${code})`)));
    this.worker = worker;
    return worker;
  }

  private failAll(err: Error): void {
    for (const { reject } of this.pending.values()) reject(err);
    this.pending.clear();
  }
}

/** Inside a worker thread: answer each request with the handler of its method (one at a time, in order). */
export function serveWorkerRequests(handlers: Record<string, (...args: never[]) => Promise<unknown>>): void {
  const port = parentPort;
  if (!port) throw new Error('serveWorkerRequests must run in a worker thread');
  let queue: Promise<void> = Promise.resolve();
  port.on('message', (request: WorkerRequest) => {
    queue = queue.then(async () => {
      const handler = handlers[request.method];
      let reply: WorkerReply;
      try {
        if (!handler) throw new Error(`unknown method ${request.method}`);
        const value = await (handler as (...args: unknown[]) => Promise<unknown>)(...request.args);
        reply = { id: request.id, ok: true, value };
      } catch (err) {
        reply = { id: request.id, ok: false, error: err instanceof Error ? err.message : String(err) };
      }
      port.postMessage(reply);
    });
  });
}
