// Reads the generation parameters other tools and MediaGen embed in a file, without decoding pixels:
// PNG text chunks (tEXt/iTXt "parameters", A1111 style), JPEG EXIF UserComment, MP4/WebM comment tag.

const latin1 = new TextDecoder('latin1');
const utf8 = new TextDecoder('utf-8');

function u32(b: Uint8Array, o: number): number {
  return ((b[o] ?? 0) * 0x1000000 + ((b[o + 1] ?? 0) << 16) + ((b[o + 2] ?? 0) << 8) + (b[o + 3] ?? 0)) >>> 0;
}

/** PNG: the `parameters` keyword of a tEXt or (uncompressed) iTXt chunk. */
export function pngParameters(b: Uint8Array): string | undefined {
  if (b.length < 8 || b[0] !== 0x89 || b[1] !== 0x50 || b[2] !== 0x4e || b[3] !== 0x47) return undefined;
  let o = 8;
  while (o + 8 <= b.length) {
    const len = u32(b, o);
    const type = latin1.decode(b.subarray(o + 4, o + 8));
    const data = b.subarray(o + 8, o + 8 + len);
    if (type === 'tEXt' || type === 'iTXt') {
      const nul = data.indexOf(0);
      const keyword = latin1.decode(data.subarray(0, nul));
      if (keyword === 'parameters') {
        if (type === 'tEXt') return latin1.decode(data.subarray(nul + 1));
        // iTXt: keyword \0 compressed-flag method lang \0 translated \0 text
        if (data[nul + 1] !== 0) return undefined;
        let p = nul + 3;
        p = data.indexOf(0, p) + 1;
        p = data.indexOf(0, p) + 1;
        return utf8.decode(data.subarray(p));
      }
    }
    if (type === 'IEND') break;
    o += 12 + len;
  }
  return undefined;
}

/** JPEG: EXIF UserComment (tag 0x9286) in the APP1 segment, ASCII or UNICODE (UTF-16) encoded. */
export function jpegUserComment(b: Uint8Array): string | undefined {
  if (b[0] !== 0xff || b[1] !== 0xd8) return undefined;
  let o = 2;
  while (o + 4 <= b.length && b[o] === 0xff) {
    const marker = b[o + 1] ?? 0;
    const len = ((b[o + 2] ?? 0) << 8) + (b[o + 3] ?? 0);
    if (marker === 0xe1 && latin1.decode(b.subarray(o + 4, o + 8)) === 'Exif') {
      return exifUserComment(b.subarray(o + 10, o + 2 + len));
    }
    if (marker === 0xda) break;
    o += 2 + len;
  }
  return undefined;
}

function exifUserComment(t: Uint8Array): string | undefined {
  const le = t[0] === 0x49;
  const r16 = (o: number): number => (le ? (t[o] ?? 0) + ((t[o + 1] ?? 0) << 8) : ((t[o] ?? 0) << 8) + (t[o + 1] ?? 0));
  const r32 = (o: number): number =>
    le
      ? ((t[o] ?? 0) + ((t[o + 1] ?? 0) << 8) + ((t[o + 2] ?? 0) << 16) + (t[o + 3] ?? 0) * 0x1000000) >>> 0
      : u32(t, o);
  const readIfd = (at: number): Array<{ tag: number; count: number; offset: number }> => {
    const n = r16(at);
    return Array.from({ length: n }, (_, i) => ({
      tag: r16(at + 2 + i * 12),
      count: r32(at + 2 + i * 12 + 4),
      offset: r32(at + 2 + i * 12 + 8),
    }));
  };
  const ifd0 = readIfd(r32(4));
  const exifPtr = ifd0.find((e) => e.tag === 0x8769);
  const entries = exifPtr ? [...ifd0, ...readIfd(exifPtr.offset)] : ifd0;
  const uc = entries.find((e) => e.tag === 0x9286);
  if (!uc || uc.count <= 8) return undefined;
  const raw = t.subarray(uc.offset, uc.offset + uc.count);
  const code = latin1.decode(raw.subarray(0, 8)).replace(/\0+$/, '');
  const body = raw.subarray(8);
  if (code === 'UNICODE') {
    // UTF-16 in the byte order of the TIFF header (some writers use big-endian regardless: guess by zeros)
    const bigEndian = !le || (body[0] === 0 && body[1] !== 0);
    return new TextDecoder(bigEndian ? 'utf-16be' : 'utf-16le').decode(body).replace(/\0+$/, '');
  }
  return utf8.decode(body).replace(/\0+$/, '');
}

/** MP4: the ©cmt item (moov/udta/meta/ilst) ffmpeg writes for `-metadata comment=`. */
export function mp4Comment(b: Uint8Array): string | undefined {
  const find = (from: number, to: number, path: readonly string[]): number | undefined => {
    let o = from;
    while (o + 8 <= to) {
      let size = u32(b, o);
      const type = latin1.decode(b.subarray(o + 4, o + 8));
      let head = 8;
      if (size === 1) {
        size = u32(b, o + 12) + u32(b, o + 8) * 0x100000000;
        head = 16;
      } else if (size === 0) size = to - o;
      if (size < head) return undefined;
      if (type === path[0]) {
        if (path.length === 1) return o;
        const inner = type === 'meta' ? o + head + 4 : o + head; // meta is a full box
        return find(inner, o + size, path.slice(1));
      }
      o += size;
    }
    return undefined;
  };
  const at = find(0, b.length, ['moov', 'udta', 'meta', 'ilst', '©cmt', 'data']);
  if (at === undefined) return undefined;
  const size = u32(b, at);
  return utf8.decode(b.subarray(at + 16, at + size));
}

/** WebM/Matroska: a SimpleTag named COMMENT (the TagString after it). */
function webmComment(b: Uint8Array): string | undefined {
  const text = latin1.decode(b);
  const i = text.indexOf('COMMENT');
  if (i < 0) return undefined;
  // 0x4487 TagString: id, a size varint, the UTF-8 value
  const j = text.indexOf('\u0044\u0087', i);
  if (j < 0) return undefined;
  const first = b[j + 2] ?? 0;
  let width = 1;
  while (width <= 8 && !(first & (0x80 >> (width - 1)))) width++;
  let size = first & (0xff >> width);
  for (let k = 1; k < width; k++) size = size * 256 + (b[j + 2 + k] ?? 0);
  return utf8.decode(b.subarray(j + 2 + width, j + 2 + width + size));
}

/** The embedded parameters of a PNG, JPEG, MP4 or WebM file (by its bytes, not its name). */
export async function readEmbeddedParameters(file: Blob): Promise<string | undefined> {
  // parameters live near the start of images; an mp4's moov is at the start too (faststart)
  const head = new Uint8Array(await file.slice(0, 8 * 1024 * 1024).arrayBuffer());
  return pngParameters(head) ?? jpegUserComment(head) ?? mp4Comment(head) ?? webmComment(head);
}
