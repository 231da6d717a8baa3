import { useCallback, useEffect, useMemo, useReducer, useRef } from 'react';
import type {
  GenerateRequest,
  GenerationResult,
  TaskListItem,
  TaskStage,
  TaskStatus,
  UserStreamEvent,
} from '@mediagen/contract';
import { isApiError } from '../../api/ApiError.ts';
import { cancelTask, type Accepted } from '../../api/endpoints.ts';
import { previewSrc, subscribeUserEvents } from '../../api/userEvents.ts';
import { cancelQueuedTasks, listTasks, retryTask } from '../../api/workspace.ts';
import { hiddenJobs } from './hiddenJobs.ts';

export interface TaskEntry {
  id: string;
  status: TaskStatus;
  stage: TaskStage;
  progress: number;
  type: TaskListItem['type'];
  model: TaskListItem['model'];
  mode: TaskListItem['mode'];
  prompt: string;
  parameters: Record<string, unknown>;
  createdAt: number;
  startedAt: number | undefined;
  queuePosition: number | undefined;
  etaSeconds: number | undefined;
  /** when etaSeconds arrived (ms), to count it down */
  etaAt: number;
  previewUrl: string | undefined;
  result: GenerationResult | undefined;
  error: string | undefined;
  code: string | undefined;
  cancelling: boolean;
  cancelError: string | undefined;
}

export type FinishKind = 'completed' | 'failed' | 'cancelled';

export interface TasksControl {
  tasks: readonly TaskEntry[];
  inFlight: number;
  queued: number;
  lastSeed: number | undefined;
  /** the list has been read from the server at least once */
  loaded: boolean;
  add: (accepted: Accepted, request: GenerateRequest) => void;
  cancel: (id: string) => void;
  cancelQueued: () => Promise<number>;
  retry: (id: string) => Promise<void>;
  dismiss: (id: string) => void;
}

type Action =
  | { type: 'sync'; items: TaskListItem[]; at: number }
  | { type: 'upsert'; item: TaskListItem; at: number }
  | { type: 'event'; event: UserStreamEvent; at: number }
  | { type: 'patch'; id: string; patch: Partial<TaskEntry> }
  | { type: 'remove'; id: string };

interface State {
  tasks: readonly TaskEntry[];
  loaded: boolean;
}

const MAX_KEPT = 50;
const ms = (iso: string | null | undefined): number | undefined => (iso ? Date.parse(iso) : undefined);

export function isTerminal(status: TaskStatus): boolean {
  return status === 'completed' || status === 'failed' || status === 'cancelled';
}

function fromItem(item: TaskListItem, at: number, prev?: TaskEntry): TaskEntry {
  return {
    id: item.task_id,
    status: item.status,
    stage: item.stage,
    progress: item.status === prev?.status ? Math.max(prev.progress, item.progress) : item.progress,
    type: item.type,
    model: item.model,
    mode: item.mode,
    prompt: item.prompt,
    parameters: item.parameters,
    createdAt: ms(item.created_at) ?? at,
    startedAt: ms(item.started_at),
    queuePosition: item.status === 'queued' ? item.queue_position : undefined,
    etaSeconds: isTerminal(item.status) ? undefined : item.eta_seconds,
    etaAt: at,
    previewUrl: item.status === 'running' ? prev?.previewUrl : undefined,
    result: item.result,
    error: item.error,
    code: item.code,
    cancelling: isTerminal(item.status) ? false : (prev?.cancelling ?? false),
    cancelError: prev?.cancelError,
  };
}

function order(tasks: TaskEntry[]): TaskEntry[] {
  return tasks.sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1)).slice(0, MAX_KEPT);
}

function applyEvent(tasks: readonly TaskEntry[], e: UserStreamEvent, at: number): readonly TaskEntry[] {
  switch (e.event) {
    case 'progress':
      return tasks.map((t) =>
        t.id === e.data.task_id && !isTerminal(t.status)
          ? { ...t, status: e.data.status, stage: e.data.stage, progress: Math.max(t.progress, e.data.progress) }
          : t,
      );
    case 'preview':
      return tasks.map((t) =>
        t.id === e.data.task_id && t.status === 'running'
          ? { ...t, previewUrl: previewSrc(e.data.preview_url.split('?')[0] ?? e.data.preview_url, e.data.seq) }
          : t,
      );
    case 'queue': {
      const byId = new Map(e.data.items.map((i) => [i.task_id, i]));
      return tasks.map((t) => {
        const q = byId.get(t.id);
        return q && t.status === 'queued'
          ? { ...t, queuePosition: q.queue_position, etaSeconds: q.eta_seconds, etaAt: at }
          : t;
      });
    }
    default:
      return tasks;
  }
}

