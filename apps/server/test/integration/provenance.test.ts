// C2PA provenance end to end: generated PNG, JPEG and MP4 outputs get a signed manifest that c2pa-rs (the CAI
// reference implementation, WASM build) reads back and validates; the A1111 infotext and the pixels survive.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMediaTools } from '#adapters/media/media-tools.ts';
import { FFMPEG, SAMPLE_INFOTEXT, makePng, makeTempDir, makeVideo, removeTempDir } from '../media-test-fixtures.ts';
import { readImageParameters } from '#adapters/media/sharp-image-tools.ts';
import {
  createC2paProvenanceSigner,
  loadC2paCredentials,
  type C2paCredentials,
  type C2paProvenanceSigner,
} from '#adapters/provenance/c2pa-provenance-signer.ts';
import { TRAINED_ALGORITHMIC_MEDIA } from '#adapters/provenance/c2pa-manifest.ts';
import type { ManifestSummary, ProvenanceMime } from '#ports/provenance.ts';

const CLAIM = { model: 'pony', modelLabel: 'Pony Diffusion V6 XL', version: '0.1.0' };
const CREATED_AT = new Date('2026-11-30T12:34:56.000Z');

function frameHashes(file: string): string {
  return execFileSync(FFMPEG, ['-v', 'error', '-i', file, '-map', '0:v:0', '-f', 'framemd5', '-'], {
    encoding: 'utf8',
  });
}

function expectMediaGenManifest(summary: ManifestSummary | undefined, title: string): void {
  expect(summary).toBeDefined();
  expect(summary?.claimGenerator).toBe('MediaGen/0.1.0');
  expect(summary?.title).toBe(title);
  expect(summary?.created).toEqual({
    digitalSourceType: TRAINED_ALGORITHMIC_MEDIA,
    softwareAgent: 'Pony Diffusion V6 XL',
    when: CREATED_AT.toISOString(),
  });
  expect(summary?.model).toBe('pony');
  expect(summary?.signer.alg?.toLowerCase()).toBe('es256');
  expect(summary?.signer.commonName).toMatch(/C2PA signer/);
}

