import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { zGenerateRequest } from '@mediagen/contract';
import { describe, expect, it } from 'vitest';
import { PAYLOAD_FLAGS, UsageError, requestFromFlags } from './cli-generate-flags.ts';
import { EXIT, exitCodeFor } from './cli-output.ts';
import {
  AuthError,
  InvalidRequestError,
  NetworkError,
  OverloadedError,
  TaskCancelledError,
  TaskFailedError,
  ValidationError,
} from './errors.ts';

describe('mediagen generate flags', () => {
  it('has one flag for every field of the generation payload', () => {
    expect(PAYLOAD_FLAGS.map((f) => f.field).sort()).toEqual(Object.keys(zGenerateRequest.shape).sort());
    expect(PAYLOAD_FLAGS.find((f) => f.field === 'guidance_scale')).toMatchObject({
      flag: 'guidance-scale',
      kind: 'number',
    });
    expect(PAYLOAD_FLAGS.find((f) => f.field === 'webhook_events')).toMatchObject({ kind: 'list' });
    expect(PAYLOAD_FLAGS.find((f) => f.field === 'reference_image')).toMatchObject({ kind: 'image' });
    expect(PAYLOAD_FLAGS.find((f) => f.field === 'model')).toMatchObject({ short: 'm', kind: 'enum' });
  });

  it('fills the required fields a person leaves out', async () => {
    expect(await requestFromFlags({ model: 'flux', prompt: 'a lighthouse' })).toEqual({
      model: 'flux',
      prompt: 'a lighthouse',
      type: 'image',
      mode: 'txt2img',
      width: 1024,
      height: 1024,
      seed: -1,
    });
    expect(
      await requestFromFlags({
        model: 'anisora',
        prompt: 'waves',
        'num-frames': '17',
        'webhook-events': 'completed, failed',
      }),
    ).toMatchObject({
      type: 'video',
      mode: 't2v',
      width: 512,
      num_frames: 17,
      webhook_events: ['completed', 'failed'],
    });
  });

  it('reads --image files into the reference fields of the mode', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-flags-'));
    const a = path.join(dir, 'a.png');
    const b = path.join(dir, 'b.png');
    fs.writeFileSync(a, Buffer.from([1, 2, 3]));
    fs.writeFileSync(b, Buffer.from([4, 5]));
    expect(await requestFromFlags({ model: 'pony', prompt: 'p', image: [a] })).toMatchObject({
      mode: 'img2img',
      reference_image: new Uint8Array([1, 2, 3]),
    });
    expect(
      await requestFromFlags({ model: 'phr00t', prompt: 'p', mode: 'first_last_frame', image: [a, b] }),
    ).toMatchObject({
      first_frame_image: new Uint8Array([1, 2, 3]),
      last_frame_image: new Uint8Array([4, 5]),
    });
    expect(await requestFromFlags({ model: 'pony', prompt: 'p', 'reference-image': 'asset:abc' })).toMatchObject({
      reference_image: 'asset:abc',
      mode: 'img2img',
    });
    await expect(requestFromFlags({ model: 'pony', prompt: 'p', image: [a, b] })).rejects.toBeInstanceOf(UsageError);
  });

  it('leaves judging values to the server (a non-number stays text, so its 400 names the field)', async () => {
    expect(await requestFromFlags({ model: 'flux', prompt: 'p', steps: 'many' })).toMatchObject({ steps: 'many' });
    await expect(requestFromFlags({ prompt: 'p' })).rejects.toThrow(/--model/);
  });
});

describe('exit codes by error class', () => {
  const err = (Cls: typeof InvalidRequestError, code: string) => new Cls({ code, status: 400, message: 'x' });
  it.each([
    [new UsageError('x'), EXIT.usage],
    [err(InvalidRequestError, 'invalid_request'), EXIT.invalid],
    [err(ValidationError, 'validation_error'), EXIT.invalid],
    [err(AuthError, 'unauthorized'), EXIT.auth],
    [err(OverloadedError, 'queue_overloaded'), EXIT.busy],
    [err(NetworkError, 'network_error'), EXIT.network],
    [new TaskFailedError('t', { code: 'backend_error', message: 'x', retriable: true }), EXIT.taskFailed],
    [new TaskCancelledError('t'), EXIT.taskCancelled],
    [new Error('bug'), EXIT.error],
  ])('%s → %i', (e, code) => {
    expect(exitCodeFor(e)).toBe(code);
  });
});
