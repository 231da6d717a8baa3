import fs from 'node:fs';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';

/**
 * A write nobody needs on disk at once (a running task's progress): committed with synchronous=NORMAL, so it
 * is atomic and ordered but the event loop does not wait for an fsync; the next FULL commit or checkpoint makes it
 * durable, and a crash before that loses only this report. FULL again afterwards, even if `fn` throws.
 */
export function withoutFsync<T>(db: Database.Database, fn: () => T): T {
  db.pragma('synchronous = NORMAL');
  try {
    return fn();
  } finally {
    db.pragma('synchronous = FULL');
  }
}

/**
 * fdatasync of the WAL file on libuv's thread pool, coalesced: calls that arrive while one runs share the next
 * one. After a transaction committed with synchronous=NORMAL its frames are in the WAL file (in the page cache);
 * once this resolves they are on disk, the same guarantee synchronous=FULL gives, without blocking the event loop
 * for the fsync.
 */
export function createWalSync(walPath: string): { sync(): Promise<void>; close(): void } {
  let fd: number | undefined;
  let running = false;
  let next: Array<{ resolve: () => void; reject: (err: Error) => void }> = [];
  const start = (): void => {
    running = true;
    const batch = next;
    next = [];
    try {
      fd ??= fs.openSync(walPath, 'r'); // an fsync through any descriptor flushes the file's dirty pages
    } catch (err) {
      running = false;
      for (const w of batch) w.reject(err instanceof Error ? err : new Error(String(err)));
      return;
    }
    fs.fdatasync(fd, (err) => {
      running = false;
      for (const w of batch) {
        if (err) w.reject(err);
        else w.resolve();
      }
      if (next.length > 0) start();
    });
  };
  return {
    sync: () =>
      new Promise<void>((resolve, reject) => {
        next.push({ resolve, reject });
        if (!running) start();
      }),
    close() {
      if (fd !== undefined) fs.closeSync(fd);
      fd = undefined;
    },
  };
}

// The checkpointer's thread: its own connection, a PASSIVE checkpoint on a timer (it never blocks the writer).
const CHECKPOINTER = `
const { workerData, parentPort } = require('node:worker_threads');
const Database = require(workerData.module);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 1000');
const tick = () => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch (err) { parentPort.postMessage({ error: String(err) }); }
};
const timer = setInterval(tick, workerData.intervalMs);
parentPort.postMessage({ ready: true });
parentPort.on('message', () => { clearInterval(timer); tick(); db.close(); parentPort.close(); });
`;

/**
 * WAL checkpoints off the event loop: the gateway's connection runs with wal_autocheckpoint=0 (a checkpoint
 * inside a commit copies ~1000 pages and fsyncs the database file while every request waits), and this worker
 * thread checkpoints on its own connection instead. If the thread fails, `onFailure` turns the connection's
 * automatic checkpoints back on, so the WAL never grows without bound.
 */
export function startSqliteCheckpointer(
  file: string,
  o: { intervalMs?: number; onFailure: (err: Error) => void },
): { ready: Promise<void>; stop(): Promise<void> } {
  const worker = new Worker(CHECKPOINTER, {
    eval: true,
    workerData: {
      file,
      module: createRequire(import.meta.url).resolve('better-sqlite3'),
      intervalMs: o.intervalMs ?? 200,
    },
  });
  let stopping = false;
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  worker.on('message', (m: { error?: string; ready?: boolean }) => {
    if (m.ready) markReady();
    if (m.error) o.onFailure(new Error(`WAL checkpoint failed: ${m.error}`));
  });
  worker.on('error', (err) => o.onFailure(err));
  worker.on('exit', (code) => {
    if (!stopping) o.onFailure(new Error(`the WAL checkpointer thread exited (${code})`));
  });
  worker.unref();
  return {
    /** the thread has its connection open and its timer running (tests wait on it) */
    ready,
    async stop() {
      stopping = true;
      worker.postMessage('stop');
      await exited;
    },
  };
}
