import type Database from 'better-sqlite3';

interface Pending<A, R> {
  args: A;
  resolve: (r: R) => void;
  reject: (err: unknown) => void;
}

/**
 * Group commit: calls made in the same event-loop turn (or up to `maxRows`) run in ONE transaction, so they
 * share one fsync (synchronous=FULL), and each caller is answered only after that commit is durable. Each
 * call runs in a savepoint of its own: one that throws is undone alone, the others still commit.
 *
 * With `durable`, the fsync runs on the thread pool instead of inside the commit, so the loop keeps serving while
 * a batch syncs, and the batches committed meanwhile share the next fsync.
 */
export function groupCommit<A, R>(
  db: Database.Database,
  run: (args: A) => R,
  opts: {
    maxRows?: number;
    /** each committed batch's size (metrics, tests) */
    onBatch?: (rows: number) => void;
    /**
     * makes a committed batch durable off the event loop (sqlite-wal-durability.ts): the batch then commits with
     * synchronous=NORMAL and its callers are answered when this resolves
     */
    durable?: () => Promise<void>;
  } = {},
): (args: A) => Promise<R> {
  const maxRows = opts.maxRows ?? 128;
  const one = db.transaction(run); // nested inside the batch: a savepoint
  let pending: Array<Pending<A, R>> = [];
  let scheduled = false;

  const flush = (): void => {
    scheduled = false;
    const batch = pending;
    pending = [];
    if (batch.length === 0) return;
    const outcomes: Array<{ ok: true; value: R } | { ok: false; error: unknown }> = [];
    if (opts.durable) db.pragma('synchronous = NORMAL');
    try {
      db.transaction(() => {
        for (const p of batch) {
          try {
            outcomes.push({ ok: true, value: one(p.args) });
          } catch (error) {
            outcomes.push({ ok: false, error });
          }
        }
      })();
    } catch (err) {
      // the commit itself failed (a full disk, say): nothing of the batch is durable
      for (const p of batch) p.reject(err);
      return;
    } finally {
      if (opts.durable) db.pragma('synchronous = FULL'); // every other write keeps its own fsync
    }
    opts.onBatch?.(batch.length);
    const answer = (): void =>
      batch.forEach((p, i) => {
        const o = outcomes[i];
        if (o?.ok) p.resolve(o.value);
        else p.reject(o?.error);
      });
    if (!opts.durable) return answer();
    // committed but not yet on disk: nobody is answered until the WAL's fsync (shared with later batches) ends
    opts.durable().then(answer, (err: unknown) => {
      for (const p of batch) p.reject(err);
    });
  };

  return (args) =>
    new Promise<R>((resolve, reject) => {
      pending.push({ args, resolve, reject });
      if (pending.length >= maxRows) flush();
      else if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    });
}
