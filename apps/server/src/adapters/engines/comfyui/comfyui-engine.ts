// The ComfyUI engine adapter (SPEC §7): binds the model × mode template, uploads reference images,
// submits, follows the prompt and fetches its files; health checks compare the templates' needs
// with a backend's node catalogue.
import crypto from 'node:crypto';
import { EventEmitter } from 'node:events';
import path from 'node:path';
import {
  MODEL_LIST,
  loraFiles,
  type IgnoredParam,
  type Mode,
  type ModelId,
  type ResolvedGeneration,
  type UnsupportedParam,
} from '@mediagen/contract';
import {
  EngineError,
  type BackendHealth,
  type BackendRef,
  type Engine,
  type EngineListener,
  type EngineOutputFile,
  type EngineResult,
  type EngineRunInput,
  type SetupScriptRequest,
  type TemplateRequirements,
} from '#ports/engine.ts';
import { checkBackendHealth } from './backend-health-check.ts';
import { ComfyHttpError, ComfyUiClient, type EngineLogger } from './comfyui-client.ts';
import { historyMessage, outputFiles, type ComfyMessage, type HistoryEntry } from './comfyui-messages.ts';
import { MonotonicProgress, PromptProgress } from './prompt-progress.ts';
import { followPrompt, recordMessages } from './prompt-follower.ts';
import { completeEntry, locatePrompt } from './prompt-history.ts';
import { derivePromptId } from './prompt-ids.ts';
import { entryOutcome } from './prompt-tracker.ts';
import { backendRequestError, refusedWorkflowError } from './request-errors.ts';
import { setupScriptFor } from './setup-plan.ts';
import { templateRequirements } from './template-requirements.ts';
import { bindWorkflow, ignoredParams, type UploadedImageNames } from './workflow-binding.ts';
import {
  IMAGE_SLOTS,
  isImageBinding,
  loadTemplates,
  templateName,
  type ApiGraph,
  type TemplateSet,
  type WorkflowTemplate,
} from './workflow-templates.ts';

export interface ComfyUiEngineOptions {
  /** directory of workflow templates (env WORKFLOWS_DIR); default apps/server/workflows */
  workflowsDir?: string;
  /** per-model template variant, e.g. { flux: 'gguf' }; falls back to `default` per mode */
  variants?: Partial<Record<ModelId, string>>;
  logger?: EngineLogger;
  /** socket closed and HTTP failing this long during a job → backend_lost (default 3 s) */
  lostGraceMs?: number;
  /** /history poll while a prompt runs, the fallback for dropped sockets (default 2 s) */
  pollIntervalMs?: number;
  /** after an interrupt, how long to wait for the prompt to stop (default 15 s) */
  cancelWaitMs?: number;
  requestTimeoutMs?: number;
}

const NO_LOG: EngineLogger = {
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  debug: () => undefined,
};
const VIDEO_FILE = /\.(mp4|webm|gif|mov|mkv|avi)$/i;
const IMAGE_FILE = /\.(png|jpe?g|webp)$/i;

/** File-system-safe and short: upload and output names come from the task id, never from user input. */
const safeName = (s: string): string => s.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 64) || 'task';

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

export class ComfyUiEngine implements Engine {
  readonly templates: TemplateSet;
  private readonly clients = new Map<string, { key: string; client: ComfyUiClient }>();
  private readonly loaded = new Map<string, ModelId>();
  private readonly loadedLoraFiles = new Map<string, string[]>();
  private readonly log: EngineLogger;
  /** 'reconnected' (backendId): a backend's socket came back after a loss */
  private readonly events = new EventEmitter();

  constructor(private readonly o: ComfyUiEngineOptions = {}) {
    this.log = o.logger ?? NO_LOG;
    this.templates = loadTemplates(o.workflowsDir, o.variants);
    const missing = this.templates.missing();
    if (missing.length > 0)
      this.log.warn(
        { missing, workflowsDir: o.workflowsDir },
        'no workflow template for some model modes; jobs for them will fail',
      );
  }

