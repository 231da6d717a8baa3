import { EngineError } from '#ports/engine.ts';
import type { AccountRecord, TaskRecord } from '#ports/store.ts';
import type { AccountsService } from '#services/accounts.service.ts';
import { isOutOfSpace } from '#services/storage-health.ts';
import type { TaskLifecycle } from '#services/task-lifecycle.ts';
import { OutputWithheldError } from './output-check.ts';

/**
 * A run that threw: cancelled, withheld by the output check, re-queued while retries are left and the error is
 * retriable, else failed with the engine's code (or storage_full / internal_error).
 */
export async function handleJobFailure(
  d: {
    lifecycle: TaskLifecycle;
    accounts: Pick<AccountsService, 'check'>;
    now: () => number;
    retryLimit: number;
    log: { info(o: object, m: string): void; warn(o: object, m: string): void; error(o: object, m: string): void };
  },
  task: TaskRecord,
  acc: AccountRecord,
  err: unknown,
  signal: AbortSignal,
): Promise<void> {
  const log = { taskId: task.id, accountId: acc.id };
  if (signal.aborted || (err instanceof EngineError && err.code === 'cancelled')) {
    await d.lifecycle.transition(task, 'cancelled', { stage: 'done', finishedAt: d.now() });
    d.log.info(log, 'job cancelled');
    return;
  }
  if (err instanceof OutputWithheldError) {
    // never retried: the same prompt would be checked again; the rest of a batch is dropped with it
    await d.lifecycle.transition(task, 'failed', {
      stage: 'done',
      error: 'The output was withheld by the content policy',
      errorCode: 'output_policy_violation',
      retriable: false,
      finishedAt: d.now(),
    });
    d.log.warn({ ...log, rule: err.rule }, 'job failed: output withheld');
    return;
  }
  const engineErr = err instanceof EngineError ? err : undefined;
  const message = err instanceof Error ? err.message : String(err);
  const retriable = engineErr?.retriable ?? false;
  if (engineErr?.code === 'backend_lost') {
    // the backend died: re-check it (ready → checking → failed until it answers again)
    void d.accounts.check(acc.id).catch(() => undefined);
  }
  if (retriable && task.attempts <= d.retryLimit) {
    const requeued = await d.lifecycle.transition(task, 'queued', {
      stage: 'queued',
      progress: 0,
      accountId: null,
      promptId: null,
    });
    if (requeued)
      d.log.warn(
        { ...log, attempts: task.attempts, code: engineErr?.code, err: message },
        'job failed on backend; re-queued',
      );
    return;
  }
  const full = !engineErr && isOutOfSpace(err);
  const code = engineErr?.code ?? (full ? 'storage_full' : 'internal_error');
  const text = engineErr
    ? message
    : full
      ? 'The server ran out of storage while saving the result'
      : `Internal error while running the job: ${message}`;
  await d.lifecycle.transition(task, 'failed', {
    stage: 'done',
    error: text,
    errorCode: code,
    retriable,
    finishedAt: d.now(),
  });
  d.log.error({ ...log, code, err: engineErr ? message : err }, 'job failed');
}
