import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { analyzeGraph, DEFAULT_TIMING, type GraphPlan } from './graph-analysis.ts';
import type { Graph } from './graph-validation.ts';
import { renderPng, renderPreview, renderVideo, type SceneSpec } from './output-renderer.ts';

export interface QueueItem {
  number: number;
  promptId: string;
  graph: Graph;
  extra: Record<string, unknown>;
  outputs: string[];
}

interface FileRef {
  filename: string;
  subfolder: string;
  type: 'output';
}

export interface ExecutorOptions {
  dir: string;
  timeScale: number;
  emit(clientId: string | undefined, msg: unknown): void;
  emitBinary(clientId: string | undefined, data: Buffer): void;
  onQueueChanged(): void;
}

class Interrupted extends Error {}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** One prompt at a time, lowest number first, as ComfyUI's prompt_worker does. */
export class PromptExecutor {
  readonly history = new Map<string, unknown>();
  private pending: QueueItem[] = [];
  private running: QueueItem | undefined;
  private interruptFlag = false;
  private stopped = false;
  private wake: (() => void) | undefined;
  private counters = new Map<string, number>();
  private previewMeta = new Map<string, boolean>();
  private executions = new Map<string, number>();
  private totalExecuted = 0;
  private lastExecutionMs = 0;
  loadedModel: string | undefined;
  timeScale: number;

  constructor(private readonly o: ExecutorOptions) {
    this.timeScale = o.timeScale;
    void this.loop();
  }

  stop(): void {
    this.stopped = true;
    this.interruptFlag = true;
    this.wake?.();
  }

  setPreviewMetadata(clientId: string, on: boolean): void {
    this.previewMeta.set(clientId, on);
  }

  remaining(): number {
    return this.pending.length + (this.running ? 1 : 0);
  }

  enqueue(item: QueueItem): void {
    this.pending.push(item);
    this.o.onQueueChanged();
    this.wake?.();
  }

  deletePending(id: string): void {
    const before = this.pending.length;
    this.pending = this.pending.filter((p) => p.promptId !== id);
    if (this.pending.length !== before) this.o.onQueueChanged();
  }

  clearPending(): void {
    this.pending = [];
    this.o.onQueueChanged();
  }

  /** With a prompt id: only if that prompt is the running one (ComfyUI PR #9607). */
  interrupt(promptId?: string): void {
    if (!this.running) return;
    if (promptId && promptId !== this.running.promptId) return;
    this.interruptFlag = true;
  }

  free(): void {
    this.loadedModel = undefined;
  }

  queueView(): { queue_running: unknown[]; queue_pending: unknown[] } {
    const item = (q: QueueItem): unknown[] => [q.number, q.promptId, q.graph, q.extra, q.outputs];
    return { queue_running: this.running ? [item(this.running)] : [], queue_pending: this.pending.map(item) };
  }

  historyView(max?: number): Record<string, unknown> {
    const entries = [...this.history.entries()];
    return Object.fromEntries(max !== undefined ? entries.slice(-max) : entries);
  }