  private client(b: BackendRef): ComfyUiClient {
    const key = `${b.baseUrl}|${b.authToken ?? ''}`;
    const known = this.clients.get(b.id);
    if (known?.key === key) return known.client;
    known?.client.close();
    const client = new ComfyUiClient({
      baseUrl: b.baseUrl,
      name: b.name,
      logger: this.log,
      ...(b.authToken ? { authToken: b.authToken } : {}),
      ...(this.o.requestTimeoutMs ? { requestTimeoutMs: this.o.requestTimeoutMs } : {}),
    });
    this.clients.set(b.id, { key, client });
    let lost = false;
    client.onConnection((up) => {
      if (!up) lost = true;
      else if (lost) {
        lost = false;
        this.events.emit('reconnected', b.id);
      }
    });
    return client;
  }

  onBackendReconnected(listener: (backendId: string) => void): () => void {
    this.events.on('reconnected', listener);
    return () => void this.events.off('reconnected', listener);
  }

  setupScript(request: SetupScriptRequest): string {
    return setupScriptFor(this.templates, request);
  }

  /** The template for these params: the mode's own, or its `without` fallback when an optional image is absent. */
  private find(p: Pick<ResolvedGeneration, 'model' | 'mode' | 'last_frame_image'>): WorkflowTemplate | undefined {
    const t = this.templates.find(p.model, p.mode);
    const fallback = t?.without?.last;
    if (fallback && p.last_frame_image === undefined) return this.templates.find(p.model, fallback) ?? t;
    return t;
  }

  private template(p: Pick<ResolvedGeneration, 'model' | 'mode' | 'last_frame_image'>): WorkflowTemplate {
    const t = this.find(p);
    if (!t)
      throw new EngineError(
        'invalid_workflow',
        `No workflow template for ${p.model} ${p.mode} in the workflows directory`,
        false,
      );
    return t;
  }

  ignoredParams(params: ResolvedGeneration): IgnoredParam[] {
    const t = this.find(params);
    return t ? ignoredParams(t, params) : [];
  }

  unsupportedParams(): UnsupportedParam[] {
    return MODEL_LIST.flatMap((m) =>
      m.modes.flatMap((mode) =>
        (this.templates.find(m.id, mode)?.unsupported ?? []).map((u) => ({ model: m.id, mode, ...u })),
      ),
    );
  }

  requirements(models: readonly ModelId[], modes?: readonly Mode[]): TemplateRequirements {
    return templateRequirements(this.templates.selected(models, modes));
  }

  loadedModel(backendId: string): ModelId | undefined {
    return this.loaded.get(backendId);
  }

  loadedLoras(backendId: string): readonly string[] | undefined {
    return this.loadedLoraFiles.get(backendId);
  }

