import crypto from 'node:crypto';
import type { Mode, ModelId, ResolvedGeneration } from '@mediagen/contract';
import {
  EngineError, type BackendHealth, type BackendRef, type Engine, type EngineListener, type EngineOutputFile, type EngineResult,
  type EngineRunInput, type TemplateRequirements,
} from '#ports/engine.ts';
import { ComfyHttpError, ComfyUiClient, type FileRef, type HistoryEntry } from './comfyui-client.ts';
import { trackPrompt } from './prompt-tracker.ts';
import { bindWorkflow, ignoredParams } from './workflow-binding.ts';
import { MODEL_FILE_INPUTS, packOf, templateRequirements } from './template-requirements.ts';
import { loadTemplates, type TemplateSet, type WorkflowTemplate } from './workflow-templates.ts';

export interface ComfyUiEngineOptions {
  workflowsDir?: string;
  /** per-model template variant, e.g. { flux: 'gguf' } */
  variants?: Partial<Record<ModelId, string>>;
  logger?: { info(o: object, m: string): void; warn(o: object, m: string): void; error(o: object, m: string): void; debug(o: object, m: string): void };
  lostGraceMs?: number;
  pollIntervalMs?: number;
}

interface OutputRef extends FileRef {
  kind: 'image' | 'video';
}

function outputRefs(entry: HistoryEntry, t: WorkflowTemplate): OutputRef[] {
  const refs: OutputRef[] = [];
  const nodes = entry.outputs[t.output.node] ? [entry.outputs[t.output.node]!] : Object.values(entry.outputs);
  for (const ui of nodes) {
    for (const key of ['images', 'gifs', 'videos']) {
      const list = ui[key];
      if (!Array.isArray(list)) continue;
      for (const item of list) {
        const r = item as Partial<FileRef>;
        if (typeof r.filename !== 'string') continue;
        const video = /\.(mp4|webm|mov|mkv|gif)$/i.test(r.filename) || t.output.kind === 'video';
        refs.push({ filename: r.filename, subfolder: r.subfolder ?? '', type: r.type ?? 'output', kind: video ? 'video' : 'image' });
      }
    }
  }
  return refs;
}

function executionMs(entry: HistoryEntry): number | undefined {
  const msgs = (entry.status.messages ?? []) as Array<[string, Record<string, unknown>]>;
  const success = msgs.find((m) => Array.isArray(m) && m[0] === 'execution_success')?.[1];
  if (typeof success?.sim_execution_ms === 'number') return success.sim_execution_ms;
  const start = msgs.find((m) => Array.isArray(m) && m[0] === 'execution_start')?.[1]?.timestamp;
  const end = success?.timestamp;
  return typeof start === 'number' && typeof end === 'number' ? end - start : undefined;
}

/** The real ComfyUI adapter: templates as data, one client (HTTP + /ws) per backend. */
export class ComfyUiEngine implements Engine {
  private readonly clients = new Map<string, { key: string; client: ComfyUiClient }>();
  private readonly loaded = new Map<string, ModelId>();
  readonly templates: TemplateSet;

  constructor(private readonly o: ComfyUiEngineOptions = {}) {
    this.templates = loadTemplates(o.workflowsDir, o.variants);
  }

  private client(b: BackendRef): ComfyUiClient {
    const key = `${b.baseUrl}|${b.authToken ?? ''}`;
    const existing = this.clients.get(b.id);
    if (existing && existing.key === key) return existing.client;
    existing?.client.close();
    const client = new ComfyUiClient({ baseUrl: b.baseUrl, ...(b.authToken ? { authToken: b.authToken } : {}), ...(this.o.logger ? { log: this.o.logger } : {}) });
    client.connect();
    this.clients.set(b.id, { key, client });
    return client;
  }

  ignoredParams(params: ResolvedGeneration): Array<{ param: string; reason: string }> {
    return ignoredParams(this.templates.get(params.model, params.mode), params);
  }

  requirements(models: readonly ModelId[], modes?: readonly Mode[]): TemplateRequirements {
    return templateRequirements(this.templates.forModels(models, modes));
  }

  loadedModel(backendId: string): ModelId | undefined {
    return this.loaded.get(backendId);
  }

