/* Content checks and provenance costs: nsfwjs classifier per image and per video, C2PA signing per output.
   Called by bench/run.ts (contentBench) or standalone: node --import tsx bench/content-bench.ts [--all-models] */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveMediaBinaries } from '@mediagen/binaries';
import sharp from 'sharp';
import { imageToRgb } from '../apps/server/src/adapters/classifier/classifier-input.ts';
import { createNsfwjsClassifier } from '../apps/server/src/adapters/classifier/nsfwjs-classifier.ts';
import type { NsfwModelName } from '../apps/server/src/adapters/classifier/nsfw-model.ts';
import { encodeImageWithParameters } from '../apps/server/src/adapters/media/sharp-image-tools.ts';
import {
  createC2paProvenanceSigner,
  loadC2paCredentials,
} from '../apps/server/src/adapters/provenance/c2pa-provenance-signer.ts';
import type { ProvenanceMime } from '../apps/server/src/ports/provenance.ts';
import { landscapeSvg } from '../apps/server/test/neutral-images.ts';

export interface ClassifierBench {
  model: NsfwModelName;
  /** thread start + WASM backend + weights, first call */
  loadMs: number;
  /** inference only, pixels already at the model's input size */
  msPerImageDecoded: number;
  /** classifyImage on a 1024×1024 PNG: sharp decode + resize + inference */
  msPerImage1024Png: number;
  /** classifyVideo on an 81-frame 512×512 H.264 mp4, 4 sampled frames: probe + ffmpeg + 4 inferences */
  msPerVideo81x512: number;
}

export interface SigningBench {
  mime: ProvenanceMime;
  inputBytes: number;
  /** sign (hash + manifest + COSE + rewrite the file) per output, warm thread */
  msPerFile: number;
  addedBytes: number;
}

export interface ContentBenchResult {
  classifiers: ClassifierBench[];
  signing: SigningBench[];
  /** first sign call: thread start + WASM compile */
  signerWarmUpMs: number;
  /** markdown lines for docs/BENCHMARKS.md */
  lines: string[];
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

async function timeMedian(runs: number, fn: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await fn();
    times.push(performance.now() - started);
  }
  return median(times);
}

function makeClip(dir: string, still: string, ffmpeg: string): string {
  const clip = path.join(dir, 'clip-81x512.mp4');
  execFileSync(ffmpeg, [
    ...['-y', '-nostdin', '-loglevel', 'error', '-loop', '1', '-i', still],
    ...['-vf', "scale=640:640,crop=512:512:x='n':y=64,noise=alls=12:allf=t", '-frames:v', '81', '-r', '16'],
    ...['-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p', '-movflags', '+faststart', clip],
  ]);
  return clip;
}

async function benchClassifier(model: NsfwModelName, png1024: Buffer, clip: string, runs: number) {
  const classifier = createNsfwjsClassifier({ model });
  try {
    const started = performance.now();
    await classifier.warmUp();
    const loadMs = performance.now() - started;
    const rgb = await imageToRgb(png1024, classifier.inputSize);
    for (let i = 0; i < 3; i++) await classifier.classifyRgb([rgb.slice()]); // kernels warm before timing
    const msPerImageDecoded = await timeMedian(runs, () => classifier.classifyRgb([rgb.slice()]));
    const msPerImage1024Png = await timeMedian(runs, () => classifier.classifyImage(png1024));
    const msPerVideo81x512 = await timeMedian(Math.max(3, Math.ceil(runs / 3)), () =>
      classifier.classifyVideo(clip, { frames: 4 }),
    );
    return { model, loadMs, msPerImageDecoded, msPerImage1024Png, msPerVideo81x512 };
  } finally {
    await classifier.close();
  }
}

