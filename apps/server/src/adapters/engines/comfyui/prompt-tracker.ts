// Follows one submitted prompt to its end: /ws events filtered by prompt_id for progress and
// previews, /history polling as the safety net (sockets drop and events are not replayed, §3.3,
// §7.3), cancellation (queue delete or interrupt, §5.3) and loss of the backend.
import { EngineError } from '#ports/engine.ts';
import { ComfyHttpError, type ComfyUiClient, type EngineLogger } from './comfyui-client.ts';
import { historyMessage, type HistoryEntry } from './comfyui-messages.ts';
import type { ProgressPoint, PromptProgress } from './prompt-progress.ts';

export interface FollowOptions {
  client: ComfyUiClient;
  backendName: string;
  promptId: string;
  progress: PromptProgress;
  report(point: ProgressPoint | undefined): void;
  onPreview(image: Buffer, mime: 'image/jpeg' | 'image/png'): void;
  signal: AbortSignal;
  /** /history poll while waiting */
  pollIntervalMs: number;
  /** socket down and HTTP failing this long → backend_lost */
  lostGraceMs: number;
  /** after an interrupt, how long to wait for the prompt to stop before reporting it cancelled anyway */
  cancelWaitMs?: number;
  logger?: EngineLogger;
}

const OOM = /out of memory|OutOfMemory|allocation on device/i;

export function executionError(backendName: string, data: Record<string, unknown> | undefined): EngineError {
  const message = String(data?.exception_message ?? 'the prompt failed').trim();
  const nodeType = typeof data?.node_type === 'string' ? data.node_type : undefined;
  const nodeId = data?.node_id !== undefined && data.node_id !== null ? String(data.node_id) : undefined;
  const where = nodeType ? `${nodeType}${nodeId ? ` (node ${nodeId})` : ''} failed: ` : '';
  // an OOM may pass on another (bigger or idle) GPU; other node errors would fail there too
  const oom = OOM.test(message) || OOM.test(String(data?.exception_type ?? ''));
  return new EngineError('backend_error', `Backend ${backendName}: ${where}${message}`.slice(0, 600), oom);
}

/** What a finished history entry means: the entry on success, else the error to throw; undefined = not finished. */
export function entryOutcome(
  entry: HistoryEntry,
  backendName: string,
): { entry: HistoryEntry } | { error: EngineError } {
  const status = entry.status;
  if (!status || status.status_str === 'success' || (status.status_str === undefined && status.completed === true))
    return { entry };
  if (historyMessage(entry, 'execution_interrupted'))
    return { error: new EngineError('cancelled', `The prompt was interrupted on backend ${backendName}`, false) };
  return { error: executionError(backendName, historyMessage(entry, 'execution_error')) };
}

