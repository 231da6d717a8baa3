import { useCallback, useEffect, useMemo, useReducer, useRef } from 'react';
import type { GenerateRequest, GenerationResult, TaskStage, TaskStatus } from '@mediagen/contract';
import { isApiError } from '../../api/ApiError.ts';
import { cancelTask, type Accepted } from '../../api/endpoints.ts';
import { subscribeTask, type TaskUpdate } from '../../api/taskEvents.ts';

export interface TaskEntry {
  id: string;
  request: GenerateRequest;
  status: TaskStatus;
  progress: number;
  stage: TaskStage;
  queuePosition: number | undefined;
  etaSeconds: number | undefined;
  previewUrl: string | undefined;
  result: GenerationResult | undefined;
  error: string | undefined;
  code: string | undefined;
  cancelling: boolean;
  cancelError: string | undefined;
}

export interface TasksControl {
  tasks: readonly TaskEntry[];
  inFlight: number;
  lastSeed: number | undefined;
  add: (accepted: Accepted, request: GenerateRequest) => void;
  cancel: (id: string) => void;
  dismiss: (id: string) => void;
}

type Action =
  | { type: 'add'; entry: TaskEntry }
  | { type: 'update'; id: string; update: TaskUpdate }
  | { type: 'patch'; id: string; patch: Partial<TaskEntry> }
  | { type: 'remove'; id: string };

/** Keep the tab's list short: finished jobs live on in the gallery. */
const MAX_KEPT = 20;

export function isTerminal(status: TaskStatus): boolean {
  return status === 'completed' || status === 'failed' || status === 'cancelled';
}

function applyUpdate(e: TaskEntry, u: TaskUpdate): TaskEntry {
  switch (u.kind) {
    case 'progress':
      return {
        ...e,
        status: u.status,
        progress: Math.max(e.progress, u.progress),
        stage: u.stage,
        queuePosition: u.status === 'queued' ? u.queuePosition : undefined,
        etaSeconds: u.etaSeconds,
      };
    case 'preview':
      return { ...e, previewUrl: u.url };
    case 'completed':
      return {
        ...e,
        status: 'completed',
        progress: 100,
        stage: 'done',
        result: u.result,
        queuePosition: undefined,
        etaSeconds: undefined,
      };
    case 'failed':
      return { ...e, status: 'failed', error: u.error, code: u.code, queuePosition: undefined, etaSeconds: undefined };
    case 'cancelled':
      return { ...e, status: 'cancelled', queuePosition: undefined, etaSeconds: undefined, cancelling: false };
  }
}

function reducer(tasks: readonly TaskEntry[], a: Action): readonly TaskEntry[] {
  switch (a.type) {
    case 'add': {
      if (tasks.some((t) => t.id === a.entry.id)) return tasks; // an idempotent retry returned the same task
      const next = [a.entry, ...tasks];
      while (next.length > MAX_KEPT) {
        const idx = next.findLastIndex((t) => isTerminal(t.status));
        if (idx < 0) break;
        next.splice(idx, 1);
      }
      return next;
    }
    case 'update':
      return tasks.map((t) => (t.id === a.id && !isTerminal(t.status) ? applyUpdate(t, a.update) : t));
    case 'patch':
      return tasks.map((t) => (t.id === a.id ? { ...t, ...a.patch } : t));
    case 'remove':
      return tasks.filter((t) => t.id !== a.id);
  }
}

/**
 * This tab's jobs and their live subscriptions (SSE, or polling as fallback). Lives above the
 * tabs so progress keeps flowing while the user looks at the gallery.
 */
export function useTasks(onFinished?: (entry: TaskEntry, update: TaskUpdate) => void): TasksControl {
  const [tasks, dispatch] = useReducer(reducer, []);
  const subs = useRef(new Map<string, () => void>());
  const finishedRef = useRef(onFinished);
  useEffect(() => {
    finishedRef.current = onFinished;
  });

  useEffect(() => {
    const live = new Set(tasks.filter((t) => !isTerminal(t.status)).map((t) => t.id));
    for (const t of tasks) {
      if (!live.has(t.id) || subs.current.has(t.id)) continue;
      const entry = t;
      subs.current.set(
        t.id,
        subscribeTask(t.id, (update) => {
          dispatch({ type: 'update', id: entry.id, update });
          if (update.kind === 'completed' || update.kind === 'failed' || update.kind === 'cancelled') {
            finishedRef.current?.(entry, update);
          }
        }),
      );
    }
    for (const [id, unsubscribe] of subs.current) {
      if (live.has(id)) continue;
      unsubscribe();
      subs.current.delete(id);
    }
  }, [tasks]);

  useEffect(() => {
    const map = subs.current;
    return () => {
      for (const unsubscribe of map.values()) unsubscribe();
      map.clear();
    };
  }, []);

  const add = useCallback((accepted: Accepted, request: GenerateRequest) => {
    dispatch({
      type: 'add',
      entry: {
        id: accepted.task_id,
        request,
        status: 'queued',
        progress: 0,
        stage: 'queued',
        queuePosition: accepted.queue_position,
        etaSeconds: accepted.estimated_seconds,
        previewUrl: undefined,
        result: undefined,
        error: undefined,
        code: undefined,
        cancelling: false,
        cancelError: undefined,
      },
    });
  }, []);

  const cancel = useCallback((id: string) => {
    dispatch({ type: 'patch', id, patch: { cancelling: true, cancelError: undefined } });
    cancelTask(id).then(
      (status) => {
        if (status?.status === 'cancelled') dispatch({ type: 'update', id, update: { kind: 'cancelled' } });
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

  const dismiss = useCallback((id: string) => dispatch({ type: 'remove', id }), []);

  const inFlight = tasks.filter((t) => !isTerminal(t.status)).length;
  const lastSeed = tasks.find((t) => t.result)?.result?.seed;
  return useMemo(
    () => ({ tasks, inFlight, lastSeed, add, cancel, dismiss }),
    [tasks, inFlight, lastSeed, add, cancel, dismiss],
  );
}
