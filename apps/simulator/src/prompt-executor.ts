// The prompt worker of one simulated GPU (main.py: prompt_worker + execution.py: execute_async):
// one prompt at a time, events in ComfyUI's order and routing, model loads, sampler steps with
// progress and previews, interrupts at step boundaries, simulated failures and OOM.
import sharp from 'sharp';
import { planPrompt, type PromptPlan, type SamplerPlan } from './graph-analysis.ts';
import type { Catalog } from './node-catalog.ts';
import type { SimulatorFolders } from './output-files.ts';
import { writeOutput, type UiOutput } from './output-writer.ts';
import { renderPreviewJpeg } from './output-renderer.ts';
import { pyStr } from './python-format.ts';
import type { HistoryEntry, PromptQueue, QueueItem } from './prompt-queue.ts';
import { modelSetBytes, wouldOom, type TimingModel } from './timing-model.ts';
import { previewFrame, previewFrameWithMetadata, type WsHub } from './ws-hub.ts';

export interface RuntimeConfig {
  timeScale: number;
  previews: boolean;
  /** SaveImage text chunks (ComfyUI's --disable-metadata turns them off) */
  metadata: boolean;
}

export interface ExecutorDeps {
  queue: PromptQueue;
  hub: WsHub;
  folders: SimulatorFolders;
  catalog: Catalog;
  /** checkpoint → the image conditioning it can use */
  conditioning: Readonly<Record<string, 'i2v' | 'vace' | 't2v'>>;
  timing: TimingModel;
  vramBytes: number;
  config: RuntimeConfig;
}

/** A node failure, reported as execution_error (or execution_interrupted). */
class NodeFailure extends Error {
  constructor(
    readonly nodeId: string,
    readonly pyType: string,
    message: string,
  ) {
    super(message);
  }
}
class Stopped extends Error {}

const OOM_TIPS =
  'This error means you ran out of memory on your GPU.\n\nTIPS: If the workflow worked before you might have accidentally set the batch_size to a large number.';
const isLink = (v: unknown): boolean => Array.isArray(v) && v.length === 2 && typeof v[0] === 'string';

/** execution_error.current_inputs: `{name: [value]}`; format_value keeps primitives, str()s objects. */
function currentInputs(inputs: Record<string, unknown>): Record<string, unknown[]> {
  return Object.fromEntries(
    Object.entries(inputs).map(([k, v]) => {
      if (isLink(v)) return [k, [`<output ${String((v as unknown[])[1])} of node ${String((v as unknown[])[0])}>`]];
      return [k, [v === null || ['number', 'string', 'boolean'].includes(typeof v) ? v : pyStr(v)]];
    }),
  );
}

export class PromptExecutor {
  loaded: { key: string; files: string[]; bytes: number } | undefined;
  readonly executions = new Map<string, number>();
  readonly executionMs = new Map<string, { wall_ms: number; model_ms: number }>();
  totalExecuted = 0;
  /** model sets loaded so far (the first load included): how well a scheduler keeps a GPU on one model */
  modelLoads = 0;
  /** the latest plan warnings (images a model drops), newest last */
  readonly warnings: Array<{ prompt_id: string; warning: string }> = [];
  private stopped = false;
  private interruptFlag = false;
  private currentNode: string | undefined;
  private currentClient: string | null = null;
  private freeFlags = { unload: false, free: false };
  private wakeUp: (() => void) | undefined;
  private readonly sleepers = new Set<() => void>();
  private modelMs = 0;

  constructor(private readonly d: ExecutorDeps) {}

  start(): void {
    void this.loop();
  }

  stop(): void {
    this.stopped = true;
    for (const wake of this.sleepers) wake();
    this.wakeUp?.();
  }

  wake(): void {
    this.wakeUp?.();
  }

  /** POST /interrupt: with a prompt id only that running prompt; `{}` whatever runs (PR #9607). */
  interrupt(promptId?: string): void {
    const running = this.d.queue.running;
    if (!running || (promptId !== undefined && promptId !== running.promptId)) return;
    this.interruptFlag = true;
  }

