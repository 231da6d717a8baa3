import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FakeMediaTools } from './fake-media-tools.ts';
import { jpegStandIn, pngStandIn, readImageHeader } from './image-stand-ins.ts';
import { MemoryFileStore } from './memory-file-store.ts';

// The fakes keep the promises of their ports (the parts unit tests rely on); the real adapters have their own
// tests in the integration tier.

describe('FakeMediaTools', () => {
  const media = new FakeMediaTools(new MemoryFileStore());

  it('judges images by their headers, with the port’s refusal reasons', async () => {
    const reason = (input: Buffer, maxPixels = 1e6) =>
      media.normalizeImage(input, { maxPixels }).then(
        () => 'accepted',
        (e: unknown) => [(e as Error).name, (e as { reason?: string }).reason].join(' '),
      );
    expect(await reason(pngStandIn(64, 32))).toBe('accepted');
    expect(await reason(jpegStandIn(64, 32))).toBe('accepted');
    expect(await reason(Buffer.from('GIF89a....'))).toBe('BadImageError unsupported_format');
    expect(await reason(Buffer.from('not an image'))).toBe('BadImageError not_an_image');
    expect(await reason(Buffer.alloc(0))).toBe('BadImageError not_an_image');
    expect(await reason(pngStandIn(2000, 2000), 3_999_999)).toBe('BadImageError too_many_pixels');
  });

  it('normalizes to a PNG of the source size, or of the size asked for', async () => {
    const { png, meta } = await media.normalizeImage(jpegStandIn(80, 60), { maxPixels: 1e6 });
    expect(meta).toEqual({ format: 'jpeg', width: 80, height: 60 });
    expect(readImageHeader(png)).toEqual({ format: 'png', width: 80, height: 60 });
    const resized = await media.normalizeImage(png, { maxPixels: 1e6, resizeTo: { width: 32, height: 16 } });
    expect(readImageHeader(resized.png)).toEqual({ format: 'png', width: 32, height: 16 });
  });

  it('embeds parameters that read back, as PNG text or JPEG EXIF', async () => {
    const text = 'a cat, кошка 🐈\nSteps: 30, Seed: 42';
    for (const format of ['png', 'jpg'] as const) {
      const encoded = await media.encodeImage(pngStandIn(16, 16), format, text);
      expect(readImageHeader(encoded)).toMatchObject({ format: format === 'png' ? 'png' : 'jpeg', width: 16 });
      expect(await media.readImageParameters(encoded)).toBe(text);
    }
    expect(await media.readImageParameters(pngStandIn(4, 4))).toBeUndefined();
  });

  it('writes thumbnails and videos into the memory file store only, never to disk', async () => {
    const files = new MemoryFileStore();
    const tools = new FakeMediaTools(files);
    await files.write('media/t/0.png', pngStandIn(1024, 512));
    await tools.thumbnail(
      { path: files.localPath('media/t/0.png'), kind: 'image' },
      files.localPath('media/t/thumb.jpg'),
    );
    expect(readImageHeader(await files.read('media/t/thumb.jpg'))).toEqual({ format: 'jpeg', width: 384, height: 192 });
    await tools.convertVideo('/tmp/in.webp', 'webm', files.localPath('media/t/0.webm'), { fps: 24 });
    expect(await tools.probeVideo(files.localPath('media/t/0.webm'))).toMatchObject({ codec: 'vp9', fps: 24 });
    expect(fs.existsSync(files.localPath('media/t/thumb.jpg'))).toBe(false);
    await expect(tools.probeVideo(path.join('/tmp', 'x.mp4'))).rejects.toThrow(/memory-file-store paths only/);
  });
});

describe('MemoryFileStore', () => {
  it('reads, streams byte ranges, sizes, removes by key and by prefix; refuses unsafe keys', async () => {
    const files = new MemoryFileStore();
    await files.write('media/a/0.png', Buffer.from('0123456789'));
    await files.write('media/a/thumb.jpg', Buffer.from('t'));
    await files.write('media/ab/0.png', Buffer.from('x'));
    expect((await files.read('media/a/0.png')).toString()).toBe('0123456789');
    expect(await files.size('media/a/0.png')).toBe(10);
    const chunks: Buffer[] = [];
    for await (const c of files.stream('media/a/0.png', { start: 2, end: 4 })) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe('234');
    expect(files.keyOf(files.localPath('media/a/0.png'))).toBe('media/a/0.png');
    await files.removePrefix('media/a');
    expect(files.keys()).toEqual(['media/ab/0.png']);
    await expect(files.read('media/a/0.png')).rejects.toMatchObject({ code: 'ENOENT' });
    expect(() => files.localPath('../etc/passwd')).toThrow(/unsafe/);
    await expect(files.write('/abs', Buffer.alloc(0))).rejects.toThrow(/unsafe/);
  });
});
