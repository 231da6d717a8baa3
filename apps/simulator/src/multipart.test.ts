import { describe, expect, it } from 'vitest';
import { boundaryOf, MultipartError, parseMultipart } from './multipart.ts';

async function encode(form: FormData): Promise<{ body: Buffer; type: string }> {
  const res = new Response(form);
  return { body: Buffer.from(await res.arrayBuffer()), type: res.headers.get('content-type')! };
}

describe('parseMultipart', () => {
  it('reads what a fetch FormData sends: file part with filename and type, text fields', async () => {
    // FormData percent-encodes `"` in names; like aiohttp, the parser keeps the name as sent
    const bytes = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x2d, 0x2d, 0x0d, 0x0a]);
    const form = new FormData();
    form.append('image', new Blob([bytes], { type: 'image/png' }), 'my "pic".png');
    form.append('overwrite', 'true');
    form.append('subfolder', 'refs');
    const { body, type } = await encode(form);
    const parts = parseMultipart(body, type);
    expect(parts.map((p) => p.name)).toEqual(['image', 'overwrite', 'subfolder']);
    expect(parts[0]).toMatchObject({ filename: 'my %22pic%22.png', contentType: 'image/png' });
    expect(parts[0]!.data.equals(bytes)).toBe(true);
    expect(parts[1]!.data.toString()).toBe('true');
    expect(parts[1]!.filename).toBeUndefined();
  });

  it('handles a preamble, quoted boundaries, RFC 5987 filenames and empty parts', () => {
    const body = Buffer.from(
      'preamble\r\n--a b\r\nContent-Disposition: form-data; name="image"; filename*=UTF-8\'\'caf%C3%A9.png\r\n\r\nxy\r\n--a b\r\n' +
        'Content-Disposition: form-data; name="type"\r\n\r\n\r\n--a b--\r\n',
    );
    const parts = parseMultipart(body, 'multipart/form-data; boundary="a b"');
    expect(parts[0]).toMatchObject({ name: 'image', filename: 'café.png' });
    expect(parts[0]!.data.toString()).toBe('xy');
    expect(parts[1]!.data.length).toBe(0);
  });

  it('rejects bodies that are not multipart', () => {
    expect(boundaryOf('application/json')).toBeUndefined();
    expect(() => parseMultipart(Buffer.from('{}'), 'application/json')).toThrow(MultipartError);
    expect(() =>
      parseMultipart(
        Buffer.from('--x\r\nContent-Disposition: form-data; name="a"\r\n\r\nno end'),
        'multipart/form-data; boundary=x',
      ),
    ).toThrow(MultipartError);
  });
});
