import type { Readable } from 'node:stream';

export interface StoredFile {
  key: string;
  bytes: number;
  modifiedAt: number;
}

/** Media bytes on disk (or an object store later). Keys are derived from ids, never from user input. */
export interface FileStore {
  write(key: string, data: Buffer): Promise<void>;
  read(key: string): Promise<Buffer>;
  stream(key: string, range?: { start: number; end: number }): Readable;
  size(key: string): Promise<number>;
  /** a local path for tools that need one (ffmpeg) */
  localPath(key: string): string;
  remove(key: string): Promise<void>;
  /** renames a file to another key (withheld outputs into and out of quarantine) */
  move(from: string, to: string): Promise<void>;
  removePrefix(prefix: string): Promise<void>;
  /** every file under a prefix (for orphan collection) */
  list(prefix: string): Promise<StoredFile[]>;
  /** space left where the files go; null when unbounded (an object store) */
  freeBytes(): Promise<number | null>;
}
