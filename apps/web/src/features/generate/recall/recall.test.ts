import { describe, expect, it } from 'vitest';
import { parseInfotext } from './parseInfotext.ts';
import { jpegUserComment, mp4Comment, pngParameters } from './readEmbeddedParameters.ts';

const crcless = (type: string, data: Uint8Array): Uint8Array => {
  const out = new Uint8Array(12 + data.length);
  new DataView(out.buffer).setUint32(0, data.length);
  out.set(new TextEncoder().encode(type), 4);
  out.set(data, 8);
  return out;
};
const concat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};
const box = (type: string, ...inner: Uint8Array[]): Uint8Array => {
  const body = concat(...inner);
  const out = new Uint8Array(8 + body.length);
  new DataView(out.buffer).setUint32(0, out.length);
  out.set(
    Uint8Array.from(type, (c) => c.charCodeAt(0)),
    4,
  ); // box types are latin1 (©cmt is A9 63 6D 74)
  out.set(body, 8);
  return out;
};

const INFOTEXT =
  'a lighthouse, watercolor\nNegative prompt: blurry\nSteps: 24, Sampler: Euler a, CFG scale: 6, Seed: 1234, Size: 768x512, Model: Pony Diffusion V6 XL, Clip skip: 2, Mode: txt2img, Generator: MediaGen';

describe('parseInfotext', () => {
  it('reads what MediaGen writes', () => {
    expect(parseInfotext(INFOTEXT)).toEqual({
      prompt: 'a lighthouse, watercolor',
      negative_prompt: 'blurry',
      model: 'pony',
      type: 'image',
      cfg_scale: 6,
      mode: 'txt2img',
      width: 768,
      height: 512,
      seed: 1234,
      steps: 24,
      clip_skip: 2,
      sampler: 'Euler a',
    });
  });
  it('a Flux file: distilled CFG is the guidance; an A1111 file without a known model keeps the form model', () => {
    const flux = parseInfotext(
      'cat\nSteps: 25, CFG scale: 1, Distilled CFG Scale: 3.5, Seed: 7, Model: Flux.1 [dev] nf4',
    );
    expect(flux).toMatchObject({ model: 'flux', guidance_scale: 3.5, seed: 7 });
    const a1111 = parseInfotext(
      'dog\nSteps: 20, Sampler: DPM++ 2M, CFG scale: 7, Seed: 99, Size: 512x512, Model: sd15',
    );
    expect(a1111).toMatchObject({ prompt: 'dog', seed: 99, width: 512 });
    expect(a1111?.model).toBeUndefined();
    expect(parseInfotext('just text')).toBeUndefined();
  });
});

describe('embedded parameters', () => {
  it('PNG tEXt parameters', () => {
    const text = concat(new TextEncoder().encode('parameters'), new Uint8Array([0]), new TextEncoder().encode('hi'));
    const png = concat(
      new Uint8Array([0x89, 0x50, 0x4e, 0x47, 13, 10, 26, 10]),
      crcless('tEXt', text),
      crcless('IEND', new Uint8Array()),
    );
    expect(pngParameters(png)).toBe('hi');
  });
  it('MP4 ©cmt', () => {
    const data = concat(new Uint8Array(8), new TextEncoder().encode('Seed: 5'));
    const mp4 = box('moov', box('udta', box('meta', new Uint8Array(4), box('ilst', box('©cmt', box('data', data))))));
    expect(mp4Comment(concat(box('ftyp', new Uint8Array(8)), mp4))).toBe('Seed: 5');
  });
  it('JPEG without EXIF has none', () => {
    expect(jpegUserComment(new Uint8Array([0xff, 0xd8, 0xff, 0xda, 0, 2]))).toBeUndefined();
  });
});

describe('LoRAs in the infotext', () => {
  it('<lora:…> tags leave the prompt and come back as loras (A1111 positional te:unet and named forms)', () => {
    const text =
      'a fox in snow <lora:style:0.8> <lora:detail:0.25:-0.5> <lora:named:te=0.3:unet=0.6>\nSteps: 30, Seed: 7, Size: 512x512, Model: Pony Diffusion V6 XL, Lora hashes: "style: abcdef0123"';
    expect(parseInfotext(text)).toMatchObject({
      prompt: 'a fox in snow',
      loras: [
        { name: 'style', strength: 0.8 },
        { name: 'detail', strength: -0.5, strength_clip: 0.25 },
        { name: 'named', strength: 0.6, strength_clip: 0.3 },
      ],
    });
    expect(parseInfotext(INFOTEXT)).not.toHaveProperty('loras');
  });
});
