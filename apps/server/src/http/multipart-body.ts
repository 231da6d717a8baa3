import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import {
  BOOLEAN_FIELDS,
  GENERATE_JSON_FIELDS,
  GENERATE_LIST_FIELDS,
  IMAGE_FIELDS,
  NUMERIC_FIELDS,
} from '@mediagen/contract';
import type { FastifyRequest } from 'fastify';
import { AppError } from '#domain/app-error.ts';
import type { UploadedFile } from '#services/request-context.ts';
import { UPLOAD_PREFIX } from '#services/reference-images.ts';

const NUMERIC = new Set<string>(NUMERIC_FIELDS);
const IMAGE = new Set<string>(IMAGE_FIELDS);
const BOOLEAN = new Set<string>(BOOLEAN_FIELDS);
const LIST = new Set<string>(GENERATE_LIST_FIELDS);
const JSON_FIELDS = new Set<string>(GENERATE_JSON_FIELDS);
/** decimal numbers only: "0x200", "1e3", " 5" stay text and fail the schema (400) like a JSON string would */
const DECIMAL = /^-?\d+(\.\d+)?$/;

/**
 * multipart/form-data → the same object a JSON client sends. File parts (image fields only) are streamed to
 * temporary files under `tmpDir` (never buffered whole); the caller removes them when the request ends.
 */
export async function readMultipart(
  req: FastifyRequest,
  tmpDir: string,
): Promise<{ body: Record<string, unknown>; files: UploadedFile[] }> {
  const body: Record<string, unknown> = {};
  const files: UploadedFile[] = [];
  await fsp.mkdir(tmpDir, { recursive: true });
  try {
    for await (const part of req.parts()) {
      if (part.type === 'file') {
        if (!IMAGE.has(part.fieldname)) {
          part.file.resume();
          throw new AppError('invalid_request', `${part.fieldname} does not take a file`, [
            { path: part.fieldname, message: `files are accepted only in ${IMAGE_FIELDS.join(', ')}` },
          ]);
        }
        const file = path.join(tmpDir, `upload-${crypto.randomUUID()}`);
        files.push({ field: part.fieldname, path: file, bytes: 0 });
        await pipeline(part.file, fs.createWriteStream(file));
        if (part.file.truncated) throw Object.assign(new Error('file too large'), { code: 'FST_REQ_FILE_TOO_LARGE' });
        const last = files[files.length - 1];
        if (last) last.bytes = (await fsp.stat(file)).size;
        body[part.fieldname] = `${UPLOAD_PREFIX}${part.fieldname}`;
      } else {
        const raw = typeof part.value === 'string' ? part.value : String(part.value);
        if (LIST.has(part.fieldname)) {
          // a list field: repeated parts, or one comma-separated part
          const prior = body[part.fieldname];
          body[part.fieldname] = [...(Array.isArray(prior) ? prior : []), ...raw.split(',').map((v) => v.trim())];
          continue;
        }
        body[part.fieldname] = fieldValue(part.fieldname, raw);
      }
    }
  } catch (err) {
    await removeUploads(files);
    throw err;
  }
  return { body, files };
}

/** A text part as the JSON client would have sent it: decimal numbers and true/false become typed; anything else stays text. */
function fieldValue(name: string, raw: string): unknown {
  if (JSON_FIELDS.has(name)) {
    // lists of objects (loras) travel as one part holding their JSON text; text that is not JSON fails the schema
    try {
      return JSON.parse(raw) as unknown;
    } catch {
      return raw;
    }
  }
  if (NUMERIC.has(name) && DECIMAL.test(raw)) return Number(raw);
  if (BOOLEAN.has(name) && (raw === 'true' || raw === 'false')) return raw === 'true';
  return raw;
}

export async function removeUploads(files: readonly UploadedFile[]): Promise<void> {
  await Promise.all(files.map((f) => fsp.rm(f.path, { force: true })));
}
