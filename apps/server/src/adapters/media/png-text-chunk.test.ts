import zlib from 'node:zlib';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { SAMPLE_INFOTEXT, makePng } from '#test/sample-images.ts';
import { encodePngChunk, listPngChunks, readPngText, writePngText } from './png-text-chunk.ts';

/** Bitwise CRC-32 (the PNG polynomial), written out here so the check does not reuse the code under test. */
function referenceCrc32(bytes: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

describe('PNG text chunk', () => {
  it('writes plain ASCII as tEXt, with a correct CRC, right after IHDR', async () => {
    const out = writePngText(await makePng(16, 16), 'parameters', 'Steps: 30, Seed: 42');
    const chunks = listPngChunks(out);
    expect(chunks.map((c) => c.type).slice(0, 2)).toEqual(['IHDR', 'tEXt']);
    for (const c of chunks)
      expect(out.readUInt32BE(c.end - 4)).toBe(referenceCrc32(out.subarray(c.start + 4, c.end - 4)));
    expect(chunks[1]?.data.toString('latin1')).toBe('parameters\0Steps: 30, Seed: 42');
    expect(readPngText(out, 'parameters')).toBe('Steps: 30, Seed: 42');
  });

  it('writes non-ASCII text as UTF-8 iTXt that libvips reads back as the same text', async () => {
    const out = writePngText(await makePng(16, 16), 'parameters', SAMPLE_INFOTEXT);
    const chunks = listPngChunks(out);
    expect(chunks[1]?.type).toBe('iTXt');
    for (const c of chunks)
      expect(out.readUInt32BE(c.end - 4)).toBe(referenceCrc32(out.subarray(c.start + 4, c.end - 4)));
    expect(readPngText(out, 'parameters')).toBe(SAMPLE_INFOTEXT);
    // an independent reader: libvips, and a strict decode (failOn warning) of the whole file
    const meta = await sharp(out, { failOn: 'warning' }).metadata();
    expect(meta.comments).toEqual([{ keyword: 'parameters', text: SAMPLE_INFOTEXT }]);
    await expect(sharp(out, { failOn: 'warning' }).raw().toBuffer()).resolves.toBeInstanceOf(Buffer);
  });

  it('replaces an earlier chunk with the same keyword and keeps the others', async () => {
    const once = writePngText(await makePng(8, 8), 'parameters', 'old');
    const withOther = writePngText(once, 'Software', 'test');
    const twice = writePngText(withOther, 'parameters', 'new');
    expect(readPngText(twice, 'parameters')).toBe('new');
    expect(readPngText(twice, 'Software')).toBe('test');
    expect(listPngChunks(twice).filter((c) => c.type === 'tEXt')).toHaveLength(2);
  });

  it('reads compressed iTXt and zTXt written by other tools', async () => {
    const png = await makePng(8, 8);
    const itxt = encodePngChunk(
      'iTXt',
      Buffer.concat([
        Buffer.from('parameters\0\x01\0en\0\0', 'latin1'),
        zlib.deflateSync(Buffer.from('сжатый', 'utf8')),
      ]),
    );
    const ztxt = encodePngChunk(
      'zTXt',
      Buffer.concat([Buffer.from('comment\0\0', 'latin1'), zlib.deflateSync(Buffer.from('zipped', 'latin1'))]),
    );
    const withChunks = Buffer.concat([png.subarray(0, 33), itxt, ztxt, png.subarray(33)]);
    expect(readPngText(withChunks, 'parameters')).toBe('сжатый');
    expect(readPngText(withChunks, 'comment')).toBe('zipped');
  });

  it('answers undefined for other bytes, missing keywords and truncated files', async () => {
    const png = await makePng(8, 8);
    expect(readPngText(Buffer.from('not a png'), 'parameters')).toBeUndefined();
    expect(readPngText(png, 'parameters')).toBeUndefined();
    const tagged = writePngText(png, 'parameters', 'x'.repeat(100));
    expect(readPngText(tagged.subarray(0, 60), 'parameters')).toBeUndefined();
  });

  it('refuses keywords PNG does not allow', async () => {
    const png = await makePng(8, 8);
    expect(() => writePngText(png, '', 'x')).toThrow(/keyword/);
    expect(() => writePngText(png, 'k'.repeat(80), 'x')).toThrow(/keyword/);
    expect(() => writePngText(Buffer.from('nope'), 'parameters', 'x')).toThrow(/not a PNG/);
  });
});
