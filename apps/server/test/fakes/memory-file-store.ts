import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { FileStore, LocalFile, StoredFile } from '#ports/file-store.ts';

const SAFE_KEY = /^[a-zA-Z0-9_\-/.]+$/;
let instances = 0;

function notFound(key: string): Error {
  return Object.assign(new Error(`ENOENT: no such file in the memory file store: ${key}`), { code: 'ENOENT' });
}

/**
 * The FileStore port in a Map, for unit tests. Keys are checked like the disk adapter's. `localPath` gives a name
 * that exists nowhere on disk (one flat name in the OS temp folder, so creating its parent folder is a no-op and
 * nothing is written): only the fake media tools, which map it back with `keyOf`, can use it. A unit test that
 * reaches real tools with such a path fails with ENOENT, as it should.
 */
export class MemoryFileStore implements FileStore {
  readonly files = new Map<string, Buffer>();
  /** when each file was written (a test may age one) */
  readonly modifiedAt = new Map<string, number>();
  private readonly prefix = path.join(os.tmpdir(), `mediagen-memory-file-store-${++instances}--`);

  private check(key: string): string {
    if (!SAFE_KEY.test(key) || key.includes('..') || key.startsWith('/')) throw new Error(`unsafe file key: ${key}`);
    return key;
  }

  private bytes(key: string): Buffer {
    const data = this.files.get(this.check(key));
    if (!data) throw notFound(key);
    return data;
  }

  async write(key: string, data: Buffer): Promise<void> {
    this.files.set(this.check(key), Buffer.from(data));
    this.modifiedAt.set(key, Date.now());
  }

  async read(key: string): Promise<Buffer> {
    return Buffer.from(this.bytes(key));
  }

  stream(key: string, range?: { start: number; end: number }): Readable {
    const data = this.bytes(key);
    return Readable.from([range ? data.subarray(range.start, range.end + 1) : data]);
  }

  async size(key: string): Promise<number> {
    return this.bytes(key).length;
  }

  localPath(key: string): string {
    return this.prefix + encodeURIComponent(this.check(key));
  }

  async readablePath(key: string): Promise<LocalFile> {
    return { path: this.localPath(key), release: async () => undefined };
  }

  async writablePath(key: string): Promise<LocalFile & { commit(): Promise<void> }> {
    return { path: this.localPath(key), commit: async () => undefined, release: async () => undefined };
  }

  /** The key a `localPath` names; undefined for any other path. */
  keyOf(localPath: string): string | undefined {
    return localPath.startsWith(this.prefix) ? decodeURIComponent(localPath.slice(this.prefix.length)) : undefined;
  }

  async remove(key: string): Promise<void> {
    this.files.delete(this.check(key));
  }

  async list(prefix: string): Promise<StoredFile[]> {
    const p = this.check(prefix);
    return [...this.files.entries()]
      .filter(([key]) => key === p || key.startsWith(`${p}/`))
      .map(([key, data]) => ({ key, bytes: data.length, modifiedAt: this.modifiedAt.get(key) ?? 0 }));
  }

  /** space left: unbounded unless a test sets it */
  free: number | null = null;

  async freeBytes(): Promise<number | null> {
    return this.free;
  }

  async move(from: string, to: string): Promise<void> {
    const data = this.files.get(this.check(from));
    if (data === undefined) throw Object.assign(new Error(`ENOENT: ${from}`), { code: 'ENOENT' });
    this.files.set(this.check(to), data);
    this.files.delete(from);
  }

  async removePrefix(prefix: string): Promise<void> {
    const p = this.check(prefix);
    for (const key of [...this.files.keys()]) if (key === p || key.startsWith(`${p}/`)) this.files.delete(key);
  }

  /** Keys under a prefix, sorted (what a test inspects). */
  keys(prefix = ''): string[] {
    return [...this.files.keys()].filter((k) => k.startsWith(prefix)).sort();
  }
}
