import type { Readable } from 'node:stream';

export interface StoredFile {
  key: string;
  bytes: number;
  modifiedAt: number;
}

/** A local file for a tool that needs a path (ffmpeg, sharp on a file). */
export interface LocalFile {
  path: string;
  /** drops a temporary copy (an object store); nothing for files that live on disk */
  release(): Promise<void>;
}

/** Media bytes on disk or in an object store (S3). Keys are derived from ids, never from user input. */
export interface FileStore {
  write(key: string, data: Buffer): Promise<void>;
  read(key: string): Promise<Buffer>;
  stream(key: string, range?: { start: number; end: number }): Readable;
  size(key: string): Promise<number>;
  /** the file at a local path for tools that read one (a download from an object store) */
  readablePath(key: string): Promise<LocalFile>;
  /** a local path a tool writes the file at; `commit` stores it under the key (an upload to an object store) */
  writablePath(key: string): Promise<LocalFile & { commit(): Promise<void> }>;
  remove(key: string): Promise<void>;
  /** renames a file to another key (withheld outputs into and out of quarantine) */
  move(from: string, to: string): Promise<void>;
  removePrefix(prefix: string): Promise<void>;
  /** every file under a prefix (for orphan collection) */
  list(prefix: string): Promise<StoredFile[]>;
  /** space left where the files go; null when unbounded (an object store) */
  freeBytes(): Promise<number | null>;
  /**
   * A URL the client may fetch the file from directly for a while (an object store's presigned URL), or
   * undefined: the gateway streams it. Only offered when configured (S3_PRESIGN=true).
   */
  signedUrl?(
    key: string,
    o: { contentType: string; disposition?: { type: 'inline' | 'attachment'; filename: string } },
  ): Promise<string>;
}