  async run(input: EngineRunInput, listener: EngineListener, signal: AbortSignal): Promise<EngineResult> {
    const p = input.params;
    const t = this.templates.get(p.model, p.mode);
    const client = this.client(input.backend);
    await client.ready(3000);
    // a video batch runs one prompt per seed; images batch inside one prompt
    const runs = t.output.kind === 'video' ? p.seeds.map((seed) => ({ seed, batchSize: 1 })) : [{ seed: p.seed, batchSize: p.batch_size }];
    const files: EngineOutputFile[] = [];
    let totalMs = 0;
    let firstPromptId = '';
    let images: { reference?: string; first?: string; last?: string } | undefined;
    for (const [i, run] of runs.entries()) {
      const span = 100 / runs.length;
      let promptId = i === 0 ? input.existingPromptId : undefined;
      let entry: HistoryEntry | undefined;
      let graph;
      if (promptId) {
        // re-attach after a gateway restart: finished → collect; queued/running → follow; unknown → re-queue
        entry = await this.history(client, input.backend, promptId);
        if (!entry) {
          const q = await client.queue().catch(() => undefined);
          if (!q || (!q.pending.includes(promptId) && !q.running.includes(promptId))) {
            throw new EngineError('backend_lost', `The prompt is unknown to ${input.backend.name} (restarted?)`, true);
          }
        }
      }
      images ??= promptId ? {} : await this.upload(client, input);
      const bound = bindWorkflow(t, p, images, { filenamePrefix: `mediagen/${input.taskId.slice(0, 8)}`, seed: run.seed, batchSize: run.batchSize });
      graph = bound.graph;
      if (!promptId) {
        promptId = crypto.randomUUID();
        // persisted before the POST: a crash in between leaves an id the backend never saw (→ re-queued), never a run we lost track of
        if (i === 0) listener.onSubmitted(promptId);
        try {
          await client.submitPrompt(graph, promptId);
        } catch (err) {
          throw this.submitError(err, input.backend);
        }
      }
      if (i === 0) firstPromptId = promptId;
      entry ??= await trackPrompt({
        client, backendName: input.backend.name, promptId, graph, listener, signal, progressBase: span * i, progressSpan: span * 0.97,
        pollIntervalMs: this.o.pollIntervalMs ?? 2000, lostGraceMs: this.o.lostGraceMs ?? 4000,
      });
      this.loaded.set(input.backend.id, p.model);
      totalMs += executionMs(entry) ?? 0;
      const refs = outputRefs(entry, t);
      if (refs.length === 0) throw new EngineError('output_missing', `${input.backend.name} finished without output files`, true);
      for (const ref of refs) {
        const data = await client.view(ref, promptId).catch((err: unknown) => {
          throw new EngineError('backend_lost', `could not fetch ${ref.filename} from ${input.backend.name}: ${String(err)}`, true);
        });
        files.push({ data, filename: ref.filename, kind: ref.kind });
      }
    }
    return { promptId: firstPromptId, files, ...(totalMs > 0 ? { executionMs: totalMs } : {}) };
  }

  private async history(client: ComfyUiClient, b: BackendRef, promptId: string): Promise<HistoryEntry | undefined> {
    try {
      const e = await client.history(promptId);
      return e && e.status.completed !== undefined ? e : undefined;
    } catch {
      throw new EngineError('backend_lost', `Backend ${b.name} does not answer`, true);
    }
  }

  private submitError(err: unknown, b: BackendRef): EngineError {
    if (err instanceof ComfyHttpError && err.status === 400) {
      const body = err.body as { error?: { message?: string; details?: string } } | undefined;
      return new EngineError('invalid_workflow', `${b.name} refused the workflow: ${body?.error?.message ?? ''} ${body?.error?.details ?? ''}`.trim().slice(0, 500), false);
    }
    if (err instanceof ComfyHttpError) return new EngineError('backend_error', `${b.name} answered ${err.status} to the prompt`, err.status >= 500);
    return new EngineError('backend_lost', `Backend ${b.name} cannot be reached: ${String(err)}`, true);
  }

  /** Reference images go up under names derived from the task id, never from user input. */
  private async upload(client: ComfyUiClient, input: EngineRunInput): Promise<{ reference?: string; first?: string; last?: string }> {
    const out: { reference?: string; first?: string; last?: string } = {};
    try {
      for (const which of ['reference', 'first', 'last'] as const) {
        const data = input.inputs[which];
        if (data) out[which] = await client.uploadImage(data, `mediagen-${input.taskId}-${which}.png`);
      }
    } catch (err) {
      throw new EngineError('backend_lost', `uploading the reference image to ${input.backend.name} failed: ${String(err)}`, true);
    }
    const p = input.params;
    if (p.mode === 'first_last_frame' && !out.first && out.reference) out.first = out.reference;
    return out;
  }

  async checkHealth(b: BackendRef, models: readonly ModelId[]): Promise<BackendHealth> {
    const client = this.client(b);
    let stats: { vramTotal?: number; vramFree?: number };
    try {
      stats = await client.systemStats();
    } catch (err) {
      return { ok: false, reason: `${b.baseUrl} does not answer /system_stats (${err instanceof Error ? err.message : String(err)}); is ComfyUI running and reachable?`, missingNodes: [], missingModels: [] };
    }
    let info: Awaited<ReturnType<ComfyUiClient['objectInfo']>>;
    try {
      info = await client.objectInfo();
    } catch (err) {
      return { ok: false, reason: `/object_info failed: ${String(err)}`, missingNodes: [], missingModels: [], ...stats };
    }
    const templates = this.templates.forModels(models);
    const req = templateRequirements(templates);
    const missingNodes = req.nodeClasses.filter((c) => !info[c]);
    const missingModels: string[] = [];
    for (const f of req.modelFiles) {
      const spec = info[f.nodeClass]?.input?.required?.[f.input];
      if (!spec) continue; // the node itself is missing: reported above
      const first = spec[0];
      const opts = Array.isArray(first) ? first : first === 'COMBO' ? ((spec[1] as { options?: unknown[] } | undefined)?.options ?? []) : [];
      if (!opts.includes(f.file)) {
        const folder = MODEL_FILE_INPUTS.find((m) => m.nodeClass === f.nodeClass && m.input === f.input)?.folder ?? 'models';
        missingModels.push(`${folder}/${f.file}`);
      }
    }
    const parts: string[] = [];
    if (missingNodes.length > 0) {
      parts.push(`missing node classes: ${missingNodes.map((n) => { const pack = packOf(templates, n); return pack ? `${n} (install ${pack})` : n; }).join(', ')}`);
    }
    if (missingModels.length > 0) parts.push(`missing model files: ${[...new Set(missingModels)].join(', ')}`);
    return { ok: parts.length === 0, ...(parts.length ? { reason: parts.join('; ') } : {}), missingNodes, missingModels: [...new Set(missingModels)], ...stats };
  }

  async close(): Promise<void> {
    for (const { client } of this.clients.values()) client.close();
    this.clients.clear();
  }
}

export function createComfyUiEngine(o: ComfyUiEngineOptions = {}): ComfyUiEngine {
  return new ComfyUiEngine(o);
}
