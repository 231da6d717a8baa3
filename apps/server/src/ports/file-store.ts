import type { Readable } from 'node:stream';

/** Media bytes on disk (or an object store later). Keys are derived from ids, never from user input. */
export interface FileStore {
  write(key: string, data: Buffer): Promise<void>;
  read(key: string): Promise<Buffer>;
  stream(key: string, range?: { start: number; end: number }): Readable;
  size(key: string): Promise<number>;
  /** a local path for tools that need one (ffmpeg) */
  localPath(key: string): string;
  remove(key: string): Promise<void>;
  removePrefix(prefix: string): Promise<void>;
}