export function followPrompt(o: FollowOptions): Promise<HistoryEntry> {
  const { client, promptId: id } = o;
  return new Promise<HistoryEntry>((resolve, reject) => {
    let settled = false;
    let started = false;
    let cancelling = false;
    let finishing = 0;
    let checking = false;
    let recheck = false;
    let failingSince: number | undefined;
    let lastEventAt = Date.now();
    let pollTimer: NodeJS.Timeout | undefined;
    let cancelTimer: NodeJS.Timeout | undefined;

    const cleanup = (): void => {
      settled = true;
      clearTimeout(pollTimer);
      clearTimeout(cancelTimer);
      offMessage();
      offPreview();
      offConnection();
      o.signal.removeEventListener('abort', onAbort);
    };
    const fail = (err: EngineError): void => {
      if (settled) return;
      cleanup();
      reject(err);
    };
    const succeed = (entry: HistoryEntry): void => {
      if (settled) return;
      cleanup();
      resolve(entry);
    };
    const cancelled = (how: string): EngineError => new EngineError('cancelled', `Cancelled: ${how}`, false);

    const settleFrom = (entry: HistoryEntry): void => {
      const outcome = entryOutcome(entry, o.backendName);
      // a cancel that raced the end still ends as cancelled: the caller asked for it
      if (cancelling) return fail(cancelled(`the prompt was stopped on backend ${o.backendName}`));
      if ('error' in outcome) return fail(outcome.error);
      o.report(o.progress.finished());
      succeed(outcome.entry);
    };

    const check = async (): Promise<void> => {
      if (settled) return;
      if (checking) {
        recheck = true;
        return;
      }
      checking = true;
      try {
        const entry = await client.getHistory(id);
        failingSince = undefined;
        if (entry) return settleFrom(entry);
        // the socket is live and talking about our prompt: nothing to verify
        if (client.connected && Date.now() - lastEventAt < 2 * o.pollIntervalMs && finishing === 0) return;
        const q = await client.getQueue();
        if (q.running.includes(id) || q.pending.includes(id)) return;
        const again = await client.getHistory(id);
        if (again) return settleFrom(again);
        if (finishing > 0 && finishing < 20) return; // success was announced; history is written right after
        fail(
          new EngineError(
            'backend_lost',
            `Backend ${o.backendName} no longer knows prompt ${id} (it restarted or its queue/history was cleared)`,
            true,
          ),
        );
      } catch (err) {
        const now = Date.now();
        failingSince ??= now;
        const failingFor = now - failingSince;
        o.logger?.debug(
          { backend: o.backendName, promptId: id, failingFor, err: err instanceof Error ? err.message : String(err) },
          'ComfyUI poll failed',
        );
        // an HTTP error status means something still answers; only silence counts as loss, unless it lasts
        const silent = !(err instanceof ComfyHttpError);
        if (
          (silent && !client.connected && failingFor >= o.lostGraceMs) ||
          failingFor >= Math.max(5 * o.lostGraceMs, 30_000)
        ) {
          fail(new EngineError('backend_lost', `Backend ${o.backendName} stopped answering during the job`, true));
        }
      } finally {
        checking = false;
        if (recheck && !settled) {
          recheck = false;
          void check();
        }
      }
    };

    const schedule = (): void => {
      if (settled) return;
      // quicker while finishing (history lands right after success) or while the backend is failing
      const delay =
        finishing > 0 ? 100 : failingSince !== undefined ? Math.min(o.pollIntervalMs, 500) : o.pollIntervalMs;
      pollTimer = setTimeout(() => {
        if (finishing > 0) finishing++;
        void check().finally(schedule);
      }, delay);
    };

    const offMessage = client.onMessage((m) => {
      if (settled || m.type === 'status' || m.data.prompt_id !== id) return;
      lastEventAt = Date.now();
      switch (m.type) {
        case 'execution_start':
          started = true;
          o.report(o.progress.started());
          break;
        case 'executing':
          if (m.data.node === null) {
            finishing = Math.max(finishing, 1);
            void check();
          } else o.report(o.progress.executing(m.data.node));
          break;
        case 'progress':
          o.report(o.progress.progress(m.data.node ?? undefined, m.data.value, m.data.max));
          break;
        case 'execution_success':
          finishing = Math.max(finishing, 1);
          void check();
          break;
        case 'execution_error':
          // a blocker message: ComfyUI reports it and carries on (§3.2)
          if (m.data.exception_type === 'ExecutionBlocked') break;
          if (cancelling) fail(cancelled(`the prompt was stopped on backend ${o.backendName}`));
          else fail(executionError(o.backendName, m.data));
          break;
        case 'execution_interrupted':
          fail(cancelled(`the prompt was interrupted on backend ${o.backendName}`));
          break;
        default:
          break;
      }
    });

    const offPreview = client.onPreview((f) => {
      // type-1 frames carry no prompt id: while our prompt runs they are ours (one prompt at a time per process)
      if (!settled && (f.promptId ? f.promptId === id : started)) o.onPreview(f.image, f.mime);
    });

    const offConnection = client.onConnection((up) => {
      if (!up) void check();
    });

    const onAbort = (): void => {
      if (settled || cancelling) return;
      cancelling = true;
      void (async () => {
        try {
          let q = await client.getQueue();
          if (q.pending.includes(id)) {
            await client.deleteFromQueue(id);
            q = await client.getQueue(); // it may have started in between
            if (!q.running.includes(id)) return fail(cancelled(`removed from the queue of backend ${o.backendName}`));
          }
          if (q.running.includes(id)) {
            await client.interrupt(id);
            // the interrupt lands at the next step; model loads finish first (§5.3)
            cancelTimer = setTimeout(
              () => fail(cancelled(`interrupt sent to backend ${o.backendName}`)),
              o.cancelWaitMs ?? 15_000,
            );
            void check();
            return;
          }
          fail(cancelled(`the prompt was no longer queued on backend ${o.backendName}`));
        } catch (err) {
          o.logger?.warn(
            { backend: o.backendName, promptId: id, err: err instanceof Error ? err.message : String(err) },
            'cancel could not reach the backend',
          );
          fail(cancelled(`backend ${o.backendName} could not be reached to stop the prompt`));
        }
      })();
    };

    o.signal.addEventListener('abort', onAbort);
    if (o.signal.aborted) onAbort();
    void check();
    schedule();
  });
}
