import crypto from 'node:crypto';
import { encodePngChunk, isPng, listPngChunks } from '#adapters/media/png-text-chunk.ts';
import type { ImageMeta } from '#ports/media-tools.ts';

// Image bytes for unit tests, made without sharp: well-formed headers (a PNG's IHDR, a JPEG's SOF0) and no
// pixel data. Tools that only read headers and chunks (ours and the fakes) accept them; a real decoder would not,
// which is the point: nothing in a unit test decodes pixels.

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** A PNG header of width×height (8-bit RGB) with a `label` text chunk, so distinct stand-ins differ. */
export function pngStandIn(width: number, height: number, label = 'stand-in'): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([
    PNG_SIGNATURE,
    encodePngChunk('IHDR', ihdr),
    encodePngChunk('tEXt', Buffer.from(`label\0${label}`, 'latin1')),
    encodePngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A JPEG header: SOI, a baseline SOF0 of width×height, a comment with `label`, EOI. */
export function jpegStandIn(width: number, height: number, label = 'stand-in'): Buffer {
  const sof = Buffer.from([0xff, 0xc0, 0x00, 0x0b, 0x08, 0, 0, 0, 0, 0x01, 0x01, 0x11, 0x00]);
  sof.writeUInt16BE(height, 5);
  sof.writeUInt16BE(width, 7);
  const text = Buffer.from(label, 'latin1');
  const com = Buffer.concat([Buffer.from([0xff, 0xfe, 0, 0]), text]);
  com.writeUInt16BE(text.length + 2, 2);
  return Buffer.concat([Buffer.from([0xff, 0xd8]), sof, com, Buffer.from([0xff, 0xd9])]);
}

/** The base64 of a PNG stand-in, as a client would send a reference image. */
export function pngStandInBase64(width = 64, height = 64, label = 'reference'): string {
  return pngStandIn(width, height, label).toString('base64');
}

/** A short, stable fingerprint of some bytes (to tell stand-ins apart in assertions). */
export function fingerprint(bytes: Buffer): string {
  return crypto.createHash('sha256').update(bytes).digest('hex').slice(0, 16);
}

function jpegSize(bytes: Buffer): { width: number; height: number } | undefined {
  let off = 2;
  while (off + 9 < bytes.length && bytes[off] === 0xff) {
    const marker = bytes[off + 1] ?? 0;
    const isSof = marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker);
    if (isSof) return { height: bytes.readUInt16BE(off + 5), width: bytes.readUInt16BE(off + 7) };
    if (marker === 0xd9 || marker === 0xda) return undefined;
    off += 2 + bytes.readUInt16BE(off + 2);
  }
  return undefined;
}

function webpSize(bytes: Buffer): { width: number; height: number } | undefined {
  const chunk = bytes.toString('latin1', 12, 16);
  if (chunk === 'VP8X' && bytes.length >= 30) {
    return { width: bytes.readUIntLE(24, 3) + 1, height: bytes.readUIntLE(27, 3) + 1 };
  }
  if (chunk === 'VP8 ' && bytes.length >= 30) {
    return { width: bytes.readUInt16LE(26) & 0x3fff, height: bytes.readUInt16LE(28) & 0x3fff };
  }
  if (chunk === 'VP8L' && bytes.length >= 25) {
    const bits = bytes.readUInt32LE(21);
    return { width: (bits & 0x3fff) + 1, height: ((bits >> 14) & 0x3fff) + 1 };
  }
  return undefined;
}

/** What the header says: format and size of a PNG, JPEG or WebP; 'other' for another image format; undefined for non-images. */
export function readImageHeader(bytes: Buffer): (Omit<ImageMeta, 'frames'> | { format: 'other' }) | undefined {
  if (isPng(bytes)) {
    const ihdr = listPngChunks(bytes)[0];
    if (ihdr?.type !== 'IHDR') return undefined;
    return { format: 'png', width: ihdr.data.readUInt32BE(0), height: ihdr.data.readUInt32BE(4) };
  }
  if (bytes.length > 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) {
    const size = jpegSize(bytes);
    return size ? { format: 'jpeg', ...size } : undefined;
  }
  if (bytes.toString('latin1', 0, 4) === 'RIFF' && bytes.toString('latin1', 8, 12) === 'WEBP') {
    const size = webpSize(bytes);
    return size ? { format: 'webp', ...size } : undefined;
  }
  const head = bytes.toString('latin1', 0, 5);
  if (head.startsWith('GIF8') || head.startsWith('II*') || head.startsWith('MM\0*') || /^\s*<(\?xml|svg)/.test(head)) {
    return { format: 'other' };
  }
  return undefined;
}
