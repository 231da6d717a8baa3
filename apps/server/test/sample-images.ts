// Images for tests that need real encoded bytes, made in memory by sharp (no files, no processes).
import sharp from 'sharp';

/** An A1111-style infotext with non-Latin-1 text, so encodings are really exercised. */
export const SAMPLE_INFOTEXT =
  'a lighthouse at dawn, маяк на рассвете 🌅\nNegative prompt: fog — blur\nSteps: 30, Sampler: Euler a, CFG scale: 6, Seed: 42, Size: 512x512, Model: pony';

/** A flat-colour PNG (optionally half-transparent). */
export function makePng(width: number, height: number, opts: { alpha?: boolean } = {}): Promise<Buffer> {
  const channels = opts.alpha ? 4 : 3;
  return sharp({
    create: { width, height, channels, background: opts.alpha ? { r: 70, g: 170, b: 120, alpha: 0.5 } : '#46aa78' },
  })
    .png()
    .toBuffer();
}