  /** POST /free: flags the worker reads after the current prompt, or right away when idle. */
  requestFree(unload: boolean, free: boolean): void {
    this.freeFlags.unload ||= unload;
    this.freeFlags.free ||= free;
    this.wake();
  }

  executingNodeFor(clientId: string): string | undefined {
    return this.d.queue.running && this.currentClient === clientId ? this.currentNode : undefined;
  }

  private applyFreeFlags(): void {
    if (this.freeFlags.unload || this.freeFlags.free) this.loaded = undefined;
    this.freeFlags = { unload: false, free: false };
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      const item = this.d.queue.take();
      if (!item) {
        this.applyFreeFlags();
        await new Promise<void>((r) => (this.wakeUp = r));
        this.wakeUp = undefined;
        continue;
      }
      this.d.hub.broadcastStatus();
      try {
        await this.run(item);
      } catch (err) {
        if (!(err instanceof Stopped))
          process.stderr.write(`simulator: prompt ${item.promptId} crashed: ${String(err)}\n`);
      }
      this.applyFreeFlags();
    }
  }

  /** Resolves after `seconds` of simulated time; close() cuts it short. */
  private async sleep(seconds: number): Promise<void> {
    const ms = Math.max(0, seconds * 1000 * this.d.config.timeScale);
    this.modelMs += ms;
    if (ms > 0) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(timer);
          this.sleepers.delete(done);
          resolve();
        };
        const timer = setTimeout(done, ms);
        this.sleepers.add(done);
      });
    }
    if (this.stopped) throw new Stopped();
  }

  private checkInterrupt(nodeId: string): void {
    if (this.interruptFlag)
      throw new NodeFailure(nodeId, 'comfy.model_management.InterruptProcessingException', 'Processing interrupted');
  }

  private async imageInfo(plan: QueueItem): Promise<Map<string, { width: number; height: number; pages: number }>> {
    const out = new Map<string, { width: number; height: number; pages: number }>();
    for (const node of Object.values(plan.graph)) {
      if (node.class_type !== 'LoadImage' && node.class_type !== 'LoadImageMask') continue;
      const name = String(node.inputs.image);
      const file = this.d.folders.inputPath(name);
      const meta = file
        ? await sharp(file)
            .metadata()
            .catch(() => undefined)
        : undefined;
      if (meta?.width && meta.height)
        out.set(name, { width: meta.width, height: meta.pageHeight ?? meta.height, pages: meta.pages ?? 1 });
    }
    return out;
  }

  private async run(item: QueueItem): Promise<void> {
    const { hub, queue } = this.d;
    const pid = item.promptId;
    const client =
      'client_id' in item.extraData && item.extraData.client_id != null ? String(item.extraData.client_id) : null;
    this.interruptFlag = false; // execute_async clears the flag: an interrupt sent while idle does nothing
    this.currentClient = client;
    this.modelMs = 0;
    this.executions.set(pid, (this.executions.get(pid) ?? 0) + 1);
    this.totalExecuted += 1;
    const started = Date.now();
    const messages: Array<[string, Record<string, unknown>]> = [];
    // execution.py add_message: timestamped, kept for history, sent to the client (or all when `broadcast`)
    const addMessage = (type: string, data: Record<string, unknown>, broadcast = false): void => {
      const withTs = { ...data, timestamp: Date.now() };
      messages.push([type, withTs]);
      if (client !== null || broadcast) hub.json(client, type, withTs);
    };
    const toClient = (type: string, data: Record<string, unknown>): void => {
      if (client !== null) hub.json(client, type, data);
    };
    const states: Record<string, Record<string, unknown>> = {};
    const progressState = (nodeId: string, state: string, value: number, max: number): void => {
      states[nodeId] = {
        value,
        max,
        state,
        node_id: nodeId,
        prompt_id: pid,
        display_node_id: nodeId,
        parent_node_id: null,
        real_node_id: nodeId,
      };
      hub.json(client, 'progress_state', { prompt_id: pid, nodes: { ...states } });
    };

    const outputs: Record<string, UiOutput> = {};
    const executed: string[] = [];
    addMessage('execution_start', { prompt_id: pid });
    addMessage('execution_cached', { nodes: [], prompt_id: pid });
    let success = false;
    let simWarnings: string[];
    try {
      const images = await this.imageInfo(item);
      const plan = planPrompt(item.graph, item.outputs, this.d.catalog, (f) => images.get(f), this.d.conditioning);
      for (const warning of plan.warnings) {
        this.warnings.push({ prompt_id: pid, warning });
        if (this.warnings.length > 50) this.warnings.shift();
      }
      simWarnings = plan.warnings;
      if (plan.cycle) throw new NodeFailure(plan.cycle[0]!, 'graph.DependencyCycleError', 'Dependency cycle detected');
      for (const nodeId of plan.order) {
        this.currentNode = nodeId;
        progressState(nodeId, 'running', 0, 1);
        toClient('executing', { node: nodeId, display_node: nodeId, prompt_id: pid });
        this.checkInterrupt(nodeId); // nodes.before_node_execution
        try {
          await this.executeNode(item, plan, nodeId, client, progressState, outputs, toClient);
        } catch (err) {
          if (err instanceof NodeFailure || err instanceof Stopped) throw err;
          throw new NodeFailure(nodeId, 'RuntimeError', err instanceof Error ? err.message : String(err));
        }
        executed.push(nodeId);
        const max = typeof states[nodeId]?.max === 'number' ? states[nodeId].max : 1;
        progressState(nodeId, 'finished', max, max);
      }
      success = true;
      const wall = Date.now() - started;
      this.executionMs.set(pid, { wall_ms: wall, model_ms: Math.round(this.modelMs) });
      addMessage('execution_success', {
        prompt_id: pid,
        sim_execution_ms: wall,
        sim_model_ms: Math.round(this.modelMs),
        // the whole backend side, POST /prompt received → this message, to 0.01 ms: what a gateway adds is the rest
        ...(item.receivedAt !== undefined
          ? { sim_backend_ms: Math.round((performance.now() - item.receivedAt) * 100) / 100 }
          : {}),
        ...(simWarnings.length > 0 ? { sim_warnings: simWarnings } : {}),
      });
    } catch (err) {
      if (err instanceof Stopped) throw err;
      const f = err instanceof NodeFailure ? err : new NodeFailure(this.currentNode ?? '', 'RuntimeError', String(err));
      const nodeType = item.graph[f.nodeId]?.class_type ?? '';
      this.executionMs.set(pid, { wall_ms: Date.now() - started, model_ms: Math.round(this.modelMs) });
      if (f.pyType.endsWith('InterruptProcessingException')) {
        addMessage(
          'execution_interrupted',
          { prompt_id: pid, node_id: f.nodeId, node_type: nodeType, executed: [...executed] },
          true,
        );
      } else {
        progressState(f.nodeId, 'error', 0, 1);
        addMessage('execution_error', {
          prompt_id: pid,
          node_id: f.nodeId,
          node_type: nodeType,
          executed: [...executed],
          exception_message: f.message,
          exception_type: f.pyType,
          traceback: [
            `  File "/ComfyUI/execution.py", line 496, in execute\n    output_data, output_ui, has_subgraph, has_pending_tasks = await get_output_data(prompt_id, unique_id, obj, input_data_all, execution_block_cb=execution_block_cb, pre_execute_cb=pre_execute_cb, hidden_inputs=hidden_inputs)\n`,
            `  File "/ComfyUI/nodes.py", line 1, in ${nodeType}\n    raise ${f.pyType}(${JSON.stringify(f.message)})\n`,
          ],
          current_inputs: currentInputs(item.graph[f.nodeId]?.inputs ?? {}),
          current_outputs: [...executed],
        });
      }
    }
    if (this.executionMs.size > 10_000) this.executionMs.delete(this.executionMs.keys().next().value!);
    if (this.executions.size > 10_000) this.executions.delete(this.executions.keys().next().value!);
    this.currentNode = undefined;
    const entry: Omit<HistoryEntry, 'prompt'> = {
      outputs,
      status: { status_str: success ? 'success' : 'error', completed: success, messages },
      meta: Object.fromEntries(
        Object.keys(outputs).map((id) => [id, { node_id: id, display_node: id, parent_node: null, real_node_id: id }]),
      ),
    };
    queue.taskDone(item, entry);
    hub.broadcastStatus();
    if (client !== null) hub.json(client, 'executing', { node: null, prompt_id: pid });
  }

  private async executeNode(
    item: QueueItem,
    plan: PromptPlan,
    nodeId: string,
    client: string | null,
    progressState: (id: string, state: string, value: number, max: number) => void,
    outputs: Record<string, UiOutput>,
    toClient: (type: string, data: Record<string, unknown>) => void,
  ): Promise<void> {
    const node = item.graph[nodeId]!;
    const { timing } = this.d;
    if (/Loader/i.test(node.class_type) && plan.modelFiles.length > 0 && this.loaded?.key !== plan.modelKey) {
      // loading weights is not interruptible in ComfyUI: the flag is seen at the next check
      this.loaded = undefined;
      this.modelLoads += 1;
      await this.sleep(timing.loadSeconds(plan.isVideo));
      this.loaded = { key: plan.modelKey, files: plan.modelFiles, bytes: modelSetBytes(plan.modelFiles) };
      return;
    }
    const sampler = plan.samplers.get(nodeId);
    if (sampler) return this.sample(item, plan, sampler, client, progressState);
    const out = plan.outputs.get(nodeId);
    if (out) {
      const ui = await writeOutput(out, {
        folders: this.d.folders,
        graph: item.graph,
        extraData: item.extraData,
        metadata: this.d.config.metadata,
      });
      outputs[nodeId] = ui;
      toClient('executed', { node: nodeId, display_node: nodeId, output: ui, prompt_id: item.promptId });
      return;
    }
    const upstream = plan.samplers.size > 0 ? [...plan.samplers.values()].at(-1)!.media : undefined;
    if (/^VAEDecode/.test(node.class_type) && upstream) await this.sleep(timing.decodeSeconds(upstream));
    else await this.sleep(timing.nodeSeconds(node.class_type));
  }

  private async sample(
    item: QueueItem,
    plan: PromptPlan,
    s: SamplerPlan,
    client: string | null,
    progressState: (id: string, state: string, value: number, max: number) => void,
  ): Promise<void> {
    const { hub, timing, config } = this.d;
    const pid = item.promptId;
    if (plan.texts.some((t) => t.includes('__sim_fail__'))) {
      throw new NodeFailure(s.nodeId, 'RuntimeError', 'simulated sampler failure (__sim_fail__ in the prompt)');
    }
    if (wouldOom(s.media, this.d.vramBytes)) {
      this.loaded = undefined; // ComfyUI unloads all models after an OOM
      const gib = (this.d.vramBytes / 1024 ** 3).toFixed(2);
      throw new NodeFailure(
        s.nodeId,
        'torch.OutOfMemoryError',
        `CUDA out of memory. Tried to allocate more than the ${gib} GiB this GPU has.\n${OOM_TIPS}`,
      );
    }
    const target = plan.samplerOutput.get(s.nodeId);
    const still = {
      width: s.media.width,
      height: s.media.height,
      seed: target?.seed ?? s.seed,
      salt: target?.salt ?? s.settings,
    };
    for (let i = 1; i <= s.steps; i++) {
      await this.sleep(timing.stepSeconds(s.media));
      this.checkInterrupt(s.nodeId); // hijack_progress checks the flag on every step
      const preview = config.previews
        ? await renderPreviewJpeg(still, (s.start + i) / Math.max(1, s.total))
        : undefined;
      progressState(s.nodeId, 'running', i, s.steps);
      if (preview && hub.supportsPreviewMetadata(client)) {
        const meta = {
          node_id: s.nodeId,
          prompt_id: pid,
          display_node_id: s.nodeId,
          parent_node_id: null,
          real_node_id: s.nodeId,
          image_type: 'image/jpeg',
        };
        hub.binary(client, previewFrameWithMetadata(preview, meta));
      }
      hub.json(client, 'progress', { value: i, max: s.steps, prompt_id: pid, node: s.nodeId });
      if (preview && !hub.supportsPreviewMetadata(client)) hub.binary(client, previewFrame(preview));
    }
  }
}
