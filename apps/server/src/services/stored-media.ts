import fsp from 'node:fs/promises';
import type { FileStore } from '#ports/file-store.ts';
import type { MediaTools } from '#ports/media-tools.ts';

// Tools (sharp, ffmpeg, the C2PA signer) work on local paths; stored files may live in an object store. These
// give a tool a local file and put its result back, with nothing to copy when the files are on disk.

/** A tool reads a stored file at a local path (a temporary copy when it lives in an object store). */
export async function withReadable<T>(files: FileStore, key: string, use: (path: string) => Promise<T>): Promise<T> {
  const local = await files.readablePath(key);
  try {
    return await use(local.path);
  } finally {
    await local.release();
  }
}

/** A tool edits a stored file in place; the edited file is stored under the same key. */
export async function rewriteStored(
  files: FileStore,
  key: string,
  edit: (path: string) => Promise<void>,
): Promise<void> {
  const source = await files.readablePath(key);
  const out = await files.writablePath(key);
  try {
    if (source.path !== out.path) await fsp.copyFile(source.path, out.path);
    await edit(out.path);
    await out.commit();
  } finally {
    await out.release();
    await source.release();
  }
}

/** A JPEG thumbnail of one stored file, stored under another key. */
export async function storeThumbnail(
  d: { files: FileStore; media: Pick<MediaTools, 'thumbnail'> },
  source: { key: string; kind: 'image' | 'video' },
  target: string,
  size: number,
  options?: Parameters<MediaTools['thumbnail']>[3],
): Promise<void> {
  await withReadable(d.files, source.key, async (path) => {
    const out = await d.files.writablePath(target);
    try {
      await d.media.thumbnail({ path, kind: source.kind }, out.path, size, options);
      await out.commit();
    } finally {
      await out.release();
    }
  });
}
