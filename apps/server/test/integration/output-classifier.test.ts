// The real classifier (nsfwjs MobileNetV2 on TensorFlow.js WASM, in its worker thread) on neutral pictures only:
// a landscape and a line drawing made with sharp, and short clips made from them with ffmpeg.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNsfwjsClassifier, type NsfwjsClassifier } from '#adapters/classifier/nsfwjs-classifier.ts';
import { explicitScore } from '#adapters/classifier/nsfw-model.ts';
import { FFMPEG, makeTempDir, removeTempDir } from '../media-test-fixtures.ts';
import type { NsfwScores } from '#ports/output-classifier.ts';
import { landscapeSvg, lineDrawingSvg } from '#test/neutral-images.ts';

function expectNeutral(scores: NsfwScores): void {
  const sum = scores.porn + scores.hentai + scores.sexy + scores.neutral + scores.drawing;
  expect(sum).toBeGreaterThan(0.98);
  expect(sum).toBeLessThan(1.02);
  expect(explicitScore(scores)).toBeLessThan(0.05); // measured: about 0.005 for these pictures
  expect(scores.neutral + scores.drawing).toBeGreaterThan(0.8);
}

describe('nsfwjs classifier (real model, offline)', () => {
  let dir: string;
  let classifier: NsfwjsClassifier;
  let landscapePng: Buffer;
  let drawingPng: Buffer;

  beforeAll(async () => {
    dir = makeTempDir();
    classifier = createNsfwjsClassifier();
    landscapePng = await sharp(Buffer.from(landscapeSvg(1024, 1024)))
      .png()
      .toBuffer();
    drawingPng = await sharp(Buffer.from(lineDrawingSvg(768, 768)))
      .png()
      .toBuffer();
  });

  afterAll(async () => {
    await classifier.close();
    removeTempDir(dir);
  });

  it('loads the bundled MobileNetV2 weights on the WASM backend without touching the network', async () => {
    const { backend } = await classifier.warmUp();
    expect(backend).toBe('wasm');
    const stats = await classifier.stats();
    expect(stats.networkAttempts).toBe(0);
  });

  it('scores a landscape as non-explicit', async () => {
    const scores = await classifier.classifyImage(landscapePng);
    expectNeutral(scores);
    expect(scores.neutral).toBeGreaterThan(0.5);
  });

  it('scores a line drawing as non-explicit (JPEG input, greyscale-ish)', async () => {
    const jpeg = await sharp(drawingPng).jpeg({ quality: 85 }).toBuffer();
    expectNeutral(await classifier.classifyImage(jpeg));
  });

  it('gives the same scores for the same pixels and leaks no tensors', async () => {
    const a = await classifier.classifyImage(landscapePng);
    const b = await classifier.classifyImage(landscapePng);
    expect(b).toEqual(a);
    const before = (await classifier.stats()).tensors;
    await classifier.classifyImage(drawingPng);
    expect((await classifier.stats()).tensors).toBe(before);
  });

  it('samples at least 4 evenly spaced frames of an mp4 and scores each non-explicit', async () => {
    const still = path.join(dir, 'landscape.png');
    fs.writeFileSync(still, landscapePng);
    const clip = path.join(dir, 'pan.mp4');
    // a slow pan across the landscape, 33 frames at 16 fps
    execFileSync(FFMPEG, [
      ...['-y', '-nostdin', '-loglevel', 'error', '-loop', '1', '-i', still],
      ...['-vf', "scale=640:640,crop=512:512:x='n*3':y=64", '-frames:v', '33', '-r', '16'],
      ...['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', clip],
    ]);
    const scores = await classifier.classifyVideo(clip);
    expect(scores).toHaveLength(4);
    for (const s of scores) expectNeutral(s);
    expect(await classifier.classifyVideo(clip, { frames: 1 })).toHaveLength(4); // never fewer than 4
    expect(await classifier.classifyVideo(clip, { frames: 7 })).toHaveLength(7);
  });

  it('counts the frames of a container that does not state them (GIF) and takes every frame of a short clip', async () => {
    const still = path.join(dir, 'drawing.png');
    fs.writeFileSync(still, drawingPng);
    const gif = path.join(dir, 'drawing.gif');
    execFileSync(FFMPEG, [
      ...['-y', '-nostdin', '-loglevel', 'error', '-loop', '1', '-i', still],
      ...['-vf', 'scale=256:256', '-frames:v', '3', '-f', 'gif', gif],
    ]);
    const scores = await classifier.classifyVideo(gif);
    expect(scores).toHaveLength(3); // the clip has only 3 frames
    for (const s of scores) expectNeutral(s);
  });

  it('rejects bytes that are not an image, and keeps working afterwards', async () => {
    await expect(classifier.classifyImage(Buffer.from('not an image'))).rejects.toThrow();
    expectNeutral(await classifier.classifyImage(landscapePng));
  });
});