  async run(input: EngineRunInput, listener: EngineListener, signal: AbortSignal): Promise<EngineResult> {
    const p = input.params;
    const b = input.backend;
    const t = this.template(p);
    const client = this.client(b);
    const progress = new MonotonicProgress(listener);
    // one prompt per seed for video batches (Wan nodes batch inside one clip); images batch in the graph
    const seeds = t.batch === 'one_prompt_per_seed' && p.seeds.length > 0 ? p.seeds : [p.seed];
    const firstId = input.existingPromptId ?? crypto.randomUUID();
    const prefix = `mediagen/${safeName(input.taskId)}`;
    const files: EngineOutputFile[] = [];
    let executionMs: number | undefined;
    let transferMs = 0;
    let images: UploadedImageNames | undefined;
    client.connect();
    // without the socket the job still runs (/history polling follows it); wait for it on first use only
    if (!client.everConnected) await client.waitConnected(3000);

    for (const [i, seed] of seeds.entries()) {
      if (signal.aborted) throw new EngineError('cancelled', 'Cancelled before the prompt was submitted', false);
      const id = derivePromptId(firstId, i);
      let entry: HistoryEntry | undefined;
      let graph: ApiGraph | undefined;
      let submit = true;
      let earlier: ComfyMessage[] = [];
      if (input.existingPromptId) {
        const where = await locatePrompt(client, b.name, id);
        if (where.state === 'done') {
          const outcome = entryOutcome(where.entry, b.name);
          if ('error' in outcome) throw outcome.error;
          entry = outcome.entry;
          submit = false;
        } else if (where.state === 'queued') submit = false;
        else if (i === 0)
          throw new EngineError(
            'backend_lost',
            `Backend ${b.name} does not know prompt ${id} (it restarted or its history was cleared); the job must run again`,
            true,
          );
      }
      if (submit) {
        if (!images) {
          progress.report(0, 'uploading');
          images = await this.upload(client, input, t);
        }
        graph = this.bind(t, p, images, prefix, seed);
        if (signal.aborted) throw new EngineError('cancelled', 'Cancelled before the prompt was submitted', false);
        if (i === 0 && !input.existingPromptId) await listener.onSubmitted(id);
        const recording = recordMessages(client, id);
        try {
          await this.submit(client, b, t, graph, id);
        } finally {
          earlier = recording.stop();
        }
        progress.reportPoint({ fraction: 0.005, stage: 'submitted' }, i, seeds.length);
      }
      if (!entry) {
        // re-attached to a prompt we did not bind in this process: the graph's shape is all progress needs
        graph ??= this.bind(
          t,
          p,
          Object.fromEntries(Object.keys(IMAGE_SLOTS).map((k) => [k, 'reattached.png'])),
          prefix,
          seed,
        );
        const pp = new PromptProgress(graph);
        const followed = await followPrompt({
          client,
          backendName: b.name,
          promptId: id,
          progress: pp,
          signal,
          logger: this.log,
          report: (point) => progress.reportPoint(point, i, seeds.length),
          onPreview: (image, mime) => listener.onPreview(image, mime),
          pollIntervalMs: this.o.pollIntervalMs ?? 2000,
          lostGraceMs: this.o.lostGraceMs ?? 3000,
          ...(this.o.cancelWaitMs !== undefined ? { cancelWaitMs: this.o.cancelWaitMs } : {}),
          earlier,
        });
        entry = followed.fromSocket
          ? await completeEntry(client, b.name, followed.entry, id, t.outputs.node)
          : followed.entry;
      }
      const ms = this.executionMs(entry);
      if (ms !== undefined) executionMs = (executionMs ?? 0) + ms;
      const downloadStart = performance.now();
      files.push(...(await this.collect(client, b, t, entry, id)));
      transferMs += performance.now() - downloadStart;
    }
    this.loaded.set(b.id, p.model);
    this.loadedLoraFiles.set(b.id, [...new Set((t.loras ? (p.loras ?? []) : []).flatMap(loraFiles))].sort());
    progress.report(100, 'done');
    return {
      promptId: firstId,
      files,
      transferMs: Math.round(transferMs),
      ...(executionMs !== undefined ? { executionMs } : {}),
    };
  }

  private bind(
    t: WorkflowTemplate,
    p: ResolvedGeneration,
    images: UploadedImageNames,
    prefix: string,
    seed: number,
  ): ApiGraph {
    try {
      return bindWorkflow(t, p, images, { filenamePrefix: prefix, seed }).graph;
    } catch (err) {
      throw new EngineError(
        'invalid_workflow',
        `Workflow template ${templateName(t)} cannot be bound: ${message(err)}`,
        false,
      );
    }
  }

