// One simulated GPU = one ComfyUI process: its own port, folders, queue, history, sockets and
// loaded-model state. Several live in one simulator process.
import http from 'node:http';
import path from 'node:path';
import { handleRequest, handleUpgrade } from './http-server.ts';
import type { Catalog, ModelFiles } from './node-catalog.ts';
import { SimulatorFolders } from './output-files.ts';
import { PromptExecutor, type RuntimeConfig } from './prompt-executor.ts';
import { PromptQueue } from './prompt-queue.ts';
import { DEFAULT_TIMING, type TimingModel } from './timing-model.ts';
import { WsHub } from './ws-hub.ts';

export interface GpuOptions {
  port: number;
  host: string;
  /** this GPU's input/output/temp root */
  dir: string;
  catalog: Catalog;
  models: ModelFiles;
  /** checkpoint → the image conditioning it can use (data/model-traits.json) */
  conditioning?: Readonly<Record<string, 'i2v' | 'vace' | 't2v'>>;
  vramGb: number;
  config: RuntimeConfig;
  timing?: TimingModel;
  maxUploadMb?: number;
  /** `--enable-cors-header` value; unset = ComfyUI's loopback origin check */
  corsOrigin?: string;
  wsReuseBug?: boolean;
}

export class SimulatedGpu {
  readonly server: http.Server;
  readonly folders: SimulatorFolders;
  readonly queue = new PromptQueue();
  readonly hub: WsHub;
  readonly executor: PromptExecutor;
  readonly config: RuntimeConfig;
  readonly vramBytes: number;
  readonly maxUploadBytes: number;
  /** server.py `self.number`: the priority given to prompts without an explicit `number` */
  promptCounter = 0;
  port: number;

  constructor(readonly o: GpuOptions) {
    this.port = o.port;
    this.config = { ...o.config };
    this.folders = new SimulatorFolders(path.resolve(o.dir));
    this.vramBytes = o.vramGb * 1024 ** 3;
    this.maxUploadBytes = (o.maxUploadMb ?? 100) * 1024 * 1024;
    this.hub = new WsHub({
      maxUploadBytes: this.maxUploadBytes,
      queueRemaining: () => this.queue.remaining,
      executingNodeFor: (id) => this.executor.executingNodeFor(id),
      ...(o.wsReuseBug ? { reuseBug: true } : {}),
    });
    this.executor = new PromptExecutor({
      queue: this.queue,
      hub: this.hub,
      folders: this.folders,
      catalog: o.catalog,
      conditioning: o.conditioning ?? {},
      timing: o.timing ?? DEFAULT_TIMING,
      vramBytes: this.vramBytes,
      config: this.config,
    });
    this.server = http.createServer((req, res) => {
      handleRequest(this, req, res).catch((err: unknown) => {
        if (!res.headersSent)
          res
            .writeHead(500, { 'content-type': 'text/plain; charset=utf-8' })
            .end('500 Internal Server Error\n\nServer got itself in trouble');
        else res.destroy();
        if (process.env.SIM_DEBUG) process.stderr.write(`simulator ${this.port}: ${String(err)}\n`);
      });
    });
    this.server.on('upgrade', (req, socket, head) => handleUpgrade(this, req, socket, head));
    this.server.keepAliveTimeout = 5000;
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.o.port, this.o.host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    const a = this.server.address();
    this.port = typeof a === 'object' && a ? a.port : this.o.port;
    this.executor.start();
    return this.port;
  }

  async close(): Promise<void> {
    this.executor.stop();
    await this.hub.close();
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}
