import { useCallback, useEffect, useRef, useState } from 'react';
import type { ErrorDetail, GenerateRequest, GenerationType, ModelId } from '@mediagen/contract';
import { ApiError, isApiError, type ApiErrorCode } from '../../api/ApiError.ts';
import { postGenerate, type Accepted } from '../../api/endpoints.ts';
import { newIdempotencyKey } from '../../api/http.ts';
import { getAvailability } from '../../api/workspace.ts';
import { fieldForPath, placedPaths } from './formState.ts';
import { knownUnsupported, payloadFor } from './unsupportedParams.ts';
import type { FieldErrors, StudioForm } from './useStudioForm.ts';
import { validateRequest } from './validateRequest.ts';

/** Per tab: a fourth job waits until one of three finishes (keeps one user from flooding a lane). */
export const MAX_IN_FLIGHT = 3;
/** Automatic retries after 503/429 before the user is asked. */
export const MAX_AUTO_RETRIES = 3;
const FALLBACK_RETRY_SECONDS = 10;
/** A double click on a fast server must not start the job twice: ignore submits this soon after one. */
const RESUBMIT_GUARD_MS = 600;

export type SubmitProblem =
  | { kind: 'invalid'; unplaced: ErrorDetail[] }
  | { kind: 'too_many' }
  | { kind: 'api'; error: ApiError }
  | { kind: 'gave_up'; error: ApiError };

export interface RetryCountdown {
  secondsLeft: number;
  /** 1-based number of the retry that will run */
  attempt: number;
  code: ApiErrorCode;
  userAction: string | undefined;
  /** the server's reason and Retry-After */
  reason: string;
  retryAfter: number | undefined;
  /** the refused job: only it is re-sent; other models and types stay free to generate */
  model: ModelId;
  type: GenerationType;
  /** jobs waiting of the refused job's type, when known */
  waiting: number | undefined;
  /** types that would be admitted now */
  availableTypes: GenerationType[];
}

export interface GenerateControl {
  submit: () => void;
  sending: boolean;
  countdown: RetryCountdown | null;
  problem: SubmitProblem | null;
  retryNow: () => void;
  stopRetry: () => void;
  dismiss: () => void;
}

/** First wait is Retry-After itself (10 s without it), then doubles, capped at 2 min. */
export function retryDelaySeconds(retryAfter: number | undefined, retryIndex: number): number {
  const base = Math.max(1, retryAfter ?? FALLBACK_RETRY_SECONDS);
  return Math.min(120, base * 2 ** retryIndex);
}

function focusField(path: string): void {
  setTimeout(() => document.getElementById(`f-${path}`)?.focus(), 0);
}

