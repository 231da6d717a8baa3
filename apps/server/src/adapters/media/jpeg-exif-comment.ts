/**
 * EXIF UserComment in JPEG, byte-level. sharp's withExif writes UserComment only as ASCII (it turns "маяк" into "????"),
 * so the segment is built here: the same layout A1111 gets from piexif — a big-endian TIFF, IFD0 → Exif IFD →
 * UserComment (0x9286) = "UNICODE\0" + UTF-16BE. piexif decodes UNICODE comments as UTF-16BE whatever the TIFF
 * byte order, and byte-order-aware readers (exiftool, libexif) agree with it only on a big-endian TIFF.
 */

const EXIF_HEADER = Buffer.from('Exif\0\0', 'latin1');
const UNICODE_PREFIX = Buffer.from('UNICODE\0', 'latin1');
const TAG_EXIF_IFD_POINTER = 0x8769;
const TAG_EXIF_VERSION = 0x9000;
const TAG_USER_COMMENT = 0x9286;
const TYPE_UNDEFINED = 7;
const TYPE_LONG = 4;
/** Exif header + TIFF header + IFD0 (1 entry) + Exif IFD (2 entries): where the comment bytes start */
const FIXED_PART = 6 + 8 + 18 + 30;
/** an APP1 segment's length field (2 bytes, counting itself) caps the payload at 65533 bytes */
const MAX_APP1_PAYLOAD = 0xffff - 2;
export const MAX_USER_COMMENT_UNITS = Math.floor((MAX_APP1_PAYLOAD - FIXED_PART - UNICODE_PREFIX.length) / 2);

function writeIfdEntry(
  buf: Buffer,
  at: number,
  tag: number,
  type: number,
  count: number,
  value: number | Buffer,
): void {
  buf.writeUInt16BE(tag, at);
  buf.writeUInt16BE(type, at + 2);
  buf.writeUInt32BE(count, at + 4);
  if (typeof value === 'number') buf.writeUInt32BE(value, at + 8);
  else value.copy(buf, at + 8, 0, 4); // values of ≤ 4 bytes sit in the entry itself
}

/** The payload of an EXIF APP1 segment ("Exif\0\0" + TIFF) holding only ExifVersion and the UserComment. */
export function buildExifUserComment(text: string): Buffer {
  let units = text;
  if (units.length > MAX_USER_COMMENT_UNITS) {
    // too long for one APP1 segment: cut, without leaving half a surrogate pair
    units = units.slice(0, MAX_USER_COMMENT_UNITS);
    if (/[\ud800-\udbff]$/.test(units)) units = units.slice(0, -1);
  }
  const comment = Buffer.concat([UNICODE_PREFIX, Buffer.from(units, 'utf16le').swap16()]);
  const tiff = Buffer.alloc(FIXED_PART - 6);
  tiff.write('MM', 0, 'latin1');
  tiff.writeUInt16BE(42, 2);
  tiff.writeUInt32BE(8, 4); // IFD0 right after the header; offsets count from the TIFF header
  tiff.writeUInt16BE(1, 8);
  writeIfdEntry(tiff, 10, TAG_EXIF_IFD_POINTER, TYPE_LONG, 1, 26);
  tiff.writeUInt32BE(0, 22); // no IFD1 (no thumbnail)
  tiff.writeUInt16BE(2, 26); // entries sorted by tag, as TIFF requires
  writeIfdEntry(tiff, 28, TAG_EXIF_VERSION, TYPE_UNDEFINED, 4, Buffer.from('0232', 'latin1'));
  writeIfdEntry(tiff, 40, TAG_USER_COMMENT, TYPE_UNDEFINED, comment.length, FIXED_PART - 6);
  tiff.writeUInt32BE(0, 52);
  return Buffer.concat([EXIF_HEADER, tiff, comment]);
}

interface JpegSegment {
  marker: number;
  start: number;
  end: number;
}

export function isJpeg(bytes: Buffer): boolean {
  return bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
}

/** Marker segments between SOI and the start of scan (where APPn live); stops at anything malformed. */
function listHeaderSegments(jpeg: Buffer): JpegSegment[] {
  const segments: JpegSegment[] = [];
  let off = 2;
  while (off + 4 <= jpeg.length && jpeg[off] === 0xff) {
    const marker = jpeg[off + 1] ?? 0;
    if (marker === 0xff) {
      off += 1; // fill byte
      continue;
    }
    if (marker === 0xda || marker === 0xd9) break;
    const end = off + 2 + jpeg.readUInt16BE(off + 2);
    if (end > jpeg.length) break;
    segments.push({ marker, start: off, end });
    off = end;
  }
  return segments;
}

