import { PassThrough, type Readable } from 'node:stream';
import { Zip, ZipPassThrough } from 'fflate';

export interface ZipEntry {
  name: string;
  open(): Readable;
}

/**
 * A zip of media files, streamed: entries are stored (media is compressed already), read one after another,
 * so memory stays at one chunk whatever the total size.
 */
export function zipStream(entries: readonly ZipEntry[]): Readable {
  const out = new PassThrough();
  const zip = new Zip((err, chunk, final) => {
    if (err) {
      out.destroy(err);
      return;
    }
    out.write(chunk);
    if (final) out.end();
  });
  const next = async (): Promise<void> => {
    for (const e of entries) {
      const entry = new ZipPassThrough(e.name);
      zip.add(entry);
      const source = e.open();
      for await (const chunk of source as AsyncIterable<Buffer>) {
        if (out.destroyed) {
          source.destroy();
          return;
        }
        entry.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        if (out.writableNeedDrain) await new Promise((r) => out.once('drain', r));
      }
      entry.push(new Uint8Array(0), true);
    }
    zip.end();
  };
  next().catch((err: unknown) => out.destroy(err instanceof Error ? err : new Error(String(err))));
  return out;
}
