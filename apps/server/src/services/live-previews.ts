import type { PreviewFrame, SharedPreviewFrames } from '#ports/preview-frames.ts';
import type { TaskEventBus } from '#ports/task-event-bus.ts';

export interface LivePreviewsDeps {
  /** several gateways: frames are also written where the others read them */
  shared?: SharedPreviewFrames;
  /** learns which tasks have a preview on another gateway (their preview events) */
  bus?: TaskEventBus;
  now?: () => number;
  /** a task's frame is written to `shared` at most this often (the first at once, the last always) */
  writeEveryMs?: number;
  onError?: (err: unknown) => void;
}

interface SharedWrite {
  lastAt: number;
  dirty: boolean;
  timer: NodeJS.Timeout | undefined;
  inflight: Promise<void> | undefined;
}

/**
 * The latest live preview frame of each running task: in memory on the gateway that runs it (a thumbnail replaces
 * it at the end), and with several gateways also in `shared`, throttled, so any of them can serve it.
 */
export class LivePreviews {
  private readonly previews = new Map<string, PreviewFrame>();
  private readonly writes = new Map<string, SharedWrite>();
  /** tasks running elsewhere that have published a preview */
  private readonly remote = new Set<string>();
  private readonly off: (() => void) | undefined;

  constructor(private readonly d: LivePreviewsDeps = {}) {
    this.off = d.bus?.subscribeAll(({ event, remote }) => {
      const id = event.data.task_id;
      if (event.event === 'preview') {
        if (remote) this.remote.add(id);
      } else if (event.event !== 'progress' || event.data.status !== 'running') {
        this.remote.delete(id);
      }
    });
  }

  set(taskId: string, image: Buffer, mime: string): number {
    const seq = (this.previews.get(taskId)?.seq ?? 0) + 1;
    this.previews.set(taskId, { image, mime, seq });
    if (this.d.shared) {
      let w = this.writes.get(taskId);
      if (!w) {
        w = { lastAt: 0, dirty: false, timer: undefined, inflight: undefined };
        this.writes.set(taskId, w);
      }
      w.dirty = true;
      this.pump(taskId, w);
    }
    return seq;
  }

  /** the frame held here (this gateway runs the task) */
  get(taskId: string): PreviewFrame | undefined {
    return this.previews.get(taskId);
  }

  /** a frame can be served: held here, or published by the gateway that runs it */
  has(taskId: string): boolean {
    return this.previews.has(taskId) || this.remote.has(taskId);
  }

  /** the frame held here, else (a running task, several gateways) the one its gateway shared */
  async latest(taskId: string, running: boolean): Promise<PreviewFrame | undefined> {
    const here = this.previews.get(taskId);
    if (here || !running || !this.d.shared) return here;
    return this.d.shared.get(taskId);
  }

  drop(taskId: string): void {
    this.previews.delete(taskId);
    this.remote.delete(taskId);
    const w = this.writes.get(taskId);
    this.writes.delete(taskId);
    if (w?.timer) clearTimeout(w.timer);
    const shared = this.d.shared;
    // after a write in flight, or that write would bring the frame back
    if (shared && w) void (w.inflight ?? Promise.resolve()).then(() => shared.delete(taskId)).catch(this.onError);
  }

  close(): void {
    this.off?.();
    for (const w of this.writes.values()) if (w.timer) clearTimeout(w.timer);
  }

  private readonly onError = (err: unknown): void => this.d.onError?.(err);

  private pump(taskId: string, w: SharedWrite): void {
    if (!w.dirty || w.timer || w.inflight || this.writes.get(taskId) !== w) return;
    const now = this.d.now ?? Date.now;
    const wait = w.lastAt + (this.d.writeEveryMs ?? 500) - now();
    if (wait > 0) {
      w.timer = setTimeout(() => {
        w.timer = undefined;
        this.pump(taskId, w);
      }, wait);
      w.timer.unref();
      return;
    }
    const frame = this.previews.get(taskId);
    const shared = this.d.shared;
    if (!frame || !shared) return;
    w.dirty = false;
    w.lastAt = now();
    w.inflight = shared
      .put(taskId, frame)
      .catch(this.onError)
      .finally(() => {
        w.inflight = undefined;
        this.pump(taskId, w);
      });
  }
}
