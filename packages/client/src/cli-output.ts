import type { TaskEvent } from '@mediagen/contract';
import {
  AuthError,
  InsufficientCreditsError,
  InvalidRequestError,
  MediaGenError,
  NetworkError,
  NotFoundError,
  OverloadedError,
  PayloadTooLargeError,
  RateLimitedError,
  TaskCancelledError,
  TaskFailedError,
  ValidationError,
  WaitTimeoutError,
} from './errors.ts';
import { UsageError } from './cli-generate-flags.ts';

/** Exit codes by error class (documented in the README); scripts branch on these. */
export const EXIT = {
  ok: 0,
  error: 1,
  usage: 2,
  invalid: 3,
  auth: 4,
  notFound: 5,
  busy: 6,
  credits: 7,
  taskFailed: 8,
  taskCancelled: 9,
  network: 10,
  timeout: 11,
  interrupted: 130,
} as const;

export function exitCodeFor(err: unknown): number {
  if (err instanceof UsageError) return EXIT.usage;
  if (err instanceof InvalidRequestError || err instanceof ValidationError || err instanceof PayloadTooLargeError) {
    return EXIT.invalid;
  }
  if (err instanceof AuthError) return EXIT.auth;
  if (err instanceof NotFoundError) return EXIT.notFound;
  if (err instanceof RateLimitedError || err instanceof OverloadedError) return EXIT.busy;
  if (err instanceof InsufficientCreditsError) return EXIT.credits;
  if (err instanceof TaskFailedError) return EXIT.taskFailed;
  if (err instanceof TaskCancelledError) return EXIT.taskCancelled;
  if (err instanceof NetworkError) return EXIT.network;
  if (err instanceof WaitTimeoutError) return EXIT.timeout;
  return EXIT.error;
}

/** The error as scripts read it (`--json`). */
export function errorJson(err: unknown): { error: Record<string, unknown> } {
  if (err instanceof MediaGenError) {
    return {
      error: {
        type: err.name,
        code: err.code,
        status: err.status,
        message: err.message,
        ...(err.details.length > 0 ? { details: err.details } : {}),
        ...(err.userAction ? { user_action: err.userAction } : {}),
        ...(err.retryAfter !== undefined ? { retry_after: err.retryAfter } : {}),
        ...(err instanceof TaskFailedError ? { task_id: err.taskId, retriable: err.retriable } : {}),
      },
    };
  }
  return {
    error: {
      type: err instanceof Error ? err.name : 'Error',
      message: err instanceof Error ? err.message : String(err),
    },
  };
}

/** The error as a person reads it: the server's message, the fields it names, and its advice. */
export function errorText(err: unknown): string {
  if (!(err instanceof MediaGenError)) return `error: ${err instanceof Error ? err.message : String(err)}`;
  const lines = [`error: ${err.message}${err.status ? ` (${err.status} ${err.code})` : ` (${err.code})`}`];
  for (const d of err.details) lines.push(`  ${d.path}: ${d.message}`);
  if (err.userAction) lines.push(`hint: ${err.userAction}`);
  if (err.retryAfter !== undefined) lines.push(`retry after: ${err.retryAfter} s`);
  return lines.join('\n');
}

/** A one-line progress bar on a terminal (stderr), redrawn in place. */
export class ProgressBar {
  private lastLine = '';
  constructor(private readonly out: { write(s: string): boolean; columns?: number }) {}

  update(e: TaskEvent): void {
    if (e.event !== 'progress') return;
    const { progress, stage, queue_position: pos, eta_seconds: eta } = e.data;
    const width = 24;
    const filled = Math.round((Math.max(0, Math.min(100, progress)) / 100) * width);
    const bar = `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
    const where = e.data.status === 'queued' && pos !== undefined ? `queued #${pos}` : stage;
    const line = `[${bar}] ${progress.toFixed(0).padStart(3)}% ${where}${eta !== undefined ? ` · ~${Math.round(eta)}s` : ''}`;
    if (line === this.lastLine) return;
    this.lastLine = line;
    const cols = this.out.columns ?? 80;
    this.out.write(`\r${line.slice(0, cols - 1).padEnd(Math.min(cols - 1, 60))}`);
  }

  done(text: string): void {
    this.out.write(`\r${' '.repeat(Math.min((this.out.columns ?? 80) - 1, 60))}\r${text}\n`);
  }
}
