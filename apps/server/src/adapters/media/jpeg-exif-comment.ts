/**
 * A minimal EXIF block (TIFF little-endian) with IFD0 → Exif IFD → UserComment (0x9286, "UNICODE\0" + UTF-16LE),
 * the place A1111 and Civitai read JPEG generation parameters from.
 */
export function buildExifUserComment(text: string): Buffer {
  const comment = Buffer.concat([Buffer.from('UNICODE\0', 'latin1'), Buffer.from(text, 'utf16le')]);
  const tiffHeader = Buffer.from([0x49, 0x49, 0x2a, 0x00, 0x08, 0x00, 0x00, 0x00]);
  // IFD0 at 8: one entry (ExifIFDPointer) → 2 + 12 + 4 = 18 bytes; Exif IFD at 26: one entry → 18 bytes; data at 44
  const ifd0 = Buffer.alloc(18);
  ifd0.writeUInt16LE(1, 0);
  ifd0.writeUInt16LE(0x8769, 2);
  ifd0.writeUInt16LE(4, 4); // LONG
  ifd0.writeUInt32LE(1, 6);
  ifd0.writeUInt32LE(26, 10);
  ifd0.writeUInt32LE(0, 14);
  const exifIfd = Buffer.alloc(18);
  exifIfd.writeUInt16LE(1, 0);
  exifIfd.writeUInt16LE(0x9286, 2);
  exifIfd.writeUInt16LE(7, 4); // UNDEFINED
  exifIfd.writeUInt32LE(comment.length, 6);
  exifIfd.writeUInt32LE(44, 10);
  exifIfd.writeUInt32LE(0, 14);
  return Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiffHeader, ifd0, exifIfd, comment]);
}

/** Insert the EXIF as an APP1 segment right after SOI. */
export function addJpegExif(jpeg: Buffer, exif: Buffer): Buffer {
  if (jpeg[0] !== 0xff || jpeg[1] !== 0xd8) throw new Error('not a JPEG');
  if (exif.length + 2 > 0xffff) throw new Error('EXIF block too large');
  const header = Buffer.from([0xff, 0xe1, 0, 0]);
  header.writeUInt16BE(exif.length + 2, 2);
  return Buffer.concat([jpeg.subarray(0, 2), header, exif, jpeg.subarray(2)]);
}

/** Read the UserComment back from a JPEG (our own layout or any little/big-endian EXIF). */
export function readJpegUserComment(jpeg: Buffer): string | undefined {
  let off = 2;
  while (off + 4 <= jpeg.length && jpeg[off] === 0xff) {
    const marker = jpeg[off + 1];
    const len = jpeg.readUInt16BE(off + 2);
    if (marker === 0xe1 && jpeg.toString('latin1', off + 4, off + 10) === 'Exif\0\0') {
      return readTiffUserComment(jpeg.subarray(off + 10, off + 2 + len));
    }
    if (marker === 0xda) break;
    off += 2 + len;
  }
  return undefined;
}

function readTiffUserComment(tiff: Buffer): string | undefined {
  const le = tiff.toString('latin1', 0, 2) === 'II';
  const u16 = (o: number): number => (le ? tiff.readUInt16LE(o) : tiff.readUInt16BE(o));
  const u32 = (o: number): number => (le ? tiff.readUInt32LE(o) : tiff.readUInt32BE(o));
  const findTag = (ifd: number, tag: number): number | undefined => {
    const n = u16(ifd);
    for (let i = 0; i < n; i++) if (u16(ifd + 2 + i * 12) === tag) return ifd + 2 + i * 12;
    return undefined;
  };
  const ptr = findTag(u32(4), 0x8769);
  if (ptr === undefined) return undefined;
  const entry = findTag(u32(ptr + 8), 0x9286);
  if (entry === undefined) return undefined;
  const count = u32(entry + 4);
  const data = tiff.subarray(u32(entry + 8), u32(entry + 8) + count);
  const prefix = data.toString('latin1', 0, 8);
  const body = data.subarray(8);
  if (prefix.startsWith('UNICODE')) return le ? body.toString('utf16le') : Buffer.from(body).swap16().toString('utf16le');
  return body.toString('utf8');
}
