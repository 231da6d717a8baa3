import zlib from 'node:zlib';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const typeAndData = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(typeAndData) >>> 0);
  return Buffer.concat([len, typeAndData, crc]);
}

/**
 * Insert an `iTXt` chunk (UTF-8, so prompts in Russian survive) with the given keyword right after IHDR.
 * A1111 and most readers accept `parameters` as tEXt or iTXt.
 */
export function addPngText(png: Buffer, keyword: string, text: string): Buffer {
  if (!png.subarray(0, 8).equals(SIGNATURE)) throw new Error('not a PNG');
  const ihdrEnd = 8 + 12 + png.readUInt32BE(8);
  const data = Buffer.concat([Buffer.from(keyword, 'latin1'), Buffer.from([0, 0, 0, 0, 0]), Buffer.from(text, 'utf8')]);
  return Buffer.concat([png.subarray(0, ihdrEnd), chunk('iTXt', data), png.subarray(ihdrEnd)]);
}

/** Read a tEXt or iTXt chunk by keyword. */
export function readPngText(png: Buffer, keyword: string): string | undefined {
  if (!png.subarray(0, 8).equals(SIGNATURE)) return undefined;
  let off = 8;
  while (off + 12 <= png.length) {
    const len = png.readUInt32BE(off);
    const type = png.toString('latin1', off + 4, off + 8);
    const data = png.subarray(off + 8, off + 8 + len);
    if (type === 'tEXt' || type === 'iTXt') {
      const nul = data.indexOf(0);
      if (nul > 0 && data.toString('latin1', 0, nul) === keyword) {
        if (type === 'tEXt') return data.toString('latin1', nul + 1);
        // iTXt: keyword\0 compression-flag compression-method language\0 translated\0 text
        const compressed = data[nul + 1] === 1;
        let p = nul + 3;
        p = data.indexOf(0, p) + 1;
        p = data.indexOf(0, p) + 1;
        const body = data.subarray(p);
        return (compressed ? zlib.inflateSync(body) : body).toString('utf8');
      }
    }
    if (type === 'IEND') break;
    off += 12 + len;
  }
  return undefined;
}
