/* npm run bench: measures MediaGen against baselines taken in the same run; writes docs/BENCHMARKS.md. */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { resolveMediaBinaries } from '@mediagen/binaries';
import { fileURLToPath } from 'node:url';
import { createMediaTools } from '../apps/server/src/adapters/media/media-tools.ts';
import {
  REALISTIC_LOAD_SECONDS,
  simulateSchedule,
  syntheticWorkload,
  type SimGpu,
} from '../apps/server/test/scheduling-simulation.ts';
import { FakeEngine } from '../apps/server/test/fake-engine.ts';
import { Client, json, startTestServer } from '../apps/server/test/test-server.ts';
import { contentBench } from './content-bench.ts';
import { gatewayAffinity } from './gateway-affinity.ts';
import { httpSaturation } from './http-saturation.ts';
import { overhead, pushLatency } from './job-overhead.ts';
import { policyBench } from './policy-bench.ts';
import { storeComparison } from './store-comparison.ts';

const FFMPEG = resolveMediaBinaries().ffmpeg.path;
const root = fileURLToPath(new URL('..', import.meta.url));
const lines: string[] = [];
const out = (s = ''): void => {
  lines.push(s);
  console.log(s);
};
const f1 = (n: number): string => n.toFixed(1);
const f2 = (n: number): string => n.toFixed(2);

function scheduling(): void {
  out('## 4. Scheduling: MediaGen scheduler vs FIFO without affinity (discrete-event, 200 jobs, realistic load times)');
  out('| GPUs | policy | makespan s | busy ÷ lower bound | model switches | mean wait s | max wait ÷ mean |');
  out('|---|---|---|---|---|---|---|');
  for (const n of [2, 3, 4]) {
    const gpus: SimGpu[] = Array.from({ length: n }, (_, i) => ({
      id: `g${i}`,
      lane: 'shared',
      models: ['anisora', 'phr00t', 'pony', 'flux'],
    }));
    const jobs = syntheticWorkload(200);
    for (const policy of ['mediagen', 'fifo'] as const) {
      const r = simulateSchedule(jobs, gpus, REALISTIC_LOAD_SECONDS, policy);
      out(
        `| ${n} | ${policy} | ${f1(r.makespan)} | ${f2(r.lowerBound / r.makespan)} | ${r.switches} | ${f1(r.meanWait)} | ${f2(r.maxWait / Math.max(1e-9, r.meanWait))} |`,
      );
    }
  }
  out();
  out('"busy ÷ lower bound" is (total work ÷ GPUs) ÷ makespan: 1.0 would be a perfect packing with no model loads.');
  out();
}

async function media(): Promise<void> {
  out('## 5. Media: pipeline vs plain ffmpeg on the same file');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-media-'));
  const src = path.join(dir, 'in.mp4');
  execFileSync(FFMPEG, [
    '-y',
    '-loglevel',
    'error',
    '-f',
    'lavfi',
    '-i',
    'testsrc2=size=512x512:rate=16',
    '-frames:v',
    '81',
    '-c:v',
    'libx264',
    '-pix_fmt',
    'yuv420p',
    src,
  ]);
  const tools = createMediaTools({});
  out('| conversion | pipeline s | plain ffmpeg s | ratio |');
  out('|---|---|---|---|');
  for (const [format, args] of [
    [
      'webm',
      ['-c:v', 'libvpx-vp9', '-b:v', '0', '-crf', '32', '-deadline', 'good', '-cpu-used', '4', '-row-mt', '1', '-an'],
    ],
    [
      'gif',
      ['-filter_complex', 'split[a][b];[a]palettegen=stats_mode=diff[p];[b][p]paletteuse=dither=bayer:bayer_scale=3'],
    ],
  ] as const) {
    let t = Date.now();
    await tools.convertVideo(src, format, path.join(dir, `p.${format}`));
    const pipeline = (Date.now() - t) / 1000;
    t = Date.now();
    spawnSync(FFMPEG, ['-y', '-loglevel', 'error', '-i', src, ...args, path.join(dir, `f.${format}`)]);
    const plain = (Date.now() - t) / 1000;
    out(`| mp4 → ${format} (81 frames 512²) | ${f2(pipeline)} | ${f2(plain)} | ${f2(pipeline / plain)} |`);
  }
  const img = path.join(dir, 'img.png');
  execFileSync(FFMPEG, [
    '-y',
    '-loglevel',
    'error',
    '-f',
    'lavfi',
    '-i',
    'testsrc2=size=1024x1024',
    '-frames:v',
    '1',
    img,
  ]);
  const t = Date.now();
  for (let i = 0; i < 40; i++) await tools.thumbnail({ path: img, kind: 'image' }, path.join(dir, `t${i}.jpg`), 384);
  out();
  out(`Thumbnails: **${f1(40 / ((Date.now() - t) / 1000))}/s** (1024² PNG → 384 px JPEG).`);
  out();
}

