import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface CannonResult {
  rps: number;
  p50: number;
  p99: number;
  /** non-2xx answers plus socket errors and timeouts */
  errors: number;
  requests: number;
}

const AUTOCANNON = path.join(
  path.dirname(createRequire(import.meta.url).resolve('autocannon/package.json')),
  'autocannon.js',
);

/** One autocannon run as its own process (the load generator never shares the measured process's loop). */
export function cannon(o: {
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  connections: number;
  seconds: number;
  /** overall requests per second (open pacing); closed loop when absent */
  rate?: number;
}): Promise<CannonResult> {
  const args = [AUTOCANNON, '-j', '-c', String(o.connections), '-d', String(o.seconds)];
  if (o.method) args.push('-m', o.method);
  for (const [k, v] of Object.entries(o.headers ?? {})) args.push('-H', `${k}=${v}`);
  if (o.body !== undefined) args.push('-H', 'content-type=application/json', '-b', o.body);
  if (o.rate) args.push('-R', String(o.rate));
  args.push(o.url);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      try {
        const r = JSON.parse(out) as {
          requests: { average: number; total: number };
          latency: { p50: number; p99: number };
          non2xx: number;
          errors: number;
          timeouts: number;
        };
        resolve({
          rps: r.requests.average,
          p50: r.latency.p50,
          p99: r.latency.p99,
          errors: r.non2xx + r.errors + r.timeouts,
          requests: r.requests.total,
        });
      } catch {
        reject(new Error(`autocannon exited ${code} without a report`));
      }
    });
  });
}

/** Open-loop load at an even rate from a process of its own (`paced-load.ts`): latency counted from each due time. */
export function paced(o: {
  url: string;
  method: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  rate: number;
  seconds: number;
  connections: number;
}): Promise<CannonResult & { max: number }> {
  const script = fileURLToPath(new URL('./paced-load.ts', import.meta.url));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, JSON.stringify({ headers: {}, ...o })], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      try {
        resolve(JSON.parse(out) as CannonResult & { max: number });
      } catch {
        reject(new Error(`paced-load exited ${code} without a report`));
      }
    });
  });
}

/** A script of this folder as its own process; resolves with the child and the port it prints first. */
export function startPrinter(script: string): Promise<{ child: ChildProcess; port: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    child.once('error', reject);
    child.stdout.once('data', (d: Buffer) => resolve({ child, port: Number(d.toString().trim()) }));
  });
}
