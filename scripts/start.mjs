#!/usr/bin/env node
// `npm start`: build the web UI when it is missing or stale, then run the gateway in this process tree.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const web = path.join(root, 'apps/web');
const distIndex = path.join(web, 'dist/index.html');

function newestMtime(dir) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : fs.statSync(p).mtimeMs);
  }
  return newest;
}

const sources = [path.join(web, 'src'), path.join(root, 'packages/contract/src')].filter((d) => fs.existsSync(d));
const stale = !fs.existsSync(distIndex) || sources.some((d) => newestMtime(d) > fs.statSync(distIndex).mtimeMs);
if (stale && fs.existsSync(path.join(web, 'index.html'))) {
  console.log('Building the web UI…');
  const r = spawnSync('npx', ['vite', 'build', '--logLevel', 'warn'], { cwd: web, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
if (!process.env.COMFYUI_URLS) {
  console.log('No COMFYUI_URLS set: MediaGen runs on the built-in ComfyUI simulator (synthetic outputs, no GPU).');
}
const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'apps/server/src/main.ts')], {
  stdio: 'inherit',
  env: process.env,
});
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code) => process.exit(code ?? 0));
