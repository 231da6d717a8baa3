import crypto from 'node:crypto';
import { AppError } from '#domain/app-error.ts';
import type { FileStore } from '#ports/file-store.ts';
import type { MediaTools } from '#ports/media-tools.ts';
import type { AssetRecord, Store } from '#ports/store.ts';

const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;
const DATA_URL = /^data:([\w/+.-]+)?(;[\w-]+=[\w-]+)*;base64,(.*)$/s;

export interface ReferenceImageDeps {
  store: Store;
  files: FileStore;
  media: MediaTools;
  maxUploadBytes: number;
  maxPixels: number;
  now: () => number;
}

/** Turns an image field (base64, data URL, asset:<id>, or uploaded bytes) into an owned, checked asset. */
export class ReferenceImages {
  constructor(private readonly d: ReferenceImageDeps) {}

  decode(field: string, value: string): Buffer {
    const m = DATA_URL.exec(value);
    const b64 = (m ? (m[3] ?? '') : value).replace(/\s+/g, '');
    if (b64.length === 0 || !BASE64.test(b64)) {
      throw new AppError('validation_error', 'Bad image', [
        { path: field, message: 'is not a base64 image, a data: URL or asset:<id>' },
      ]);
    }
    if ((b64.length * 3) / 4 > this.d.maxUploadBytes) {
      throw new AppError(
        'payload_too_large',
        `${field} is larger than ${Math.round(this.d.maxUploadBytes / 1048576)} MB`,
      );
    }
    return Buffer.from(b64, b64.includes('-') || b64.includes('_') ? 'base64url' : 'base64');
  }

  /** Store new bytes as an upload asset after real decoding (bytes decide, not names). */
  async ingest(ownerId: string, field: string, bytes: Buffer): Promise<AssetRecord> {
    if (bytes.length > this.d.maxUploadBytes) {
      throw new AppError(
        'payload_too_large',
        `${field} is larger than ${Math.round(this.d.maxUploadBytes / 1048576)} MB`,
      );
    }
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
    const key = `assets/${id}.png`;
    await this.d.files.write(key, normalized.png);
    const asset: AssetRecord = {
      id,
      ownerId,
      taskId: null,
      kind: 'upload',
      idx: 0,
      path: key,
      mime: 'image/png',
      width: normalized.meta.width,
      height: normalized.meta.height,
      bytes: normalized.png.length,
      createdAt: this.d.now(),
    };
    this.d.store.assets.insert(asset);
    return asset;
  }

  /** Resolve a field's value to `asset:<id>` owned by this user. */
  async resolve(ownerId: string, field: string, value: string): Promise<string> {
    if (value.startsWith('asset:')) {
      const asset = this.d.store.assets.get(value.slice('asset:'.length));
      if (!asset || asset.ownerId !== ownerId) {
        throw new AppError('validation_error', 'Unknown asset', [{ path: field, message: 'names no asset of yours' }]);
      }
      if (!asset.mime.startsWith('image/')) {
        throw new AppError('validation_error', 'Not an image asset', [
          { path: field, message: 'names a video; pick an image' },
        ]);
      }
      return value;
    }
    const asset = await this.ingest(ownerId, field, this.decode(field, value));
    return `asset:${asset.id}`;
  }

  /** The PNG bytes of an owned image asset, resized to the job's size (for engines). */
  async load(ref: string, size: { width: number; height: number }): Promise<Buffer> {
    const asset = this.d.store.assets.get(ref.replace(/^asset:/, ''));
    if (!asset) throw new AppError('validation_error', 'Reference image is gone');
    const bytes = await this.d.files.read(asset.path);
    const out = await this.d.media.normalizeImage(bytes, { maxPixels: this.d.maxPixels, resizeTo: size });
    return out.png;
  }
}