function web(): void {
  out('## 6. Web: first-load bundle');
  const dist = path.join(root, 'apps/web/dist');
  if (!fs.existsSync(path.join(dist, 'index.html'))) {
    spawnSync('npx', ['vite', 'build', '--logLevel', 'error'], { cwd: path.join(root, 'apps/web'), stdio: 'inherit' });
  }
  const html = fs.readFileSync(path.join(dist, 'index.html'), 'utf8');
  const assets = [...html.matchAll(/(?:src|href)="\/?(assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1]!);
  let total = 0;
  for (const a of assets) total += zlib.gzipSync(fs.readFileSync(path.join(dist, a))).length;
  out(`First load (index.html's scripts and styles, gzip): **${f1(total / 1024)} KB** (target ≤ 200 KB).`);
  out();
}

async function memory(): Promise<void> {
  out('## 7. Memory: 1,000 queued jobs and 200 open SSE streams');
  const engine = new FakeEngine();
  engine.health = {
    ok: false,
    reason: 'bench: keep everything queued',
    missingNodes: [],
    missingModels: [],
    models: [],
    warnings: [],
  };
  const gw = await startTestServer({
    overrides: { engine },
    env: {
      AUTH_MODE: 'open',
      RATE_LIMIT_GENERATE_PER_MINUTE: '1000000',
      RATE_LIMIT_GENERATE_PER_IP_PER_MINUTE: '1000000',
      MAX_QUEUE: '5000',
    },
  });
  const c = new Client(gw.url);
  const ids: string[] = [];
  for (let i = 0; i < 1000; i++)
    ids.push(
      (
        await json<{ task_id: string }>(
          await c.post('/api/generate', {
            type: 'image',
            model: 'flux',
            mode: 'txt2img',
            prompt: `bench ${i}`,
            width: 512,
            height: 512,
            seed: i,
          }),
        )
      ).task_id,
    );
  const streams = await Promise.all(ids.slice(0, 200).map((id) => fetch(`${gw.url}/api/events/${id}`)));
  global.gc?.();
  await new Promise((r) => setTimeout(r, 500));
  const rss = process.memoryUsage().rss / 1048576;
  out(
    `RSS of the process holding the gateway (and this bench): **${f1(rss)} MB** with ${ids.length} queued jobs and ${streams.length} open SSE streams (target < 300 MB).`,
  );
  out();
  for (const s of streams) await s.body?.cancel();
  await gw.close();
}

async function stores(): Promise<void> {
  out('## 10. PostgreSQL vs SQLite: status polling and durable admission');
  await storeComparison(out);
}

async function affinity(): Promise<void> {
  out('## 11. Scale-out: model switches with two active gateways vs one');
  await gatewayAffinity(out);
}

// `--only <section>` measures one section and prints it, leaving docs/BENCHMARKS.md alone
const onlyFlag = process.argv.indexOf('--only');
const sections: Record<string, () => Promise<void>> = {
  http: async () => void (await httpSaturation(out)),
  overhead: async () => void (await overhead(out)),
  store: stores,
  affinity,
};
if (onlyFlag >= 0) {
  const name = process.argv[onlyFlag + 1] ?? '';
  const section = sections[name];
  if (!section) throw new Error(`--only takes one of: ${Object.keys(sections).join(', ')}`);
  await section();
  process.exit(0);
}

const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
out('# Benchmarks');
out();
out(
  `Measured ${new Date().toISOString().slice(0, 10)} on ${os.cpus().length}× ${cpu}, ${f1(os.totalmem() / 1073741824)} GiB, Node ${process.version}. Command: \`npm run bench\`. Baselines are measured in the same run; machines are noisy, so read the ratios.`,
);
out();
out('## 1. HTTP saturation: status polling and durable admission vs a bare Fastify route');
const sat = await httpSaturation(out);
const job = await overhead(out);
await pushLatency(out);
scheduling();
await media();
web();
await memory();

out('## 8. Prompt policy (SPEC §8)');
const policy = await policyBench();
out(
  `**${Math.round(policy.promptsPerSecond).toLocaleString('en')} prompts/s** on one core (${f1(policy.microsecondsPerPrompt)} µs per ${policy.promptLength}-character prompt, median of ${policy.runs.length} runs; ${Math.round(policy.unseenWordsPromptsPerSecond).toLocaleString('en')}/s with words no cache has seen). Worst case, a 4,000-character spaced-out prompt: ${f2(policy.spacedOutPromptMs)} ms. Labelled evaluation set: recall **${f2(policy.evaluation.recall)}** on ${policy.evaluation.refuseTotal} prompts to refuse, false-positive rate **${f2(policy.evaluation.falsePositiveRate)}** on ${policy.evaluation.allowTotal} to allow.`,
);
out();
for (const line of (await contentBench({ runs: 5 })).lines) out(line);
out();
await stores();
await affinity();

out('## Targets');
const met = (ok: boolean): string => (ok ? 'met' : '**missed**');
out('| target | measured | |');
out('|---|---|---|');
out(`| status polling ≥ 0.5 of the bare route | ${f2(sat.statusRatio)} | ${met(sat.statusRatio >= 0.5)} |`);
out(`| status p99 ≤ 2× the bare route's | ${f2(sat.statusP99Ratio)}× | ${met(sat.statusP99Ratio <= 2)} |`);
out(
  `| durable admission ≥ 0.08 of the bare route | ${sat.admissionRatio.toFixed(3)} | ${met(sat.admissionRatio >= 0.08)} |`,
);
out(
  `| admission p99 < 25 ms at saturation (32 connections) | ${sat.admissionP99} ms | ${met(sat.admissionP99 < 25)} |`,
);
out(`| gateway overhead per job p99 < 5 ms, transfer excluded | ${f1(job.p99)} ms | ${met(job.p99 < 5)} |`);
out();
out(
  'Autocannon, the bare route and the gateway run as three processes on the same cores, so absolute figures are lower than with a dedicated load machine; the ratios compare like with like. Where a target is missed, see docs/adr/0010-admission-and-status-performance.md for what was measured and tried.',
);
out();
fs.writeFileSync(path.join(root, 'docs/BENCHMARKS.md'), `${lines.join('\n')}\n`);
process.exit(0);
