import crypto from 'node:crypto';
import fsp from 'node:fs/promises';
import { AppError } from '#domain/app-error.ts';
import type { FileStore } from '#ports/file-store.ts';
import type { MediaTools } from '#ports/media-tools.ts';
import type { AssetRecord, Store } from '#ports/store.ts';
import type { UploadedFile } from './request-context.ts';

const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;
const DATA_URL = /^data:([\w/+.-]+)?(;[\w-]+=[\w-]+)*;base64,(.*)$/s;
/** multipart requests name their file parts in the body with this, so stage-1 validation sees a string */
export const UPLOAD_PREFIX = 'upload:';

export interface ReferenceImageDeps {
  store: Store;
  files: FileStore;
  media: MediaTools;
  maxUploadBytes: number;
  maxPixels: number;
  now: () => number;
}

/** A decoded, checked image that is not stored yet: it is written only once its task is accepted. */
export interface PreparedImage {
  asset: AssetRecord;
  png: Buffer;
}

/**
 * Image fields (base64, data URL, multipart file, asset:<id>) → owned, really decoded images. New images are
 * prepared in memory and written only for an accepted task, so a refused request leaves nothing on disk.
 */
export class ReferenceImages {
  constructor(private readonly d: ReferenceImageDeps) {}

  private tooLarge(field: string): AppError {
    return new AppError(
      'payload_too_large',
      `${field} is larger than ${Math.round(this.d.maxUploadBytes / 1048576)} MB`,
    );
  }

  decodeBase64(field: string, value: string): Buffer {
    const m = DATA_URL.exec(value);
    const b64 = (m ? (m[3] ?? '') : value).replace(/\s+/g, '');
    if (b64.length === 0 || !BASE64.test(b64)) {
      throw new AppError('validation_error', 'Bad image', [
        { path: field, message: 'is not a base64 image, a data: URL or asset:<id>' },
      ]);
    }
    if ((b64.length * 3) / 4 > this.d.maxUploadBytes) throw this.tooLarge(field);
    return Buffer.from(b64, b64.includes('-') || b64.includes('_') ? 'base64url' : 'base64');
  }

  /** Decode for real (bytes decide, never names), bound the pixels, strip metadata; nothing is written. */
  async prepareBytes(ownerId: string, field: string, bytes: Buffer): Promise<PreparedImage> {
    if (bytes.length > this.d.maxUploadBytes) throw this.tooLarge(field);
    let normalized: Awaited<ReturnType<MediaTools['normalizeImage']>>;
    try {
      normalized = await this.d.media.normalizeImage(bytes, { maxPixels: this.d.maxPixels });
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      throw new AppError('validation_error', 'Bad image', [
        { path: field, message: `not a usable PNG/JPEG/WebP image (${reason})` },
      ]);
    }
    const id = crypto.randomUUID();
    return {
      png: normalized.png,
      asset: {
        id,
        ownerId,
        taskId: null,
        kind: 'upload',
        idx: 0,
        path: `assets/${id}.png`,
        mime: 'image/png',
        width: normalized.meta.width,
        height: normalized.meta.height,
        bytes: normalized.png.length,
        createdAt: this.d.now(),
      },
    };
  }

  /**
   * One image field → `asset:<id>`: an existing asset of this owner, or a new prepared image (returned, to be
   * persisted with the task).
   */
  async resolve(
    ownerId: string,
    field: string,
    value: string,
    uploads: readonly UploadedFile[],
  ): Promise<{ ref: string; prepared?: PreparedImage }> {
    if (value.startsWith('asset:')) {
      const asset = await this.d.store.assets.get(value.slice('asset:'.length));
      if (asset?.ownerId !== ownerId) {
        throw new AppError('validation_error', 'Unknown asset', [{ path: field, message: 'names no asset of yours' }]);
      }
      if (!asset.mime.startsWith('image/')) {
        throw new AppError('validation_error', 'Not an image asset', [
          { path: field, message: 'names a video; pick an image' },
        ]);
      }
      return { ref: value };
    }
    let bytes: Buffer;
    if (value.startsWith(UPLOAD_PREFIX)) {
      const upload = uploads.find((u) => u.field === value.slice(UPLOAD_PREFIX.length));
      if (!upload) throw new AppError('invalid_request', `${field} names no uploaded file`);
      if (upload.bytes > this.d.maxUploadBytes) throw this.tooLarge(field);
      bytes = await fsp.readFile(upload.path);
    } else {
      bytes = this.decodeBase64(field, value);
    }
    const prepared = await this.prepareBytes(ownerId, field, bytes);
    return { ref: `asset:${prepared.asset.id}`, prepared };
  }

  /** Write prepared images (before their task row is committed; `discard` undoes it if the commit fails). */
  async persist(images: readonly PreparedImage[]): Promise<void> {
    for (const img of images) await this.d.files.write(img.asset.path, img.png);
  }

  async discard(images: readonly PreparedImage[]): Promise<void> {
    for (const img of images) await this.d.files.remove(img.asset.path).catch(() => undefined);
  }

  /**
   * Files under assets/ with no row, older than `olderThanMs` (a crash between writing a reference and committing
   * its task), and temporary uploads a crashed request left. Returns how many files went.
   */
  async collectOrphans(olderThanMs: number): Promise<number> {
    const cutoff = this.d.now() - olderThanMs;
    let removed = 0;
    for (const f of await this.d.files.list('assets')) {
      if (f.modifiedAt > cutoff) continue;
      const id = /^assets\/([\w-]+)\.png$/.exec(f.key)?.[1];
      if (id && (await this.d.store.assets.get(id))) continue;
      await this.d.files.remove(f.key);
      removed += 1;
    }
    for (const f of await this.d.files.list('tmp/uploads')) {
      if (f.modifiedAt > cutoff) continue;
      await this.d.files.remove(f.key);
      removed += 1;
    }
    return removed;
  }

  /** The PNG bytes of an owned image asset, resized to the job's size (for engines). */
  async load(ref: string, size: { width: number; height: number }): Promise<Buffer> {
    const asset = await this.d.store.assets.get(ref.replace(/^asset:/, ''));
    if (!asset) throw new AppError('validation_error', 'Reference image is gone');
    const bytes = await this.d.files.read(asset.path);
    const out = await this.d.media.normalizeImage(bytes, { maxPixels: this.d.maxPixels, resizeTo: size });
    return out.png;
  }
}