  stats(): Record<string, unknown> {
    return {
      executions: Object.fromEntries(this.executions), total_executed: this.totalExecuted, loaded_model: this.loadedModel ?? null,
      queue: { running: this.running?.promptId ?? null, pending: this.pending.map((p) => p.promptId) }, time_scale: this.timeScale,
      last_execution_ms: this.lastExecutionMs,
    };
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      if (this.pending.length === 0) {
        await new Promise<void>((r) => (this.wake = r));
        this.wake = undefined;
        continue;
      }
      this.pending.sort((a, b) => a.number - b.number);
      const item = this.pending.shift()!;
      this.running = item;
      this.interruptFlag = false;
      this.o.onQueueChanged();
      await this.execute(item).catch(() => undefined);
      this.running = undefined;
      this.o.onQueueChanged();
    }
  }

  private checkInterrupt(): void {
    if (this.interruptFlag) throw new Interrupted();
  }

  private async wait(seconds: number): Promise<void> {
    // sleep in slices so an interrupt lands at the next "step boundary"
    const end = Date.now() + seconds * 1000 * this.timeScale;
    while (Date.now() < end) {
      this.checkInterrupt();
      await sleep(Math.min(25, Math.max(0, end - Date.now())));
    }
    this.checkInterrupt();
  }

  private async execute(item: QueueItem): Promise<void> {
    const client = typeof item.extra.client_id === 'string' ? item.extra.client_id : undefined;
    const pid = item.promptId;
    const messages: unknown[] = [];
    const send = (type: string, data: Record<string, unknown>, toAll = false): void => {
      const withTs = ['execution_start', 'execution_cached', 'execution_success', 'execution_error', 'execution_interrupted'].includes(type) ? { ...data, timestamp: Date.now() } : data;
      if (type.startsWith('execution_')) messages.push([type, withTs]);
      // without a client id ComfyUI sends these to nobody, and progress/previews to everybody
      if (client) this.o.emit(client, { type, data: withTs });
      else if (toAll) this.o.emit(undefined, { type, data: withTs });
    };
    this.executions.set(pid, (this.executions.get(pid) ?? 0) + 1);
    this.totalExecuted += 1;
    const started = Date.now();
    const inputDir = path.join(this.o.dir, 'input');
    const plan = analyzeGraph(item.graph, () => undefined);
    if (plan.loadImage) {
      const meta = await sharp(path.join(inputDir, plan.loadImage)).metadata().catch(() => undefined);
      const encodes = Object.values(item.graph).some((n) => n.class_type === 'VAEEncode');
      if (meta?.width && meta.height && encodes && !plan.isVideo) Object.assign(plan, { width: meta.width, height: meta.height });
    }
    const outputs: Record<string, { images: FileRef[]; animated?: boolean[] }> = {};
    let current = '';
    try {
      send('execution_start', { prompt_id: pid });
      send('execution_cached', { nodes: [], prompt_id: pid });
      for (const id of Object.keys(item.graph)) {
        const node = item.graph[id]!;
        current = id;
        send('executing', { node: id, display_node: id, prompt_id: pid });
        this.checkInterrupt();
        if (/Loader/.test(node.class_type) && this.loadedModel !== plan.modelKey) {
          await this.wait(DEFAULT_TIMING.loadSeconds(plan) / 3);
        }
        if (plan.samplerNodes.includes(id)) await this.sample(item, plan, client, id, send);
        if (plan.outputs.some((o) => o.nodeId === id)) {
          const files = await this.writeOutputs(item, plan, id);
          outputs[id] = files;
          send('executed', { node: id, display_node: id, output: files, prompt_id: pid });
        }
      }
      this.loadedModel = plan.modelKey;
      this.lastExecutionMs = Date.now() - started;
      send('execution_success', { prompt_id: pid, sim_execution_ms: this.lastExecutionMs });
      this.history.set(pid, this.entry(item, outputs, 'success', true, messages));
    } catch (err) {
      if (err instanceof Interrupted) {
        send('execution_interrupted', { prompt_id: pid, node_id: current, node_type: item.graph[current]?.class_type ?? '', executed: [] }, true);
      } else {
        send('execution_error', {
          prompt_id: pid, node_id: current, node_type: item.graph[current]?.class_type ?? '', executed: [], exception_message: (err as Error).message,
          exception_type: 'RuntimeError', traceback: [String((err as Error).stack ?? '')], current_inputs: {}, current_outputs: [],
        });
      }
      this.history.set(pid, this.entry(item, outputs, 'error', false, messages));
    } finally {
      this.o.emit(client, { type: 'executing', data: { node: null, prompt_id: pid } });
    }
  }

  private async sample(item: QueueItem, plan: GraphPlan, client: string | undefined, nodeId: string, send: (t: string, d: Record<string, unknown>, all?: boolean) => void): Promise<void> {
    const node = item.graph[nodeId]!;
    const total = Number(node.inputs.steps ?? 20);
    const start = node.class_type === 'KSamplerAdvanced' ? Number(node.inputs.start_at_step ?? 0) : 0;
    const end = node.class_type === 'KSamplerAdvanced' ? Math.min(Number(node.inputs.end_at_step ?? total), total) : total;
    const steps = Math.max(1, end - start);
    if (plan.text.includes('__sim_fail__')) throw new Error('simulated sampler failure (__sim_fail__ in the prompt)');
    const spec = this.sceneOf(plan, 0);
    for (let i = 1; i <= steps; i++) {
      await this.wait(DEFAULT_TIMING.stepSeconds(plan));
      send('progress', { value: i, max: steps, prompt_id: item.promptId, node: nodeId }, true);
      const jpeg = await renderPreview(spec, (start + i) / Math.max(1, total));
      const meta = client ? this.previewMeta.get(client) : false;
      if (meta) {
        const json = Buffer.from(JSON.stringify({ node_id: nodeId, prompt_id: item.promptId, display_node_id: nodeId, parent_node_id: null, real_node_id: nodeId, image_type: 'image/jpeg' }));
        const head = Buffer.alloc(8);
        head.writeUInt32BE(4, 0);
        head.writeUInt32BE(json.length, 4);
        this.o.emitBinary(client, Buffer.concat([head, json, jpeg]));
      } else {
        const head = Buffer.alloc(8);
        head.writeUInt32BE(1, 0);
        head.writeUInt32BE(1, 4);
        this.o.emitBinary(client, Buffer.concat([head, jpeg]));
      }
    }
  }

  private sceneOf(plan: GraphPlan, batchIndex: number): SceneSpec {
    return { width: plan.width, height: plan.height, seed: plan.seed + batchIndex, salt: `${plan.text}|${plan.modelKey}|${plan.steps}` };
  }

  private async writeOutputs(item: QueueItem, plan: GraphPlan, nodeId: string): Promise<{ images: FileRef[]; animated?: boolean[] }> {
    const out = plan.outputs.find((o) => o.nodeId === nodeId)!;
    const prefix = out.prefix.replace(/\\/g, '/').replace(/^\/+/, '');
    const subfolder = path.posix.dirname(prefix) === '.' ? '' : path.posix.dirname(prefix);
    const base = path.posix.basename(prefix);
    const dir = path.join(this.o.dir, 'output', subfolder);
    fs.mkdirSync(dir, { recursive: true });
    let reference: Buffer | undefined;
    if (plan.loadImage) {
      reference = await sharp(path.join(this.o.dir, 'input', plan.loadImage)).resize(plan.width, plan.height, { fit: 'cover' }).removeAlpha().raw().toBuffer().catch(() => undefined);
    }
    const next = (ext: string): string => {
      const key = `${subfolder}/${base}`;
      const n = (this.counters.get(key) ?? 0) + 1;
      this.counters.set(key, n);
      return `${base}_${String(n).padStart(5, '0')}_.${ext}`;
    };
    const images: FileRef[] = [];
    if (out.kind === 'image') {
      for (let b = 0; b < plan.batch; b++) {
        const name = next('png');
        fs.writeFileSync(path.join(dir, name), await renderPng({ ...this.sceneOf(plan, b), ...(reference ? { reference } : {}) }));
        images.push({ filename: name, subfolder, type: 'output' });
      }
      return { images };
    }
    const format = out.kind === 'webm' ? 'webm' : 'mp4';
    const name = next(format);
    await renderVideo({ ...this.sceneOf(plan, 0), ...(reference ? { reference } : {}) }, plan.frames, out.fps || 16, path.join(dir, name), format);
    images.push({ filename: name, subfolder, type: 'output' });
    return { images, animated: [true] };
  }

  private entry(item: QueueItem, outputs: Record<string, unknown>, status: 'success' | 'error', completed: boolean, messages: unknown[]): unknown {
    const { client_id: _c, ...extra } = item.extra;
    void _c;
    return {
      prompt: [item.number, item.promptId, item.graph, extra, item.outputs],
      outputs,
      status: { status_str: status, completed, messages },
      meta: Object.fromEntries(Object.keys(outputs).map((id) => [id, { node_id: id, display_node: id, parent_node: null, real_node_id: id }])),
    };
  }
}
