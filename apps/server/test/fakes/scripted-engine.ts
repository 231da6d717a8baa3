import type { TaskStage } from '@mediagen/contract';
import {
  EngineError,
  type EngineListener,
  type EngineOutputFile,
  type EngineResult,
  type EngineRunInput,
} from '#ports/engine.ts';
import { FakeEngine } from '../fake-engine.ts';
import { jpegStandIn, pngStandIn } from './image-stand-ins.ts';

/** One call of `Engine.run`, driven step by step by the test. */
export interface ScriptedRun {
  input: EngineRunInput;
  listener: EngineListener;
  signal: AbortSignal;
  /** the prompt id passed to onSubmitted (resolves once the caller persisted it, as a real engine waits) */
  submit(promptId?: string): Promise<void>;
  progress(percent: number, stage?: TaskStage): void;
  preview(image?: Buffer): void;
  /** ends the run: one image stand-in per seed unless files are given */
  complete(opts?: { files?: EngineOutputFile[]; executionMs?: number }): void;
  fail(err: Error): void;
  /** whether the run has ended (completed, failed or aborted) */
  readonly settled: boolean;
}

/**
 * An Engine for unit tests that runs nothing by itself: every `run` call waits until the test completes or fails
 * it (`nextRun()` hands out the calls in order), so the worker's state machine is tested without timers. Aborting
 * the signal rejects the run with EngineError('cancelled'), as the ComfyUI engine does. Health, ignored parameters
 * and the rest come from FakeEngine.
 */
export class ScriptedEngine extends FakeEngine {
  readonly started: ScriptedRun[] = [];
  private handedOut = 0;
  private readonly waiting: Array<(r: ScriptedRun) => void> = [];

  /** The next run not yet handed to the test: one already started, or the next to start. */
  nextRun(): Promise<ScriptedRun> {
    const run = this.started[this.handedOut];
    if (run) {
      this.handedOut++;
      return Promise.resolve(run);
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** Runs started but not handed out yet. */
  get pendingRuns(): number {
    return this.started.length - this.handedOut;
  }

  override run(input: EngineRunInput, listener: EngineListener, signal: AbortSignal): Promise<EngineResult> {
    this.runs.push(input.taskId);
    return new Promise<EngineResult>((resolve, reject) => {
      let settled = false;
      let promptId = input.existingPromptId ?? `prompt-${input.taskId}-${this.runs.length}`;
      const end = (fn: () => void): void => {
        if (settled) throw new Error(`run of ${input.taskId} already ended`);
        settled = true;
        fn();
      };
      const onAbort = (): void => {
        if (!settled) end(() => reject(new EngineError('cancelled', 'interrupted', false)));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      const run: ScriptedRun = {
        input,
        listener,
        signal,
        get settled() {
          return settled;
        },
        async submit(id) {
          promptId = id ?? promptId;
          await listener.onSubmitted(promptId);
        },
        progress(percent, stage = 'sampling') {
          listener.onProgress({ percent, stage });
        },
        preview(image) {
          listener.onPreview(image ?? jpegStandIn(64, 64, 'preview'), 'image/jpeg');
        },
        complete(opts = {}) {
          const files =
            opts.files ??
            input.params.seeds.map((seed, i) => ({
              filename: `out_${i}.png`,
              kind: 'image' as const,
              data: pngStandIn(input.params.width, input.params.height, `output seed ${seed}`),
            }));
          end(() =>
            resolve({ promptId, files, ...(opts.executionMs !== undefined ? { executionMs: opts.executionMs } : {}) }),
          );
        },
        fail(err) {
          end(() => reject(err));
        },
      };
      this.started.push(run);
      const waiter = this.waiting.shift();
      if (waiter) {
        this.handedOut++;
        waiter(run);
      }
      if (signal.aborted) onAbort();
    });
  }
}
