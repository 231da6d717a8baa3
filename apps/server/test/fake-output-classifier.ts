import fsp from 'node:fs/promises';
import sharp from 'sharp';
import { readImageParameters } from '#adapters/media/sharp-image-tools.ts';
import type { NsfwScores, OutputClassifier } from '#ports/output-classifier.ts';

const EXPLICIT: NsfwScores = { porn: 0.91, hentai: 0.03, sexy: 0.04, neutral: 0.01, drawing: 0.01 };
const CLEAN: NsfwScores = { porn: 0.01, hentai: 0.01, sexy: 0.02, neutral: 0.9, drawing: 0.06 };

/**
 * A fake of the classifier port for rule tests (no explicit material anywhere): an output counts as explicit when
 * the seed in its embedded generation parameters is one of `explicitSeeds` (the simulator's outputs carry them), a
 * reference image when it is a plain magenta square (`EXPLICIT_REFERENCE_RGB`).
 */
export class SeedMarkedClassifier implements OutputClassifier {
  readonly explicitSeeds = new Set<number>();
  readonly calls = { images: 0, videos: 0, frames: 0 };
  closed = false;

  async classifyImage(image: Buffer): Promise<NsfwScores> {
    this.calls.images += 1;
    const parameters = readImageParameters(image);
    if (parameters !== undefined) return this.bySeed(parameters);
    const { channels } = await sharp(image).stats();
    const [r, g, b] = channels.map((c) => Math.round(c.mean));
    return r === 255 && g === 0 && b === 255 ? { ...EXPLICIT } : { ...CLEAN };
  }

  async classifyVideo(path: string, opts?: { frames?: number }): Promise<NsfwScores[]> {
    this.calls.videos += 1;
    const frames = Math.max(4, opts?.frames ?? 4);
    this.calls.frames += frames;
    // the mp4 comment tag holds the parameters as plain text
    const text = (await fsp.readFile(path)).toString('latin1');
    return Array.from({ length: frames }, () => this.bySeed(text));
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private bySeed(text: string): NsfwScores {
    const seed = /Seed: (\d+)/.exec(text)?.[1];
    return seed !== undefined && this.explicitSeeds.has(Number(seed)) ? { ...EXPLICIT } : { ...CLEAN };
  }
}

/** A 64×64 magenta PNG: the reference image SeedMarkedClassifier scores explicit. */
export async function explicitReferencePng(): Promise<Buffer> {
  return sharp({ create: { width: 64, height: 64, channels: 3, background: { r: 255, g: 0, b: 255 } } })
    .png()
    .toBuffer();
}
