// C2PA marks on real generated outputs: simulator → worker → signer (the self-signed pair made at first start);
// the manifest of a PNG, a JPEG and an MP4 is read back and validated, and the A1111 infotext stays.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readImageParameters } from '#adapters/media/sharp-image-tools.ts';
import { TRAINED_ALGORITHMIC_MEDIA } from '#adapters/provenance/c2pa-manifest.ts';
import {
  createC2paProvenanceSigner,
  loadC2paCredentials,
  type C2paProvenanceSigner,
} from '#adapters/provenance/c2pa-provenance-signer.ts';
import type { ProvenanceMime } from '#ports/provenance.ts';
import { startSimulatorProcess, type SimulatorProcess } from '../../src/adapters/simulator/simulator-process.ts';
import { VERSION } from '../../src/version.ts';
import { Client, json, startTestServer, waitFor, type TestServer } from '../test-server.ts';

let sim: SimulatorProcess;
let gw: TestServer;
let c: Client;
let reader: C2paProvenanceSigner;

beforeAll(async () => {
  sim = await startSimulatorProcess({ gpus: 1, timeScale: 0.02 });
  gw = await startTestServer({ env: { AUTH_MODE: 'open', COMFYUI_URLS: sim.urls[0]! } });
  c = new Client(gw.url);
  await waitFor(
    async () =>
      (await json<{ accounts: { ready: number } }>(await c.get('/api/health'))).accounts.ready === 1 || undefined,
    30_000,
    100,
  );
  // the pair the gateway made under DATA_DIR/c2pa at first start (its root is the trust anchor)
  reader = createC2paProvenanceSigner(await loadC2paCredentials({ dataDir: gw.dataDir }));
});
afterAll(async () => {
  await reader?.close();
  await gw?.close();
  await sim?.stop();
});

async function output(body: Record<string, unknown>, file: string): Promise<string> {
  const res = await c.post('/api/generate', body);
  expect(res.status).toBe(202);
  const id = (await json<{ task_id: string }>(res)).task_id;
  await waitFor(
    async () => ((await json(await c.get(`/api/status/${id}`))).status === 'completed' ? true : undefined),
    60_000,
    50,
  );
  return path.join(gw.dataDir, 'media', id, file);
}

const IMAGE = {
  type: 'image',
  model: 'pony',
  mode: 'txt2img',
  prompt: 'a red fox in fresh snow',
  width: 512,
  height: 512,
  seed: 11,
};

async function expectSigned(file: string, mime: ProvenanceMime, model: string): Promise<void> {
  const summary = await reader.read(file, mime);
  expect(summary?.claimGenerator).toBe(`MediaGen/${VERSION}`);
  expect(summary?.created?.digitalSourceType).toBe(TRAINED_ALGORITHMIC_MEDIA);
  expect(summary?.created?.when).toMatch(/^\d{4}-\d\d-\d\dT/);
  expect(summary?.model).toBe(model);
  expect(summary?.validationState).toBe('Trusted');
  expect(summary?.failures).toEqual([]);
}

describe('generated outputs carry a signed C2PA manifest', () => {
  it('PNG, with the A1111 parameters kept', async () => {
    const file = await output(IMAGE, '0.png');
    await expectSigned(file, 'image/png', 'pony');
    expect(readImageParameters(fs.readFileSync(file))).toMatch(/Seed: 11,/);
  });

  it('JPEG, with the A1111 parameters kept', async () => {
    const file = await output({ ...IMAGE, output_format: 'jpg', seed: 12 }, '0.jpg');
    await expectSigned(file, 'image/jpeg', 'pony');
    expect(readImageParameters(fs.readFileSync(file))).toMatch(/Seed: 12,/);
  });

  it('MP4', async () => {
    const file = await output(
      {
        type: 'video',
        model: 'anisora',
        mode: 't2v',
        prompt: 'a paper boat drifting on a calm lake',
        width: 512,
        height: 512,
        seed: 13,
        num_frames: 81,
      },
      '0.mp4',
    );
    await expectSigned(file, 'video/mp4', 'anisora');
  });
});
