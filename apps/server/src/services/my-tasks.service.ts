import {
  TERMINAL_STATUSES,
  zTaskStatus,
  type AcceptedResponse,
  type GenerateRequest,
  type ResolvedGeneration,
  type TaskListItem,
  type TaskListPage,
  type TaskStatus,
} from '@mediagen/contract';
import { AppError } from '#domain/app-error.ts';
import type { Store, TaskRecord } from '#ports/store.ts';
import type { TaskEventBus } from '#ports/task-event-bus.ts';
import type { GenerationService } from './generation.service.ts';
import type { QueueEstimator } from './queue-estimates.ts';
import { events, type EventsReply, type JsonReply, type SseEvent } from './replies.ts';
import type { UserContext } from './request-context.ts';
import { decodeCursor, encodeCursor } from './task-cursor.ts';
import type { TasksService } from './tasks.service.ts';

export interface MyTasksDeps {
  store: Store;
  bus: TaskEventBus;
  tasks: Pick<TasksService, 'view' | 'owned' | 'cancel'>;
  generation: Pick<GenerationService, 'submit'>;
  estimates: Pick<QueueEstimator, 'onChange' | 'forOwner'>;
  now: () => number;
}

const iso = (t: number | null): string | null => (t === null ? null : new Date(t).toISOString());

/** The stored parameters as a request again (retry): the seed that was used, the frames that were asked for. */
function requestOf(p: ResolvedGeneration): GenerateRequest {
  const {
    seeds: _seeds,
    requested_seed: _requestedSeed,
    requested_num_frames: requestedFrames,
    ignored_params: _ignored,
    ...rest
  } = p;
  return { ...rest, ...(requestedFrames !== undefined ? { num_frames: requestedFrames } : {}) };
}

/**
 * The caller's jobs as the workspace shows them: kept on the server (so they survive reloads and appear in
 * every tab, API jobs included), one event stream per user, cancel all queued, retry.
 */
export class MyTasksService {
  constructor(private readonly d: MyTasksDeps) {}

  async item(t: TaskRecord): Promise<TaskListItem> {
    const v = await this.d.tasks.view(t);
    const p = t.params;
    return {
      task_id: t.id,
      status: t.status,
      stage: v.stage,
      progress: v.progress,
      type: p.type,
      model: p.model,
      mode: p.mode,
      prompt: p.prompt,
      created_at: v.created_at,
      updated_at: v.updated_at,
      started_at: iso(t.startedAt),
      finished_at: iso(t.finishedAt),
      estimated_seconds: t.estimatedSeconds,
      ...(v.queue_position !== undefined && v.queue_position > 0 ? { queue_position: v.queue_position } : {}),
      ...(v.eta_seconds !== undefined ? { eta_seconds: v.eta_seconds } : {}),
      ...(v.preview_url ? { preview_url: v.preview_url } : {}),
      ...(v.result ? { result: v.result } : {}),
      ...(v.error ? { error: v.error } : {}),
      ...(v.code ? { code: v.code } : {}),
      ...(v.retriable !== undefined ? { retriable: v.retriable } : {}),
      parameters: { ...p },
    };
  }

  async list(ownerId: string, q: { status?: string; cursor?: string; limit: number }): Promise<TaskListPage> {
    const statuses: TaskStatus[] = q.status
      ? q.status.split(',').map((s) => zTaskStatus.parse(s))
      : [...zTaskStatus.options];
    const rows = await this.d.store.tasks.list({
      ownerId,
      statuses,
      ...(q.cursor ? { before: decodeCursor(q.cursor) } : {}),
      limit: q.limit + 1,
    });
    const page = rows.slice(0, q.limit);
    const last = page[page.length - 1];
    return {
      items: await Promise.all(page.map((t) => this.item(t))),
      next_cursor: rows.length > q.limit && last ? encodeCursor(last) : null,
    };
  }

  /** One stream for every task of the owner: task items on each status change, live progress, queue moves. */
  events(ownerId: string): EventsReply {
    return events({
      initial: [{ event: 'ready', data: { at: new Date(this.d.now()).toISOString() } }],
      finished: false,
      subscribe: (push) => {
        const known = new Map<string, TaskStatus>();
        let closed = false;
        const sendItem = async (id: string): Promise<void> => {
          const t = await this.d.store.tasks.get(id);
          if (closed || !t || t.ownerId !== ownerId || t.trashedAt) return;
          known.set(id, t.status);
          push({ event: 'task', data: await this.item(t) });
        };
        const offOwner = this.d.bus.subscribeOwner(ownerId, (e) => {
          if (e.event === 'preview') {
            push(e);
            return;
          }
          const id = e.data.task_id;
          if (e.event === 'progress' && e.data.status === 'running' && known.get(id) === 'running') {
            const { task_id, status, progress, stage } = e.data;
            push({ event: 'progress', data: { task_id, status, progress, stage } });
            return;
          }
          known.set(id, e.event === 'progress' ? e.data.status : e.event);
          void sendItem(id).catch(() => undefined);
        });
        let lastQueue = '';
        const offQueue = this.d.estimates.onChange(() => {
          void this.d.estimates.forOwner(ownerId).then((list) => {
            const items = list.map((e) => ({
              task_id: e.taskId,
              queue_position: e.position,
              ...(e.etaSeconds !== undefined ? { eta_seconds: e.etaSeconds } : {}),
            }));
            const text = JSON.stringify(items);
            if (closed || text === lastQueue) return;
            lastQueue = text;
            const ev: SseEvent = { event: 'queue', data: { items } };
            push(ev);
          });
        });
        return () => {
          closed = true;
          offOwner();
          offQueue();
        };
      },
    });
  }

  /** Cancel every queued task of the owner; running ones keep running. */
  async cancelQueued(ownerId: string): Promise<{ cancelled: number }> {
    let cancelled = 0;
    for (;;) {
      const batch = await this.d.store.tasks.list({ ownerId, statuses: ['queued'], limit: 100 });
      let moved = 0;
      for (const t of batch) {
        const v = await this.d.tasks.cancel(ownerId, t.id);
        if (v.status === 'cancelled') moved++;
      }
      cancelled += moved;
      if (batch.length < 100 || moved === 0) return { cancelled };
    }
  }

  /** A failed or cancelled task again, as a new task with the same parameters (validated and admitted anew). */
  async retry(ctx: UserContext, id: string): Promise<JsonReply<AcceptedResponse>> {
    const t = await this.d.tasks.owned(ctx.user.id, id);
    if (!TERMINAL_STATUSES.includes(t.status) || t.status === 'completed') {
      throw new AppError('conflict', 'Only a failed or cancelled task can be retried');
    }
    return (await this.d.generation.submit(ctx, requestOf(t.params), {
      uploads: [],
      preferWait: 0,
    })) as JsonReply<AcceptedResponse>;
  }
}