export async function contentBench(
  opts: { models?: NsfwModelName[]; runs?: number; log?: (line: string) => void } = {},
): Promise<ContentBenchResult> {
  const log = opts.log ?? (() => undefined);
  const runs = opts.runs ?? 9;
  const ffmpeg = resolveMediaBinaries().ffmpeg.path;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mediagen-content-bench-'));
  try {
    const png1024 = await sharp(Buffer.from(landscapeSvg(1024, 1024)))
      .png()
      .toBuffer();
    const still = path.join(dir, 'still.png');
    fs.writeFileSync(still, png1024);
    const clip = makeClip(dir, still, ffmpeg);

    const classifiers: ClassifierBench[] = [];
    for (const model of opts.models ?? ['MobileNetV2']) {
      log(`classifier ${model}…`);
      classifiers.push(await benchClassifier(model, png1024, clip, runs));
    }

    log('C2PA signing…');
    const credentials = await loadC2paCredentials({ dataDir: path.join(dir, 'data'), label: 'bench' });
    const signer = createC2paProvenanceSigner(credentials);
    const signing: SigningBench[] = [];
    let signerWarmUpMs = 0;
    try {
      const warm = performance.now();
      await signer.warmUp();
      signerWarmUpMs = performance.now() - warm;
      const infotext = 'a landscape\nSteps: 30, Sampler: Euler a, CFG scale: 6, Seed: 42, Size: 1024x1024, Model: pony';
      const inputs: Array<[ProvenanceMime, Buffer]> = [
        ['image/png', await encodeImageWithParameters(png1024, 'png', infotext)],
        ['image/jpeg', await encodeImageWithParameters(png1024, 'jpg', infotext)],
        ['video/mp4', fs.readFileSync(clip)],
      ];
      for (const [mime, bytes] of inputs) {
        const file = path.join(dir, `out.${mime.split('/')[1]}`);
        let signedBytes = 0;
        const msPerFile = await timeMedian(runs, async () => {
          fs.writeFileSync(file, bytes);
          await signer.sign({
            path: file,
            mime,
            model: 'pony',
            modelLabel: 'Pony Diffusion V6 XL',
            version: 'bench',
            createdAt: new Date(),
          });
          signedBytes = fs.statSync(file).size;
        });
        signing.push({ mime, inputBytes: bytes.length, msPerFile, addedBytes: signedBytes - bytes.length });
      }
    } finally {
      await signer.close();
    }

    const f0 = (n: number): string => n.toFixed(0);
    const lines = [
      '## 9. Content checks and provenance',
      '',
      `nsfwjs on TensorFlow.js WASM (SIMD, one thread) in a worker thread; median of ${runs} runs; ${os.cpus().length} cores.`,
      '',
      '| model | load (ms) | image, decoded (ms) | 1024² PNG (ms) | video 81×512², 4 frames (ms) |',
      '| --- | ---: | ---: | ---: | ---: |',
      ...classifiers.map(
        (c) =>
          `| ${c.model} | ${f0(c.loadMs)} | ${f0(c.msPerImageDecoded)} | ${f0(c.msPerImage1024Png)} | ${f0(c.msPerVideo81x512)} |`,
      ),
      '',
      `C2PA (c2pa-rs WASM in a worker thread, ES256): first call ${f0(signerWarmUpMs)} ms (thread + WASM compile).`,
      '',
      '| output | size | sign (ms) | manifest adds |',
      '| --- | ---: | ---: | ---: |',
      ...signing.map(
        (s) =>
          `| ${s.mime} | ${(s.inputBytes / 1024).toFixed(0)} KiB | ${f0(s.msPerFile)} | ${(s.addedBytes / 1024).toFixed(1)} KiB |`,
      ),
      '',
    ];
    return { classifiers, signing, signerWarmUpMs, lines };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const all = process.argv.includes('--all-models');
  const result = await contentBench({
    models: all ? ['MobileNetV2', 'MobileNetV2Mid', 'InceptionV3'] : ['MobileNetV2'],
    log: (line) => console.error(line),
  });
  console.log(result.lines.join('\n'));
}
