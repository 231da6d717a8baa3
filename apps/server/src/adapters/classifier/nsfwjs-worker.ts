// The classifier's worker thread: TensorFlow.js on its WebAssembly backend (SIMD, one thread) runs an nsfwjs model
// whose weights ship inside the nsfwjs npm package. Nothing here touches the network: fetch is replaced by a
// function that refuses, so a code path that tried to download would fail loudly instead of fetching.
import path from 'node:path';
import { createRequire } from 'node:module';
import { workerData } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { load, type NSFWJS, type PredictionType } from 'nsfwjs';
import type { NsfwScores } from '#ports/output-classifier.ts';
import { serveWorkerRequests } from '../threads/worker-thread-rpc.ts';
import { scoresFromPredictions, type NsfwModelName } from './nsfw-model.ts';

const config = workerData as { model: NsfwModelName };

let networkAttempts = 0;
globalThis.fetch = (input: unknown): Promise<Response> => {
  networkAttempts++;
  const target = input instanceof URL ? input.href : typeof input === 'string' ? input : 'a request';
  return Promise.reject(new Error(`the classifier never uses the network (refused ${target})`));
};

let loading: Promise<NSFWJS> | undefined;

async function loadModel(): Promise<NSFWJS> {
  const wasmFile = createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm');
  setWasmPaths(path.dirname(wasmFile) + path.sep);
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false); // one thread: the other core stays with the gateway
  if (!(await tf.setBackend('wasm'))) throw new Error('the TensorFlow.js WebAssembly backend did not start');
  await tf.ready();
  // nsfwjs announces the model it loads on console.info; a worker thread has no business on our stdout
  // eslint-disable-next-line no-console
  const info = console.info;
  // eslint-disable-next-line no-console
  console.info = () => undefined;
  try {
    return await load(config.model);
  } finally {
    // eslint-disable-next-line no-console
    console.info = info;
  }
}

function model(): Promise<NSFWJS> {
  loading ??= loadModel().catch((err: unknown) => {
    loading = undefined;
    throw err;
  });
  return loading;
}

/** `pixels`: size×size×3 RGB bytes, already at the model's input size. */
async function classifyPixels(nsfw: NSFWJS, pixels: Uint8Array, size: number): Promise<NsfwScores> {
  if (pixels.length !== size * size * 3) throw new Error(`expected ${size}×${size} RGB, got ${pixels.length} bytes`);
  const input = tf.tensor3d(pixels, [size, size, 3], 'int32');
  try {
    const predictions: PredictionType[] = await nsfw.classify(input, 5);
    return scoresFromPredictions(predictions);
  } finally {
    input.dispose();
  }
}

serveWorkerRequests({
  async warmUp(): Promise<{ backend: string; loadMs: number }> {
    const started = performance.now();
    await model();
    return { backend: tf.getBackend(), loadMs: performance.now() - started };
  },
  async classify(frames: Uint8Array[], size: number): Promise<NsfwScores[]> {
    const nsfw = await model();
    const scores: NsfwScores[] = [];
    for (const frame of frames) scores.push(await classifyPixels(nsfw, frame, size));
    return scores;
  },
  async stats(): Promise<{ networkAttempts: number; backend: string; tensors: number }> {
    return { networkAttempts, backend: tf.getBackend(), tensors: tf.memory().numTensors };
  },
});
