import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type GetObjectCommandOutput,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { FileStore, LocalFile, StoredFile } from '#ports/file-store.ts';

const SAFE_KEY = /^[a-zA-Z0-9_\-/.]+$/;

export interface S3Location {
  bucket: string;
  /** key prefix inside the bucket, without leading or trailing slash ('' for the bucket's root) */
  prefix: string;
}

/** `s3://bucket/some/prefix` → { bucket, prefix }; undefined for anything else. */
export function parseS3Url(url: string): S3Location | undefined {
  const m = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(url);
  if (!m?.[1]) return undefined;
  return { bucket: m[1], prefix: (m[2] ?? '').replace(/^\/+|\/+$/g, '') };
}

export interface S3FileStoreOptions extends S3Location {
  /** another S3-protocol server (MinIO, R2, a test double); unset: AWS */
  endpoint?: string;
  region: string;
  forcePathStyle: boolean;
  /** answer results with presigned URLs valid this long; unset: the gateway streams them */
  presignSeconds?: number;
  /** credentials; unset: the SDK's usual chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, profile, instance role) */
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

function notFound(key: string, cause: unknown): Error {
  return Object.assign(new Error(`ENOENT: no such object: ${key}`, { cause }), { code: 'ENOENT' });
}

function isNotFound(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === 'NoSuchKey' || e?.name === 'NotFound' || e?.$metadata?.httpStatusCode === 404;
}

function tempPath(key: string): string {
  return path.join(os.tmpdir(), `mediagen-s3-${crypto.randomBytes(6).toString('hex')}-${path.basename(key)}`);
}

/**
 * Media in an S3-protocol object store (AWS, MinIO, R2…), so that several gateways share outputs, thumbnails and
 * reference images. Objects are written whole (a PUT is atomic: readers see the old object or the new one).
 */
export function createS3FileStore(o: S3FileStoreOptions): FileStore {
  const client = new S3Client({
    region: o.region,
    forcePathStyle: o.forcePathStyle,
    // other S3-protocol servers do not all know the newer default checksums (aws-chunked uploads with trailers)
    ...(o.endpoint
      ? {
          endpoint: o.endpoint,
          requestChecksumCalculation: 'WHEN_REQUIRED',
          responseChecksumValidation: 'WHEN_REQUIRED',
        }
      : {}),
    ...(o.credentials ? { credentials: o.credentials } : {}),
  });
  const base = o.prefix ? `${o.prefix}/` : '';
  const objectKey = (key: string): string => {
    // keys come from ids, but refuse anything that could name another tenant's prefix anyway
    if (!SAFE_KEY.test(key) || key.includes('..') || key.startsWith('/')) throw new Error(`unsafe file key: ${key}`);
    return base + key;
  };
  const get = async (key: string, range?: { start: number; end: number }): Promise<GetObjectCommandOutput> => {
    try {
      return await client.send(
        new GetObjectCommand({
          Bucket: o.bucket,
          Key: objectKey(key),
          ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}),
        }),
      );
    } catch (err) {
      throw isNotFound(err) ? notFound(key, err) : err;
    }
  };
  const put = async (key: string, body: Buffer | Readable, length: number): Promise<void> => {
    await client.send(
      new PutObjectCommand({ Bucket: o.bucket, Key: objectKey(key), Body: body, ContentLength: length }),
    );
  };
  const list = async (prefix: string): Promise<StoredFile[]> => {
    const out: StoredFile[] = [];
    let token: string | undefined;
    do {
      const page = await client.send(
        new ListObjectsV2Command({
          Bucket: o.bucket,
          Prefix: `${objectKey(prefix)}/`,
          ...(token ? { ContinuationToken: token } : {}),
        }),
      );
      for (const obj of page.Contents ?? []) {
        if (!obj.Key) continue;
        out.push({
          key: obj.Key.slice(base.length),
          bytes: obj.Size ?? 0,
          modifiedAt: obj.LastModified?.getTime() ?? 0,
        });
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return out;
  };
  const remove = async (key: string): Promise<void> => {
    await client.send(new DeleteObjectCommand({ Bucket: o.bucket, Key: objectKey(key) }));
  };

  const store: FileStore = {
    async write(key, data) {
      await put(key, data, data.length);
    },
    async read(key) {
      const res = await get(key);
      return Buffer.from((await res.Body?.transformToByteArray()) ?? []);
    },
    stream(key, range) {
      // the port's stream is synchronous; the object arrives a moment later
      const out = new PassThrough();
      get(key, range).then(
        (res) => {
          const body = res.Body;
          if (!(body instanceof Readable)) return void out.destroy(new Error(`no body for ${key}`));
          body.on('error', (err) => out.destroy(err)).pipe(out);
          out.once('close', () => body.destroy()); // a client that leaves early frees the store's connection
        },
        (err: unknown) => out.destroy(err instanceof Error ? err : new Error(String(err))),
      );
      return out;
    },
    async size(key) {
      try {
        const head = await client.send(new HeadObjectCommand({ Bucket: o.bucket, Key: objectKey(key) }));
        return head.ContentLength ?? 0;
      } catch (err) {
        throw isNotFound(err) ? notFound(key, err) : err;
      }
    },
    async readablePath(key): Promise<LocalFile> {
      const file = tempPath(key);
      const res = await get(key);
      const body = res.Body;
      if (!(body instanceof Readable)) throw new Error(`no body for ${key}`);
      try {
        await pipeline(body, fs.createWriteStream(file));
      } catch (err) {
        await fsp.rm(file, { force: true });
        throw err;
      }
      return { path: file, release: () => fsp.rm(file, { force: true }) };
    },
    async writablePath(key) {
      const file = tempPath(key);
      return {
        path: file,
        async commit() {
          const { size } = await fsp.stat(file);
          await put(key, fs.createReadStream(file), size);
        },
        release: () => fsp.rm(file, { force: true }),
      };
    },
    remove,
    async move(from, to) {
      // an object store has no rename: copy, then delete the source
      await client.send(
        new CopyObjectCommand({
          Bucket: o.bucket,
          CopySource: `${o.bucket}/${encodeURIComponent(objectKey(from)).replaceAll('%2F', '/')}`,
          Key: objectKey(to),
        }),
      );
      await remove(from);
    },
    async removePrefix(prefix) {
      for (const f of await list(prefix)) await remove(f.key);
    },
    list,
    async freeBytes() {
      return null; // an object store does not fill up the way a disk does
    },
  };
  if (o.presignSeconds !== undefined) {
    const expiresIn = o.presignSeconds;
    store.signedUrl = (key, s) =>
      getSignedUrl(
        client,
        new GetObjectCommand({
          Bucket: o.bucket,
          Key: objectKey(key),
          ResponseContentType: s.contentType,
          ...(s.disposition
            ? {
                ResponseContentDisposition: `${s.disposition.type}; filename="${s.disposition.filename.replace(/[^\w.-]/g, '_')}"`,
              }
            : {}),
        }),
        { expiresIn },
      );
  }
  return store;
}