function isExifSegment(jpeg: Buffer, s: JpegSegment): boolean {
  return s.marker === 0xe1 && jpeg.subarray(s.start + 4, s.start + 10).equals(EXIF_HEADER);
}

/** The JPEG with `exifPayload` as its only EXIF APP1 segment, placed after SOI and any APP0 (JFIF wants to be first). */
export function insertJpegExif(jpeg: Buffer, exifPayload: Buffer): Buffer {
  if (!isJpeg(jpeg)) throw new Error('not a JPEG');
  if (exifPayload.length > MAX_APP1_PAYLOAD) throw new Error('EXIF block too large for one APP1 segment');
  const segments = listHeaderSegments(jpeg);
  const app1 = Buffer.alloc(4);
  app1.writeUInt16BE(0xffe1, 0);
  app1.writeUInt16BE(exifPayload.length + 2, 2);
  const parts: Buffer[] = [jpeg.subarray(0, 2)];
  let i = 0;
  for (; i < segments.length && segments[i]?.marker === 0xe0; i++) {
    const s = segments[i];
    if (s) parts.push(jpeg.subarray(s.start, s.end));
  }
  parts.push(app1, exifPayload);
  let rest = segments[i - 1]?.end ?? 2;
  for (const s of segments.slice(i)) {
    if (!isExifSegment(jpeg, s)) continue;
    parts.push(jpeg.subarray(rest, s.start)); // drop an older EXIF segment
    rest = s.end;
  }
  parts.push(jpeg.subarray(rest));
  return Buffer.concat(parts);
}

function decodeUserComment(data: Buffer, bigEndianTiff: boolean): string | undefined {
  const prefix = data.toString('latin1', 0, 8);
  let body = data.subarray(8);
  let text: string;
  if (prefix === 'UNICODE\0') {
    let bigEndian = bigEndianTiff;
    if (body[0] === 0xfe && body[1] === 0xff) [bigEndian, body] = [true, body.subarray(2)];
    else if (body[0] === 0xff && body[1] === 0xfe) [bigEndian, body] = [false, body.subarray(2)];
    body = body.subarray(0, body.length - (body.length % 2));
    text = bigEndian ? Buffer.from(body).swap16().toString('utf16le') : body.toString('utf16le');
  } else if (prefix === 'ASCII\0\0\0' || prefix === '\0\0\0\0\0\0\0\0') {
    text = body.toString('utf8'); // "undefined" encoding: tools in practice write UTF-8
  } else {
    return undefined; // JIS or unknown
  }
  return text.replace(/\0+$/, '');
}

/** Parse a TIFF block for Exif IFD → UserComment; throws RangeError on truncated data (the caller catches). */
function readTiffUserComment(tiff: Buffer): string | undefined {
  const order = tiff.toString('latin1', 0, 2);
  if (order !== 'II' && order !== 'MM') return undefined;
  const be = order === 'MM';
  const u16 = (o: number): number => (be ? tiff.readUInt16BE(o) : tiff.readUInt16LE(o));
  const u32 = (o: number): number => (be ? tiff.readUInt32BE(o) : tiff.readUInt32LE(o));
  const findEntry = (ifd: number, tag: number): number | undefined => {
    const count = u16(ifd);
    for (let i = 0; i < count; i++) if (u16(ifd + 2 + i * 12) === tag) return ifd + 2 + i * 12;
    return undefined;
  };
  const pointer = findEntry(u32(4), TAG_EXIF_IFD_POINTER);
  if (pointer === undefined) return undefined;
  const entry = findEntry(u32(pointer + 8), TAG_USER_COMMENT);
  if (entry === undefined) return undefined;
  const count = u32(entry + 4);
  const start = count <= 4 ? entry + 8 : u32(entry + 8);
  if (start + count > tiff.length) return undefined;
  return decodeUserComment(tiff.subarray(start, start + count), be);
}

/** The EXIF UserComment of a JPEG (ours, A1111's or any other writer's), or undefined. */
export function readJpegUserComment(jpeg: Buffer): string | undefined {
  if (!isJpeg(jpeg)) return undefined;
  const exif = listHeaderSegments(jpeg).find((s) => isExifSegment(jpeg, s));
  if (!exif) return undefined;
  try {
    return readTiffUserComment(jpeg.subarray(exif.start + 10, exif.end));
  } catch {
    return undefined; // malformed EXIF reads as "no parameters"
  }
}
