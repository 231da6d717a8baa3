import type { TaskStage } from '@mediagen/contract';
import { EngineError, type EngineListener } from '#ports/engine.ts';
import { ComfyHttpError, type ComfyUiClient, type HistoryEntry, type PreviewFrame, type WsMessage } from './comfyui-client.ts';
import type { ApiGraph } from './workflow-binding.ts';

export interface TrackOptions {
  client: ComfyUiClient;
  backendName: string;
  promptId: string;
  graph: ApiGraph;
  listener: EngineListener;
  signal: AbortSignal;
  /** this run's share of the whole job's progress (a video batch runs several prompts) */
  progressBase: number;
  progressSpan: number;
  pollIntervalMs: number;
  lostGraceMs: number;
}

const LOADERS = /Loader|LoadImage/;
const SAMPLERS = new Set(['KSampler', 'KSamplerAdvanced', 'SamplerCustom', 'SamplerCustomAdvanced']);

function stageOf(classType: string): TaskStage {
  if (LOADERS.test(classType)) return 'loading_model';
  if (SAMPLERS.has(classType)) return 'sampling';
  if (classType.startsWith('VAEDecode')) return 'decoding';
  if (/^Save/.test(classType) || classType === 'CreateVideo') return 'saving';
  if (/ToVideo$|Encode$/.test(classType)) return 'loading_model';
  return 'sampling';
}

/** Steps each sampler node of the bound graph will report, to turn per-node progress into one percentage. */
function samplerSteps(graph: ApiGraph): Map<string, number> {
  const out = new Map<string, number>();
  for (const [id, n] of Object.entries(graph)) {
    if (!SAMPLERS.has(n.class_type)) continue;
    const total = Number(n.inputs.steps ?? 20);
    if (n.class_type === 'KSamplerAdvanced') {
      const end = Math.min(Number(n.inputs.end_at_step ?? total), total);
      out.set(id, Math.max(1, end - Number(n.inputs.start_at_step ?? 0)));
    } else out.set(id, Math.max(1, total));
  }
  return out;
}

function isOom(message: string): boolean {
  return /out of memory|OutOfMemory|CUDA error: out of memory/i.test(message);
}

