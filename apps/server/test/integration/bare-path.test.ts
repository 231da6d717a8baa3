import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findOnPath } from '@mediagen/binaries';
import { startGatewayProcess, type GatewayProcess } from '../gateway-process.ts';
import { probeWithFfprobe } from '../media-test-fixtures.ts';
import { json, tempDir } from '../test-server.ts';

// A bare machine: nothing on PATH but node itself — no ffmpeg, no ffprobe, no system Chromium. `npm start`
// (main.ts with no GPU configured: the simulator) must still turn out mp4, webm and gif from the npm binaries.

let gw: GatewayProcess | undefined;
afterAll(async () => {
  await gw?.stop();
});

function barePath(): string {
  const bin = path.join(tempDir(), 'bin');
  fs.mkdirSync(bin);
  fs.symlinkSync(process.execPath, path.join(bin, 'node'));
  return bin;
}

describe('a PATH with no ffmpeg, ffprobe or Chromium', () => {
  it('the simulator stack completes an AniSora mp4, webm and gif job', async () => {
    const PATH = barePath();
    for (const tool of ['ffmpeg', 'ffprobe', 'chromium', 'chromium-browser', 'google-chrome'])
      expect(findOnPath(tool, PATH)).toBeUndefined();
    const env: Record<string, string> = { PATH, SIM_TIME_SCALE: '0.02' };
    // the variables that would point elsewhere are unset, as on a fresh machine
    for (const v of ['FFMPEG_PATH', 'FFPROBE_PATH', 'CHROMIUM_PATH', 'COMFYUI_URLS']) env[v] = '';
    gw = await startGatewayProcess({ dataDir: tempDir(), readyAccounts: 2, env });
    const out = tempDir();
    for (const format of ['mp4', 'webm', 'gif'] as const) {
      const res = await fetch(`${gw.url}/api/generate`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', prefer: 'wait=120' },
        body: JSON.stringify({
          type: 'video',
          model: 'anisora',
          mode: 't2v',
          prompt: 'a paper lantern drifting over a quiet river',
          width: 512,
          height: 512,
          num_frames: 17,
          output_format: format,
          seed: 3,
        }),
      });
      expect(res.status).toBe(200);
      const result = await json<{ url: string; output_format: string }>(res);
      expect(result.output_format).toBe(format);
      const file = path.join(out, `clip.${format}`);
      fs.writeFileSync(file, Buffer.from(await (await fetch(new URL(result.url, gw.url))).arrayBuffer()));
      const probe = probeWithFfprobe(file);
      expect(probe.codec).toBe({ mp4: 'h264', webm: 'vp9', gif: 'gif' }[format]);
      expect(probe.width).toBe(512);
      expect(probe.frames).toBeGreaterThanOrEqual(17);
    }
  }, 300_000);
});
