import { resolveMediaBinaries } from '@mediagen/binaries';
import type { NsfwScores, OutputClassifier } from '#ports/output-classifier.ts';
import { createFfmpegVideoTools } from '../media/ffmpeg-video-tools.ts';
import { WorkerThreadRpc } from '../threads/worker-thread-rpc.ts';
import { imageToRgb, sampleVideoFrames } from './classifier-input.ts';
import { modelInputSize, type NsfwModelName } from './nsfw-model.ts';

export interface NsfwjsClassifierOptions {
  /**
   * Which bundled model: MobileNetV2 (default; 224², ~0.12 s an image on one core) or MobileNetV2Mid (224²,
   * about the same cost) or InceptionV3 (299², ~7× slower and twice the memory).
   */
  model?: NsfwModelName;
  /** default: FFMPEG_PATH, else ffmpeg on PATH, else the npm-shipped build (@mediagen/binaries) */
  ffmpegPath?: string;
  ffprobePath?: string;
  /** an ffmpeg/ffprobe run is killed after this long (default 2 min) */
  processTimeoutMs?: number;
  /** frames sampled per video when the caller does not say (default 4; never fewer than 4) */
  defaultVideoFrames?: number;
}

export const MIN_VIDEO_FRAMES = 4;
const MAX_VIDEO_FRAMES = 64;

/** What the classifier thread reports about itself (tests and the bench read it). */
export interface NsfwjsClassifierStats {
  networkAttempts: number;
  backend: string;
  tensors: number;
}

export interface NsfwjsClassifier extends OutputClassifier {
  /** Loads the model now rather than on the first image (start-up, bench); returns the load time. */
  warmUp(): Promise<{ backend: string; loadMs: number }>;
  stats(): Promise<NsfwjsClassifierStats>;
  /** Inference only, on pixels already decoded to the model's size×size RGB (the bench's "after decode"). */
  classifyRgb(frames: Array<Uint8Array<ArrayBuffer>>): Promise<NsfwScores[]>;
  /** the model's square input side (224, or 299 for InceptionV3) */
  readonly inputSize: number;
}

/**
 * nsfwjs (weights inside its npm package) on TensorFlow.js's WebAssembly backend, in a worker thread the adapter
 * owns and starts on first use. Decoding (sharp) and frame sampling (ffmpeg) stay on this side: both are
 * already off the event loop (libuv pool, child process).
 */
export function createNsfwjsClassifier(opts: NsfwjsClassifierOptions = {}): NsfwjsClassifier {
  const model = opts.model ?? 'MobileNetV2';
  const size = modelInputSize(model);
  const timeoutMs = opts.processTimeoutMs ?? 2 * 60_000;
  const defaultFrames = Math.max(MIN_VIDEO_FRAMES, opts.defaultVideoFrames ?? MIN_VIDEO_FRAMES);
  let sampler: Parameters<typeof sampleVideoFrames>[3] | undefined;
  const frameSampler = (): Parameters<typeof sampleVideoFrames>[3] => {
    if (sampler) return sampler;
    const ffmpegPath = opts.ffmpegPath ?? resolveMediaBinaries().ffmpeg.path;
    const ffprobePath = opts.ffprobePath ?? resolveMediaBinaries().ffprobe.path;
    sampler = { ffmpegPath, video: createFfmpegVideoTools({ ffmpegPath, ffprobePath, timeoutMs }), timeoutMs };
    return sampler;
  };
  const thread = new WorkerThreadRpc(new URL('./nsfwjs-worker.ts', import.meta.url), {
    name: `nsfwjs ${model}`,
    workerData: { model },
  });
  const classify = (frames: Array<Uint8Array<ArrayBuffer>>): Promise<NsfwScores[]> =>
    thread.call<NsfwScores[]>(
      'classify',
      [frames, size],
      frames.map((f) => f.buffer),
    );

  return {
    warmUp: () => thread.call('warmUp'),
    stats: () => thread.call('stats'),
    classifyRgb: (frames) => classify(frames),
    inputSize: size,
    async classifyImage(image) {
      const [scores] = await classify([await imageToRgb(image, size)]);
      if (!scores) throw new Error('the classifier returned no scores');
      return scores;
    },
    async classifyVideo(path, o = {}) {
      const wanted = Math.min(MAX_VIDEO_FRAMES, Math.max(MIN_VIDEO_FRAMES, Math.floor(o.frames ?? defaultFrames)));
      return classify(await sampleVideoFrames(path, wanted, size, frameSampler()));
    },
    close: () => thread.close(),
  };
}