  /** Reference images go up under names derived from the task id; only the slots the template binds. */
  private async upload(client: ComfyUiClient, input: EngineRunInput, t: WorkflowTemplate): Promise<UploadedImageNames> {
    const out: UploadedImageNames = {};
    const slots = new Set(t.bindings.filter(isImageBinding).map((b) => b.image));
    for (const slot of slots) {
      // first ⇄ reference stand in for each other (reference_image as the first frame; a first_last_frame job
      // without its last frame running on the i2v template)
      const data =
        input.inputs[slot] ??
        (slot === 'first' ? input.inputs.reference : slot === 'reference' ? input.inputs.first : undefined);
      if (!data)
        throw new EngineError(
          'internal_error',
          `${templateName(t)} needs the ${IMAGE_SLOTS[slot]} image, which the job did not provide`,
          false,
        );
      try {
        out[slot] = await client.uploadImage(data, `mediagen_${safeName(input.taskId)}_${slot}.png`);
      } catch (err) {
        throw this.requestError(err, input.backend, `uploading the ${IMAGE_SLOTS[slot]}`);
      }
    }
    return out;
  }

  private async submit(
    client: ComfyUiClient,
    b: BackendRef,
    t: WorkflowTemplate,
    graph: ApiGraph,
    id: string,
  ): Promise<void> {
    try {
      const r = await client.submitPrompt(graph, id);
      if (Object.keys(r.nodeErrors).length > 0)
        this.log.warn(
          { backend: b.name, promptId: id, nodeErrors: r.nodeErrors },
          'ComfyUI queued the prompt but reported node errors',
        );
    } catch (err) {
      if (err instanceof ComfyHttpError && err.status === 400) throw this.refused(err.body, b, t);
      throw this.requestError(err, b, 'submitting the prompt');
    }
  }

  private refused(body: unknown, b: BackendRef, t: WorkflowTemplate): EngineError {
    return refusedWorkflowError(body, b.name, templateName(t));
  }

  private requestError(err: unknown, b: BackendRef, doing: string): EngineError {
    return backendRequestError(err, b.name, doing);
  }

  private async collect(
    client: ComfyUiClient,
    b: BackendRef,
    t: WorkflowTemplate,
    entry: HistoryEntry,
    id: string,
  ): Promise<EngineOutputFile[]> {
    const refs = outputFiles(entry, t.outputs.node);
    if (refs.length === 0)
      throw new EngineError(
        'output_missing',
        `Backend ${b.name} finished prompt ${id} without writing an output file`,
        true,
      );
    const files: EngineOutputFile[] = [];
    for (const ref of refs) {
      let data: Buffer;
      try {
        data = await client.view(ref.filename, ref.subfolder, ref.type);
      } catch (err) {
        if (err instanceof ComfyHttpError && err.status === 404)
          throw new EngineError('output_missing', `Backend ${b.name} no longer has the output ${ref.filename}`, true);
        throw this.requestError(err, b, `downloading ${ref.filename}`);
      }
      const name = path.posix.basename(ref.filename.replace(/\\/g, '/'));
      const kind = VIDEO_FILE.test(name) ? 'video' : IMAGE_FILE.test(name) ? 'image' : t.outputs.kind;
      files.push({ data, filename: name, kind });
    }
    return files;
  }

  /** Backend-side time from the history's execution_start → execution_success timestamps. */
  private executionMs(entry: HistoryEntry): number | undefined {
    const start = historyMessage(entry, 'execution_start')?.timestamp;
    const end = historyMessage(entry, 'execution_success')?.timestamp;
    return typeof start === 'number' && typeof end === 'number' && end >= start ? end - start : undefined;
  }

  async checkHealth(backend: BackendRef, models: readonly ModelId[]): Promise<BackendHealth> {
    const client = this.client(backend);
    const health = await checkBackendHealth(client, backend, this.templates, models);
    // keep a socket open to a backend that answers: its reconnect after a restart is the re-check signal
    if (health.models.length > 0 || health.ok) client.connect();
    return health;
  }

  async close(): Promise<void> {
    for (const { client } of this.clients.values()) client.close();
    this.clients.clear();
    this.events.removeAllListeners();
  }
}

export function createComfyUiEngine(opts: ComfyUiEngineOptions = {}): ComfyUiEngine {
  return new ComfyUiEngine(opts);
}
