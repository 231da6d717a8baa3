import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createInProcessTaskBus } from '#adapters/events/in-process-task-bus.ts';
import type { PreviewFrame, SharedPreviewFrames } from '#ports/preview-frames.ts';
import { LivePreviews } from './live-previews.ts';

/** The shared frames as a map, with every write recorded; `slow` holds writes until released. */
class RecordingFrames implements SharedPreviewFrames {
  readonly rows = new Map<string, PreviewFrame>();
  readonly puts: Array<{ taskId: string; seq: number; at: number }> = [];
  slow = false;
  private readonly held: Array<() => void> = [];
  async put(taskId: string, frame: PreviewFrame): Promise<void> {
    this.puts.push({ taskId, seq: frame.seq, at: Date.now() });
    if (this.slow) await new Promise<void>((resolve) => this.held.push(resolve));
    this.rows.set(taskId, frame);
  }
  async get(taskId: string): Promise<PreviewFrame | undefined> {
    return this.rows.get(taskId);
  }
  async delete(taskId: string): Promise<void> {
    this.rows.delete(taskId);
  }
  release(): void {
    for (const r of this.held.splice(0)) r();
  }
}

const frame = (n: number): Buffer => Buffer.from(`frame-${n}`);

describe('live previews shared between gateways', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('writes the first frame at once, then at most every 500 ms, and always the last one', async () => {
    const shared = new RecordingFrames();
    const previews = new LivePreviews({ shared });
    const start = Date.now();
    for (let i = 1; i <= 10; i++) {
      previews.set('t1', frame(i), 'image/jpeg');
      await vi.advanceTimersByTimeAsync(100);
    }
    await vi.advanceTimersByTimeAsync(1000);
    expect(shared.puts.map((p) => [p.seq, p.at - start])).toEqual([
      [1, 0],
      [5, 500],
      [10, 1000],
    ]);
    expect((await previews.latest('t1', true))?.seq).toBe(10);
  });

  it('another gateway reads the shared frame of a running task, and nothing of a finished one', async () => {
    const shared = new RecordingFrames();
    const here = new LivePreviews({ shared });
    const there = new LivePreviews({ shared });
    here.set('t1', frame(1), 'image/png');
    await vi.advanceTimersByTimeAsync(0);
    expect((await there.latest('t1', true))?.image.toString()).toBe('frame-1');
    expect(await there.latest('t1', false)).toBeUndefined();
  });

  it('a drop deletes the shared frame after a write still in flight (that write cannot bring it back)', async () => {
    const shared = new RecordingFrames();
    shared.slow = true;
    const previews = new LivePreviews({ shared });
    previews.set('t1', frame(1), 'image/png');
    previews.drop('t1');
    await vi.advanceTimersByTimeAsync(0);
    shared.release();
    await vi.advanceTimersByTimeAsync(1000);
    expect(shared.rows.has('t1')).toBe(false);
    expect(previews.get('t1')).toBeUndefined();
  });

  it('knows a task has a preview when the gateway that runs it published one, until it ends', () => {
    const bus = createInProcessTaskBus();
    const previews = new LivePreviews({ bus });
    const preview = { event: 'preview' as const, data: { task_id: 't1', preview_url: '/p', seq: 1 } };
    bus.deliver({ ownerId: 'o', event: preview, remote: true });
    expect(previews.has('t1')).toBe(true);
    bus.deliver({
      ownerId: 'o',
      event: { event: 'progress', data: { task_id: 't1', status: 'running', progress: 50, stage: 'sampling' } },
      remote: true,
    });
    expect(previews.has('t1')).toBe(true);
    bus.deliver({ ownerId: 'o', event: { event: 'cancelled', data: { task_id: 't1' } }, remote: true });
    expect(previews.has('t1')).toBe(false);
  });

  it('one gateway keeps frames in memory only', () => {
    const previews = new LivePreviews();
    expect(previews.set('t1', frame(1), 'image/png')).toBe(1);
    expect(previews.set('t1', frame(2), 'image/png')).toBe(2);
    expect(previews.has('t1')).toBe(true);
    previews.drop('t1');
    expect(previews.has('t1')).toBe(false);
  });
});
