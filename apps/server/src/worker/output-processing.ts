import crypto from 'node:crypto';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { API, MODELS, type GenerationResult } from '@mediagen/contract';
import { buildInfotext } from '#domain/infotext.ts';
import type { EngineOutputFile } from '#ports/engine.ts';
import type { FileStore } from '#ports/file-store.ts';
import type { MediaTools } from '#ports/media-tools.ts';
import type { AssetRecord, Store, TaskRecord } from '#ports/store.ts';
import { storeThumbnail } from '#services/stored-media.ts';
import type { WrittenOutput } from './output-check.ts';

const MIME: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  mp4: 'video/mp4',
  webm: 'video/webm',
  gif: 'image/gif',
};

export interface OutputDeps {
  store: Store;
  files: FileStore;
  media: MediaTools;
  now: () => number;
  publicBaseUrl?: string;
  /** the output checks (output-check.ts): throws OutputWithheldError after moving the files to quarantine */
  outputCheck?: { check(task: TaskRecord, outputs: readonly WrittenOutput[]): Promise<void> };
  /** embeds the provenance manifest in delivered files (PNG, JPEG, MP4), in place */
  provenance?: { sign(task: TaskRecord, outputs: readonly WrittenOutput[]): Promise<void> };
}

/** How the request was carried out, where it differs from what a user may assume. */
export function resultNotes(p: TaskRecord['params']): string[] {
  const notes: string[] = [];
  const native = MODELS[p.model].nativeFps;
  if (native !== undefined && p.fps !== undefined && p.fps !== native) {
    notes.push(
      `Generated at ${native} fps and written at ${p.fps} fps: the same ${p.num_frames ?? ''} frames play ${p.fps > native ? 'faster' : 'slower'}, no frames were added or dropped.`,
    );
  }
  if (p.mode === 'first_last_frame' && p.last_frame_image === undefined) {
    notes.push('No end frame was given: only the start frame conditions the video.');
  }
  return notes;
}

/**
 * Engine files → requested format (sharp/ffmpeg) → stored assets + thumbnail → the GenerationResult, and the ids of
 * the asset rows written (the thumbnail's too), for a runner that must take them back.
 */
export async function processOutputs(
  d: OutputDeps,
  task: TaskRecord,
  files: EngineOutputFile[],
  timing: {
    inferenceSeconds: number;
    gpuSeconds: number;
    queueSeconds: number;
    transferSeconds?: number;
    backend: string;
  },
): Promise<{ result: GenerationResult; assetIds: string[] }> {
  const p = task.params;
  const ext = p.output_format;
  const assets: AssetRecord[] = [];
  const written: WrittenOutput[] = [];
  let thumbSource: { key: string; kind: 'image' | 'video' } | undefined;
  for (const [i, file] of files.entries()) {
    const key = `media/${task.id}/${i}.${ext}`;
    const seed = p.seeds[i] ?? p.seed + i;
    let width = p.width;
    let height = p.height;
    if (file.kind === 'image') {
      const encoded = await d.media.encodeImage(file.data, ext === 'jpg' ? 'jpg' : 'png', buildInfotext(p, seed));
      await d.files.write(key, encoded);
    } else {
      const tmp = path.join(
        os.tmpdir(),
        `mediagen-${crypto.randomUUID()}-${path.basename(file.filename).replace(/[^\w.-]/g, '_')}`,
      );
      await fsp.writeFile(tmp, file.data);
      const out = await d.files.writablePath(key);
      try {
        await d.media.convertVideo(tmp, ext === 'webm' || ext === 'gif' ? ext : 'mp4', out.path, {
          ...(p.fps ? { fps: p.fps } : {}),
          comment: buildInfotext(p, seed),
        });
        const probe = await d.media.probeVideo(out.path);
        width = probe.width;
        height = probe.height;
        await out.commit();
      } finally {
        await fsp.rm(tmp, { force: true });
        await out.release();
      }
    }
    written.push({ key, mime: MIME[ext] ?? 'application/octet-stream', idx: i, width, height });
    thumbSource ??= { key, kind: file.kind === 'video' && ext !== 'gif' ? 'video' : 'image' };
  }
  // checked before anything is in the gallery: a withheld job leaves no asset and no thumbnail
  await d.outputCheck?.check(task, written);
  await d.provenance?.sign(task, written);
  for (const w of written) {
    const asset: AssetRecord = {
      id: crypto.randomUUID(),
      ownerId: task.ownerId,
      taskId: task.id,
      kind: 'output',
      idx: w.idx,
      path: w.key,
      mime: w.mime,
      width: w.width ?? p.width,
      height: w.height ?? p.height,
      bytes: await d.files.size(w.key),
      createdAt: d.now(),
    };
    await d.store.assets.insert(asset);
    assets.push(asset);
  }
  const assetIds = assets.map((a) => a.id);
  if (thumbSource) {
    const key = `media/${task.id}/thumb.jpg`;
    await storeThumbnail(d, thumbSource, key, 384);
    const id = crypto.randomUUID();
    assetIds.push(id);
    await d.store.assets.insert({
      id,
      ownerId: task.ownerId,
      taskId: task.id,
      kind: 'thumbnail',
      idx: 0,
      path: key,
      mime: 'image/jpeg',
      width: null,
      height: null,
      bytes: await d.files.size(key),
      createdAt: d.now(),
    });
  }
  return { result: generationResult(task, assets, timing, d.publicBaseUrl), assetIds };
}

/** The result of a finished job over its stored outputs (also for an output an admin released from review). */
export function generationResult(
  task: TaskRecord,
  assets: readonly AssetRecord[],
  timing: {
    inferenceSeconds: number;
    gpuSeconds: number;
    queueSeconds: number;
    backend: string;
    transferSeconds?: number;
  },
  publicBaseUrl: string | undefined,
): GenerationResult {
  const p = task.params;
  const base = publicBaseUrl?.replace(/\/$/, '') ?? '';
  const urls = assets.map((a) => base + API.results(task.id, a.idx));
  const first = assets[0];
  return {
    status: 'success',
    task_id: task.id,
    url: urls[0] ?? '',
    urls,
    asset_ids: assets.map((a) => a.id),
    thumbnail_url: base + API.preview(task.id),
    seed: p.seed,
    seeds: p.seeds.slice(0, Math.max(1, assets.length)),
    width: first?.width ?? p.width,
    height: first?.height ?? p.height,
    model: p.model,
    type: MODELS[p.model].type,
    mode: p.mode,
    output_format: p.output_format,
    metadata: {
      inference_time: timing.inferenceSeconds,
      gpu_time: timing.gpuSeconds,
      queue_time: timing.queueSeconds,
      ...(timing.transferSeconds !== undefined ? { transfer_time: timing.transferSeconds } : {}),
      ...(p.num_frames !== undefined
        ? { num_frames: p.num_frames, requested_num_frames: p.requested_num_frames ?? p.num_frames }
        : {}),
      ...(p.fps !== undefined ? { fps: p.fps } : {}),
      backend: timing.backend,
      ignored_params: p.ignored_params,
      ...(MODELS[p.model].nativeFps !== undefined ? { native_fps: MODELS[p.model].nativeFps } : {}),
      ...(resultNotes(p).length > 0 ? { notes: resultNotes(p) } : {}),
    },
  };
}
