import zlib from 'node:zlib';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const TEXT_CHUNK_TYPES = new Set(['tEXt', 'iTXt', 'zTXt']);

interface PngChunk {
  type: string;
  /** offset of the chunk's length field */
  start: number;
  /** offset just past its CRC */
  end: number;
  data: Buffer;
}

export function isPng(bytes: Buffer): boolean {
  return bytes.length >= 8 && bytes.subarray(0, 8).equals(PNG_SIGNATURE);
}

/** Walk the chunk list; stops at IEND or at the first chunk that runs past the end (a truncated file). */
export function listPngChunks(png: Buffer): PngChunk[] {
  if (!isPng(png)) throw new Error('not a PNG');
  const chunks: PngChunk[] = [];
  let off = 8;
  while (off + 12 <= png.length) {
    const length = png.readUInt32BE(off);
    const end = off + 12 + length;
    if (end > png.length) break;
    const type = png.toString('latin1', off + 4, off + 8);
    chunks.push({ type, start: off, end, data: png.subarray(off + 8, off + 8 + length) });
    if (type === 'IEND') break;
    off = end;
  }
  return chunks;
}

export function encodePngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typeAndData = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  // the CRC covers type + data, not the length (PNG spec §5.3)
  crc.writeUInt32BE(zlib.crc32(typeAndData) >>> 0);
  return Buffer.concat([length, typeAndData, crc]);
}

/**
 * A text chunk as Pillow (and so A1111) writes it: `tEXt` when the text is plain ASCII, else `iTXt` with UTF-8.
 * tEXt is Latin-1 by spec but libvips and others read it as UTF-8, so only ASCII is unambiguous there.
 */
export function buildPngTextChunk(keyword: string, text: string): Buffer {
  // keyword: 1–79 Latin-1 printable characters, no NUL (PNG spec §11.3.4.2)
  if (!/^[\x20-\x7e\xa1-\xff]{1,79}$/.test(keyword)) throw new Error('bad PNG text keyword');
  const key = Buffer.from(keyword, 'latin1');
  if (isPlainAscii(text))
    return encodePngChunk('tEXt', Buffer.concat([key, Buffer.from([0]), Buffer.from(text, 'latin1')]));
  // iTXt: keyword \0, compression flag 0, method 0, empty language tag \0, empty translated keyword \0, UTF-8 text
  return encodePngChunk('iTXt', Buffer.concat([key, Buffer.from([0, 0, 0, 0, 0]), Buffer.from(text, 'utf8')]));
}

function textChunkKeyword(chunk: PngChunk): string | undefined {
  if (!TEXT_CHUNK_TYPES.has(chunk.type)) return undefined;
  const nul = chunk.data.indexOf(0);
  return nul > 0 ? chunk.data.toString('latin1', 0, nul) : undefined;
}

/** The PNG with one `keyword` text chunk right after IHDR; any earlier chunks with that keyword are dropped. */
export function writePngText(png: Buffer, keyword: string, text: string): Buffer {
  const chunks = listPngChunks(png);
  const ihdr = chunks[0];
  if (ihdr?.type !== 'IHDR') throw new Error('PNG does not start with IHDR');
  const kept = chunks
    .slice(1)
    .filter((c) => textChunkKeyword(c) !== keyword)
    .map((c) => png.subarray(c.start, c.end));
  return Buffer.concat([png.subarray(0, ihdr.end), buildPngTextChunk(keyword, text), ...kept]);
}

function decodeTextChunk(chunk: PngChunk, keywordLength: number): string | undefined {
  const afterKeyword = chunk.data.subarray(keywordLength + 1);
  if (chunk.type === 'tEXt') return afterKeyword.toString('latin1');
  if (chunk.type === 'zTXt') return zlib.inflateSync(afterKeyword.subarray(1)).toString('latin1');
  // iTXt: compression flag, method, language tag \0, translated keyword \0, text
  const compressed = afterKeyword[0] === 1;
  const languageEnd = afterKeyword.indexOf(0, 2);
  const translatedEnd = languageEnd < 0 ? -1 : afterKeyword.indexOf(0, languageEnd + 1);
  if (translatedEnd < 0) return undefined;
  const body = afterKeyword.subarray(translatedEnd + 1);
  return (compressed ? zlib.inflateSync(body) : body).toString('utf8');
}

/** The text of the first tEXt / iTXt / zTXt chunk named `keyword`, or undefined (also for non-PNG bytes). */
export function readPngText(png: Buffer, keyword: string): string | undefined {
  if (!isPng(png)) return undefined;
  for (const chunk of listPngChunks(png)) {
    if (textChunkKeyword(chunk) !== keyword) continue;
    try {
      return decodeTextChunk(chunk, Buffer.byteLength(keyword, 'latin1'));
    } catch {
      return undefined; // a corrupt compressed chunk reads as "no parameters"
    }
  }
  return undefined;
}

/** ASCII without NUL: fits a tEXt chunk as is. */
function isPlainAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0 || c > 0x7f) return false;
  }
  return true;
}