/** Follows one submitted prompt to its end: WS events first, /history polling as the safety net. */
export function trackPrompt(o: TrackOptions): Promise<HistoryEntry> {
  const steps = samplerSteps(o.graph);
  const totalSteps = [...steps.values()].reduce((a, b) => a + b, 0) || 1;
  const done = new Map<string, number>();
  let running = false;
  let lastPercent = -1;
  let lostSince: number | undefined;

  const report = (fraction: number, stage: TaskStage): void => {
    const percent = Math.min(100, o.progressBase + o.progressSpan * fraction);
    if (percent < lastPercent) return;
    lastPercent = percent;
    o.listener.onProgress({ percent, stage });
  };

  return new Promise<HistoryEntry>((resolve, reject) => {
    let settled = false;
    let cancelling = false;
    const finish = (err: Error | undefined, entry?: HistoryEntry): void => {
      if (settled) return;
      settled = true;
      clearInterval(poller);
      o.client.off('message', onMessage);
      o.client.off('preview', onPreview);
      o.client.off('close', onClose);
      o.signal.removeEventListener('abort', onAbort);
      if (err) reject(err);
      else resolve(entry!);
    };

    const onMessage = (m: WsMessage): void => {
      const pid = m.data.prompt_id;
      if (pid !== o.promptId) return;
      switch (m.type) {
        case 'execution_start':
          running = true;
          report(0.02, 'loading_model');
          break;
        case 'executing': {
          const node = typeof m.data.node === 'string' ? m.data.node : null;
          if (node === null) {
            void check();
            break;
          }
          const cls = o.graph[node]?.class_type ?? '';
          const doneSteps = [...done.values()].reduce((a, b) => a + b, 0);
          const stage = stageOf(cls);
          report(stage === 'decoding' ? 0.9 : stage === 'saving' ? 0.95 : 0.05 + 0.85 * (doneSteps / totalSteps), stage);
          break;
        }
        case 'progress': {
          const node = String(m.data.node ?? '');
          const value = Number(m.data.value ?? 0);
          const max = Number(m.data.max ?? 1) || 1;
          const own = steps.get(node) ?? max;
          done.set(node, Math.min(own, (value / max) * own));
          const doneSteps = [...done.values()].reduce((a, b) => a + b, 0);
          report(0.05 + 0.85 * Math.min(1, doneSteps / totalSteps), 'sampling');
          break;
        }
        case 'execution_success':
          void check();
          break;
        case 'execution_error': {
          const message = String(m.data.exception_message ?? 'execution error').trim();
          const node = String(m.data.node_type ?? m.data.node_id ?? '');
          if (m.data.exception_type === 'ExecutionBlocked') break; // ComfyUI continues after a blocker message
          finish(new EngineError('backend_error', `${o.backendName}: ${node ? `${node} failed: ` : ''}${message}`.slice(0, 500), isOom(message)));
          break;
        }
        case 'execution_interrupted':
          finish(new EngineError('cancelled', 'interrupted on the backend', false));
          break;
        default:
          break;
      }
    };

    const onPreview = (f: PreviewFrame): void => {
      // type-1 frames carry no prompt id: they belong to whatever runs on this backend, which is ours once started
      if (f.promptId ? f.promptId === o.promptId : running) o.listener.onPreview(f.image, f.mime);
    };

    /** Reads /history: the truth when events were missed (socket dropped, reconnect under a new client id). */
    const check = async (): Promise<void> => {
      if (settled) return;
      try {
        const entry = await o.client.history(o.promptId);
        lostSince = undefined;
        if (!entry || entry.status.completed === undefined) return;
        if (entry.status.status_str === 'success' || entry.status.completed) {
          report(1, 'saving');
          finish(undefined, entry);
          return;
        }
        const msgs = (entry.status.messages ?? []) as Array<[string, Record<string, unknown>]>;
        const interrupted = msgs.some((x) => Array.isArray(x) && x[0] === 'execution_interrupted');
        const error = msgs.find((x) => Array.isArray(x) && x[0] === 'execution_error');
        if (interrupted || cancelling) finish(new EngineError('cancelled', 'interrupted on the backend', false));
        else finish(new EngineError('backend_error', `${o.backendName}: ${String(error?.[1]?.exception_message ?? 'the prompt failed')}`.slice(0, 500), false));
      } catch (err) {
        if (err instanceof ComfyHttpError && err.status < 500) return;
        lostSince ??= Date.now();
        if (Date.now() - lostSince >= o.lostGraceMs) {
          finish(new EngineError('backend_lost', `Backend ${o.backendName} stopped answering during the job`, true));
        }
      }
    };

    const onClose = (): void => {
      lostSince ??= Date.now();
      void check();
    };

    const onAbort = (): void => {
      if (cancelling) return;
      cancelling = true;
      void (async () => {
        try {
          const q = await o.client.queue();
          if (q.pending.includes(o.promptId)) {
            await o.client.deleteFromQueue(o.promptId);
            finish(new EngineError('cancelled', 'removed from the backend queue', false));
            return;
          }
          if (q.running.includes(o.promptId)) await o.client.interrupt(o.promptId);
          else finish(new EngineError('cancelled', 'cancelled', false));
        } catch {
          finish(new EngineError('cancelled', 'cancelled (backend unreachable)', false));
        }
        // the interrupt lands at the next step; give up waiting after 10 s
        setTimeout(() => finish(new EngineError('cancelled', 'cancelled', false)), 10_000).unref();
      })();
    };

    o.client.on('message', onMessage);
    o.client.on('preview', onPreview);
    o.client.on('close', onClose);
    o.signal.addEventListener('abort', onAbort);
    const poller = setInterval(() => void check(), o.pollIntervalMs);
    poller.unref();
    if (o.signal.aborted) onAbort();
    void check();
  });
}
