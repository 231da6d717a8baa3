import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeEngine } from '../fake-engine.ts';
import { startTestServer, tempDir, type TestServer } from '../test-server.ts';

let server: TestServer;
const js = `console.log(${JSON.stringify('x'.repeat(4000))});`;

beforeAll(async () => {
  const dist = tempDir('mediagen-dist-');
  fs.mkdirSync(path.join(dist, 'assets'));
  fs.writeFileSync(path.join(dist, 'index.html'), '<!doctype html><script src="/assets/app-abc123.js"></script>');
  fs.writeFileSync(path.join(dist, 'assets/app-abc123.js'), js);
  fs.writeFileSync(path.join(dist, 'assets/app-abc123.js.br'), zlib.brotliCompressSync(js));
  fs.writeFileSync(path.join(dist, 'assets/app-abc123.js.gz'), zlib.gzipSync(js));
  fs.writeFileSync(path.join(dist, 'assets/app-abc123.js.map'), '{"version":3}');
  server = await startTestServer({ overrides: { engine: new FakeEngine() }, webDistDir: dist });
});
afterAll(async () => {
  await server?.close();
});

describe('the web build as served', () => {
  it('hashed assets: compressed by Accept-Encoding, cached immutable; no source maps', async () => {
    const br = await fetch(`${server.url}/assets/app-abc123.js`, { headers: { 'accept-encoding': 'br' } });
    expect(br.headers.get('content-encoding')).toBe('br');
    expect(br.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(br.headers.get('vary')).toMatch(/accept-encoding/i);
    expect(await br.text()).toBe(js); // fetch decodes it
    const gz = await fetch(`${server.url}/assets/app-abc123.js`, { headers: { 'accept-encoding': 'gzip' } });
    expect(gz.headers.get('content-encoding')).toBe('gzip');
    expect((await fetch(`${server.url}/assets/app-abc123.js.map`)).status).toBe(404);
    const shell = await fetch(`${server.url}/gallery`);
    expect(shell.headers.get('cache-control')).toBe('no-cache');
  });
});
