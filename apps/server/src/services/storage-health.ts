import { AppError } from '#domain/app-error.ts';
import type { FileStore } from '#ports/file-store.ts';

const OUT_OF_SPACE = new Set(['ENOSPC', 'EDQUOT', 'SQLITE_FULL']);

/** A write that failed because the disk (or the database file) is full. */
export function isOutOfSpace(err: unknown): boolean {
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  if (typeof code === 'string' && OUT_OF_SPACE.has(code)) return true;
  // ffmpeg writes its outputs itself and says so in words
  return err instanceof Error && /No space left on device|Disk quota exceeded/i.test(err.message);
}

export interface StorageHealthDeps {
  files: FileStore;
  /** below this many free bytes new jobs are refused */
  minFreeBytes: number;
  now: () => number;
  log: { warn(o: object, m: string): void };
  checkEveryMs?: number;
}

/**
 * Whether the gateway can store what a new job needs: free space polled in the background, and every write
 * that fails for lack of space noted at once. A full disk is an answer (health degraded, 503 storage_full),
 * not a crash.
 */
export class StorageHealth {
  private freeBytes: number | null = null;
  private failedAt = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly d: StorageHealthDeps) {}

  async start(): Promise<void> {
    await this.check();
    this.timer = setInterval(() => void this.check(), this.d.checkEveryMs ?? 5000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async check(): Promise<void> {
    this.freeBytes = await this.d.files.freeBytes().catch(() => this.freeBytes);
  }

  /** Note a failed write; true when it failed for lack of space. */
  noteWriteFailure(err: unknown): boolean {
    if (!isOutOfSpace(err)) return false;
    this.failedAt = this.d.now();
    this.d.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'a write failed: no space left');
    void this.check();
    return true;
  }

  /** Why storage is not usable now, for /api/health; undefined when it is. */
  problem(): string | undefined {
    if (this.freeBytes !== null && this.freeBytes < this.d.minFreeBytes) {
      return `storage: ${Math.floor(this.freeBytes / 1048576)} MB free in DATA_DIR (at least ${Math.ceil(this.d.minFreeBytes / 1048576)} MB needed)`;
    }
    // a failed write counts until space has been seen free again after it
    if (this.failedAt > 0 && this.d.now() - this.failedAt < 60_000) return 'storage: a write failed for lack of space';
    return undefined;
  }

  assertWritable(): void {
    const problem = this.problem();
    if (problem) throw this.full(problem);
  }

  full(reason = 'Storage is full'): AppError {
    return new AppError('storage_full', `The server cannot store new jobs now (${reason})`, undefined, {
      retryAfterSeconds: 60,
    });
  }

  /** The same file store, reporting writes that fail for lack of space. */
  watch(files: FileStore): FileStore {
    const note = (err: unknown): never => {
      this.noteWriteFailure(err);
      throw err;
    };
    return { ...files, write: (key, data) => files.write(key, data).catch(note) };
  }
}