function reducer(s: State, a: Action): State {
  switch (a.type) {
    case 'sync': {
      const prev = new Map(s.tasks.map((t) => [t.id, t]));
      return { loaded: true, tasks: order(a.items.map((i) => fromItem(i, a.at, prev.get(i.task_id)))) };
    }
    case 'upsert': {
      const prev = s.tasks.find((t) => t.id === a.item.task_id);
      const next = fromItem(a.item, a.at, prev);
      return { ...s, tasks: order([next, ...s.tasks.filter((t) => t.id !== next.id)]) };
    }
    case 'event':
      return { ...s, tasks: applyEvent(s.tasks, a.event, a.at) };
    case 'patch':
      return { ...s, tasks: s.tasks.map((t) => (t.id === a.id ? { ...t, ...a.patch } : t)) };
    case 'remove':
      return { ...s, tasks: s.tasks.filter((t) => t.id !== a.id) };
  }
}

/** What an accepted job looks like before the server's first word about it. */
function acceptedItem(accepted: Accepted, request: GenerateRequest): TaskListItem {
  const now = new Date().toISOString();
  return {
    task_id: accepted.task_id,
    status: 'queued',
    stage: 'queued',
    progress: 0,
    type: request.type,
    model: request.model,
    mode: request.mode,
    prompt: request.prompt,
    created_at: now,
    updated_at: now,
    started_at: null,
    finished_at: null,
    estimated_seconds: accepted.estimated_seconds,
    parameters: { ...request, seed: accepted.seed },
  };
}

/**
 * The user's jobs, kept on the server: read from GET /api/tasks and kept live by the one per-user event
 * stream, so they survive reloads and show jobs from other tabs and the API. Lives above the tabs.
 */
export function useTasks(onFinished?: (entry: TaskEntry, kind: FinishKind) => void): TasksControl {
  const [state, dispatch] = useReducer(reducer, { tasks: [], loaded: false });
  const statuses = useRef(new Map<string, TaskStatus>());
  const finishedRef = useRef(onFinished);
  useEffect(() => {
    finishedRef.current = onFinished;
  });

  /** Tell about jobs that ended since we last knew them (never about ones first seen already ended). */
  const noteStatuses = useCallback((items: readonly TaskListItem[]) => {
    for (const i of items) {
      const before = statuses.current.get(i.task_id);
      statuses.current.set(i.task_id, i.status);
      if (before && !isTerminal(before) && isTerminal(i.status)) {
        finishedRef.current?.(fromItem(i, Date.now()), i.status as FinishKind);
      }
    }
  }, []);

  useEffect(() => {
    let stopped = false;
    let reading: AbortController | undefined;
    const resync = (): void => {
      reading?.abort();
      const ctl = new AbortController();
      reading = ctl;
      listTasks(MAX_KEPT, ctl.signal).then(
        (page) => {
          if (stopped) return;
          const hidden = hiddenJobs.read();
          const items = page.items.filter((i) => !hidden.has(i.task_id));
          noteStatuses(items);
          dispatch({ type: 'sync', items, at: Date.now() });
        },
        () => undefined, // the next resync (stream reopen or poll) tries again
      );
    };
    const off = subscribeUserEvents((e) => {
      if (e.event === 'task') {
        if (hiddenJobs.read().has(e.data.task_id)) return;
        noteStatuses([e.data]);
        dispatch({ type: 'upsert', item: e.data, at: Date.now() });
      } else if (e.event !== 'ready') {
        dispatch({ type: 'event', event: e, at: Date.now() });
      }
    }, resync);
    return () => {
      stopped = true;
      reading?.abort();
      off();
    };
  }, [noteStatuses]);

  const add = useCallback((accepted: Accepted, request: GenerateRequest) => {
    const item = acceptedItem(accepted, request);
    if (!statuses.current.has(item.task_id)) statuses.current.set(item.task_id, 'queued');
    dispatch({ type: 'upsert', item, at: Date.now() });
  }, []);

  const cancel = useCallback((id: string) => {
    dispatch({ type: 'patch', id, patch: { cancelling: true, cancelError: undefined } });
    cancelTask(id).then(
      (s) => {
        if (s.status === 'cancelled')
          dispatch({ type: 'patch', id, patch: { status: 'cancelled', cancelling: false } });
      },
      (err: unknown) => {
        dispatch({
          type: 'patch',
          id,
          patch: { cancelling: false, cancelError: isApiError(err) ? err.message : String(err) },
        });
      },
    );
  }, []);

  const cancelQueued = useCallback(async () => (await cancelQueuedTasks()).cancelled, []);

  const retry = useCallback(async (id: string) => {
    await retryTask(id); // the new task arrives on the stream
  }, []);

  const dismiss = useCallback((id: string) => {
    hiddenJobs.add(id);
    dispatch({ type: 'remove', id });
  }, []);

  const { tasks, loaded } = state;
  const inFlight = tasks.filter((t) => !isTerminal(t.status)).length;
  const queued = tasks.filter((t) => t.status === 'queued').length;
  const lastSeed = tasks.find((t) => t.result)?.result?.seed;
  return useMemo(
    () => ({ tasks, inFlight, queued, lastSeed, loaded, add, cancel, cancelQueued, retry, dismiss }),
    [tasks, inFlight, queued, lastSeed, loaded, add, cancel, cancelQueued, retry, dismiss],
  );
}