export function useGenerate(
  form: StudioForm,
  inFlight: number,
  onAccepted: (accepted: Accepted, request: GenerateRequest) => void,
): GenerateControl {
  const [sending, setSending] = useState(false);
  const [countdown, setCountdown] = useState<RetryCountdown | null>(null);
  const [problem, setProblem] = useState<SubmitProblem | null>(null);
  // A ref, not state: two clicks in one frame must not both pass the guard.
  const busy = useRef(false);
  const lastAcceptedAt = useRef(0);
  const mounted = useRef(true);
  const timer = useRef<ReturnType<typeof setInterval> | undefined>(undefined);
  const pending = useRef<{ request: GenerateRequest; retryIndex: number } | null>(null);
  const latest = useRef({ form, onAccepted });
  useEffect(() => {
    latest.current = { form, onAccepted };
  });
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
      if (timer.current) clearInterval(timer.current);
    };
  }, []);

  const clearTimer = (): void => {
    if (timer.current) clearInterval(timer.current);
    timer.current = undefined;
  };

  /** the send in hand is over (the pending retry of another job, if any, goes on) */
  const doneSending = useCallback((): void => {
    busy.current = false;
    setSending(false);
  }, []);
  const clearRetry = useCallback((): void => {
    pending.current = null;
    clearTimer();
    setCountdown(null);
  }, []);
  const finish = useCallback((): void => {
    doneSending();
    clearRetry();
  }, [doneSending, clearRetry]);

  /** 422/400 details go next to the fields they name; the rest are listed in the banner. */
  const showDetails = useCallback((details: readonly ErrorDetail[]): void => {
    const s = latest.current.form.state;
    const placed = placedPaths(s);
    const errors: FieldErrors = {};
    const unplaced: ErrorDetail[] = [];
    for (const d of details) {
      const field = fieldForPath(s, d.path);
      if (!placed.has(field)) unplaced.push(d);
      else if (errors[field] === undefined) errors[field] = d.message;
    }
    latest.current.form.setErrors(errors);
    setProblem({ kind: 'invalid', unplaced });
    const first = Object.keys(errors)[0];
    if (first) focusField(first);
  }, []);

  // the countdown's retry calls the latest `attempt` through this ref (a callback cannot name itself)
  const attemptRef = useRef<(request: GenerateRequest, retryIndex: number) => Promise<void>>(async () => undefined);
  const attempt = useCallback(
    async (request: GenerateRequest, retryIndex: number): Promise<void> => {
      busy.current = true;
      setSending(true);
      const isRetry = retryIndex > 0;
      // A fresh key per attempt after a definite refusal (the server may remember a refused key);
      // network retries inside postGenerate reuse this one, so a lost answer never doubles a job.
      const key = newIdempotencyKey();
      try {
        const accepted = await postGenerate(request, key);
        if (!mounted.current) return;
        lastAcceptedAt.current = Date.now();
        doneSending();
        if (isRetry) clearRetry();
        setProblem(null);
        latest.current.onAccepted(accepted, request);
      } catch (err) {
        if (!mounted.current) return;
        const error = isApiError(err) ? err : new ApiError({ status: 0, code: 'unknown_error', message: String(err) });
        if (error.status === 503 || error.status === 429) {
          if (retryIndex >= MAX_AUTO_RETRIES) {
            finish();
            setProblem({ kind: 'gave_up', error });
            return;
          }
          const seconds = retryDelaySeconds(error.retryAfterSeconds, retryIndex);
          const deadline = Date.now() + seconds * 1000;
          pending.current = { request, retryIndex: retryIndex + 1 };
          doneSending();
          setProblem(null);
          setCountdown({
            secondsLeft: seconds,
            attempt: retryIndex + 1,
            code: error.code,
            userAction: error.userAction,
            reason: error.message,
            retryAfter: error.retryAfterSeconds,
            model: request.model,
            type: request.type,
            waiting: undefined,
            availableTypes: [],
          });
          // what else would be admitted now: the banner routes around the refusal
          getAvailability().then(
            (a) => {
              if (pending.current?.request !== request) return;
              const availableTypes = (['image', 'video'] as const).filter((ty) =>
                a.models.some((m) => m.type === ty && m.available),
              );
              setCountdown((c) => (c ? { ...c, waiting: a.waiting[request.type], availableTypes } : c));
            },
            () => undefined,
          );
          clearTimer();
          timer.current = setInterval(() => {
            const left = Math.ceil((deadline - Date.now()) / 1000);
            if (left > 0) {
              setCountdown((c) => (c && c.secondsLeft !== left ? { ...c, secondsLeft: left } : c));
              return;
            }
            clearTimer();
            void attemptRef.current(request, retryIndex + 1);
          }, 250);
          return;
        }
        finish();
        if (error.code === 'prompt_policy_violation') {
          // user_action is worded by the server in the UI's language and names no matched words
          showDetails([{ path: 'prompt', message: error.userAction ?? error.message }]);
          return;
        }
        if ((error.status === 422 || error.status === 400) && error.details.length > 0) {
          showDetails(error.details);
          return;
        }
        setProblem({ kind: 'api', error });
      }
    },
    [finish, showDetails, doneSending, clearRetry],
  );
  useEffect(() => {
    attemptRef.current = attempt;
  }, [attempt]);

  const submit = useCallback((): void => {
    if (busy.current || Date.now() - lastAcceptedAt.current < RESUBMIT_GUARD_MS) return;
    const { form: f } = latest.current;
    const v = validateRequest(payloadFor(f.state, knownUnsupported()));
    if (!v.request) {
      showDetails(v.details);
      return;
    }
    if (inFlight >= MAX_IN_FLIGHT) {
      setProblem({ kind: 'too_many' });
      return;
    }
    if (pending.current?.request.model === v.request.model) return; // that model waits for its retry
    setProblem(null);
    f.setErrors({});
    void attempt(v.request, 0);
  }, [attempt, inFlight, showDetails]);

  const retryNow = useCallback((): void => {
    const p = pending.current;
    if (!p || busy.current) return;
    clearTimer();
    void attempt(p.request, p.retryIndex);
  }, [attempt]);

  const stopRetry = useCallback((): void => {
    clearRetry();
  }, [clearRetry]);

  const dismiss = useCallback((): void => setProblem(null), []);

  return { submit, sending, countdown, problem, retryNow, stopRetry, dismiss };
}
