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
 * better-sqlite3 commits synchronously, so while one batch syncs the loop is blocked and the requests that
 * arrive meanwhile form the next batch by themselves.
 */
export function groupCommit<A, R>(
  db: Database.Database,
  run: (args: A) => R,
  opts: { maxRows?: number; /** each committed batch's size (metrics, tests) */ onBatch?: (rows: number) => void } = {},
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
    }
    opts.onBatch?.(batch.length);
    batch.forEach((p, i) => {
      const o = outcomes[i];
      if (o?.ok) p.resolve(o.value);
      else p.reject(o?.error);
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