describe('C2PA provenance (c2pa-wasm, local signing certificate)', () => {
  let dir: string;
  let credentials: C2paCredentials;
  let signer: C2paProvenanceSigner;

  beforeAll(async () => {
    dir = makeTempDir();
    credentials = await loadC2paCredentials({ dataDir: path.join(dir, 'data'), label: 'test-host' });
    signer = createC2paProvenanceSigner(credentials);
  });

  afterAll(async () => {
    await signer.close();
    removeTempDir(dir);
  });

  it('makes a signing pair under DATA_DIR/c2pa on first start and reuses it afterwards', async () => {
    expect(credentials.source).toBe('generated');
    expect(fs.readdirSync(path.join(dir, 'data', 'c2pa')).sort()).toEqual([
      'root-ca.pem',
      'signer-cert.pem',
      'signer-key.pem',
    ]);
    expect(fs.statSync(path.join(dir, 'data', 'c2pa', 'signer-key.pem')).mode & 0o077).toBe(0);
    const again = await loadC2paCredentials({ dataDir: path.join(dir, 'data') });
    expect(again.source).toBe('reused');
    expect(again.chainPem).toBe(credentials.chainPem);
  });

  it('signs a PNG: the manifest validates (Trusted against the local root) and the infotext and pixels stay', async () => {
    const media = createMediaTools();
    const png = await media.encodeImage(await makePng(96, 64), 'png', SAMPLE_INFOTEXT);
    const file = path.join(dir, 'out-0.png');
    fs.writeFileSync(file, png);
    const before = await sharp(png).raw().toBuffer();

    await signer.sign({ ...CLAIM, path: file, mime: 'image/png', createdAt: CREATED_AT });

    const signed = fs.readFileSync(file);
    expect(signed.length).toBeGreaterThan(png.length);
    const summary = await signer.read(file, 'image/png');
    expectMediaGenManifest(summary, 'out-0.png');
    expect(summary?.validationState).toBe('Trusted');
    expect(summary?.failures).toEqual([]);
    expect(readImageParameters(signed)).toBe(SAMPLE_INFOTEXT);
    expect((await sharp(signed).raw().toBuffer()).equals(before)).toBe(true);
    expect(fs.readdirSync(dir).filter((f) => f.includes('.tmp'))).toEqual([]); // no temporary file left
  });

  it('signs a JPEG: the manifest validates and the EXIF UserComment infotext stays', async () => {
    const media = createMediaTools();
    const jpeg = await media.encodeImage(await makePng(80, 80), 'jpg', SAMPLE_INFOTEXT);
    const file = path.join(dir, 'out-1.jpg');
    fs.writeFileSync(file, jpeg);

    await signer.sign({ ...CLAIM, path: file, mime: 'image/jpeg', createdAt: CREATED_AT });

    const summary = await signer.read(file, 'image/jpeg');
    expectMediaGenManifest(summary, 'out-1.jpg');
    expect(summary?.validationState).toBe('Trusted');
    expect(summary?.failures).toEqual([]);
    expect(readImageParameters(fs.readFileSync(file))).toBe(SAMPLE_INFOTEXT);
    expect((await sharp(fs.readFileSync(file)).metadata()).width).toBe(80);
  });

  it('signs an MP4 (H.264 faststart, as the converter writes it): the manifest validates, every frame is unchanged', async () => {
    const media = createMediaTools();
    const raw = makeVideo(path.join(dir, 'engine.mp4'), { frames: 17, size: '128x128' });
    const file = path.join(dir, 'out-2.mp4');
    await media.convertVideo(raw, 'mp4', file, { fps: 16 });
    const framesBefore = frameHashes(file);

    await signer.sign({ ...CLAIM, path: file, mime: 'video/mp4', createdAt: CREATED_AT });

    const summary = await signer.read(file, 'video/mp4');
    expectMediaGenManifest(summary, 'out-2.mp4');
    expect(summary?.validationState).toBe('Trusted');
    expect(summary?.failures).toEqual([]);
    expect(frameHashes(file)).toBe(framesBefore);
    const probe = await media.probeVideo(file);
    expect(probe.frames).toBe(17);
    expect(probe.codec).toBe('h264');
  });

  it('reports a file without a manifest as undefined', async () => {
    const file = path.join(dir, 'plain.png');
    fs.writeFileSync(file, await makePng(16, 16));
    expect(await signer.read(file, 'image/png')).toBeUndefined();
  });

  it.each<[string, ProvenanceMime, number]>([
    ['out-0.png', 'image/png', -40],
    ['out-2.mp4', 'video/mp4', -200],
  ])('finds %s invalid once a byte of its content changes', async (name, mime, fromEnd) => {
    const file = path.join(dir, name);
    const tampered = path.join(dir, `tampered-${name}`);
    const bytes = fs.readFileSync(file);
    const at = bytes.length + fromEnd;
    bytes[at] = (bytes[at] ?? 0) ^ 0xff;
    fs.writeFileSync(tampered, bytes);
    const summary = await signer.read(tampered, mime);
    expect(summary?.validationState).toBe('Invalid');
    expect(summary?.failures.some((code) => /hash.*mismatch/i.test(code))).toBe(true);
  });

  it('reads a manifest as Valid but untrusted when the verifier does not know the root', async () => {
    const stranger = createC2paProvenanceSigner({ ...credentials, trustAnchorsPem: '' });
    try {
      const summary = await stranger.read(path.join(dir, 'out-1.jpg'), 'image/jpeg');
      expect(summary?.validationState).toBe('Valid');
      expect(summary?.failures).toEqual(['signingCredential.untrusted']);
    } finally {
      await stranger.close();
    }
  });

  it('signs with an operator certificate given as C2PA_CERT/C2PA_KEY files', async () => {
    const c2paDir = path.join(dir, 'data', 'c2pa');
    const configured = await loadC2paCredentials({
      certPath: path.join(c2paDir, 'signer-cert.pem'),
      keyPath: path.join(c2paDir, 'signer-key.pem'),
      dataDir: path.join(dir, 'other-data'),
    });
    expect(configured.source).toBe('configured');
    expect(fs.existsSync(path.join(dir, 'other-data'))).toBe(false); // nothing generated
    const operator = createC2paProvenanceSigner(configured);
    try {
      const file = path.join(dir, 'operator.png');
      fs.writeFileSync(file, await makePng(32, 32));
      await operator.sign({ ...CLAIM, path: file, mime: 'image/png', createdAt: CREATED_AT });
      const summary = await operator.read(file, 'image/png');
      expect(summary?.validationState).toBe('Valid'); // no local trust anchor for an operator's certificate
      expect(summary?.failures).toEqual(['signingCredential.untrusted']);
    } finally {
      await operator.close();
    }
  });
});
