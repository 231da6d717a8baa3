/*
 * An open-loop load generator, run as its own process: requests leave at evenly spaced moments (rate per
 * second) over a pool of keep-alive connections, and each latency is measured from the moment the request was
 * due, so a stalled server cannot hide its stall by slowing the sender (no coordinated omission).
 * autocannon's `-R` is not this: it gives each connection a budget per second, so all connections fire their
 * share together at every second's start, and a "200 req/s" run is a 200-request burst once a second.
 *
 * argv[2]: JSON { url, method, headers, body, rate, seconds, connections }; prints one JSON line of results.
 */
import http from 'node:http';

interface Options {
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
  rate: number;
  seconds: number;
  connections: number;
}

const o = JSON.parse(process.argv[2] ?? '{}') as Options;
const agent = new http.Agent({ keepAlive: true, maxSockets: o.connections });
const body = o.body === undefined ? undefined : Buffer.from(o.body);
const headers = {
  ...o.headers,
  ...(body ? { 'content-type': 'application/json', 'content-length': String(body.length) } : {}),
};

function send(due: number): Promise<{ ms: number; ok: boolean }> {
  return new Promise((resolve) => {
    const req = http.request(o.url, { method: o.method, headers, agent }, (res) => {
      res.resume();
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        resolve({ ms: performance.now() - due, ok: status >= 200 && status < 300 });
      });
    });
    req.on('error', () => resolve({ ms: performance.now() - due, ok: false }));
    req.end(body);
  });
}

const total = Math.round(o.rate * o.seconds);
const interval = 1000 / o.rate;
const start = performance.now() + 50;
const pending: Array<Promise<{ ms: number; ok: boolean }>> = [];
for (let i = 0; i < total; i++) {
  const due = start + i * interval;
  const wait = due - performance.now();
  // timers keep ~1 ms of granularity: at 200 req/s that jitters each send by a fifth of its interval, no more
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  pending.push(send(due));
}
const results = await Promise.all(pending);
const lat = results.map((r) => r.ms).sort((a, b) => a - b);
const at = (q: number): number => lat[Math.min(lat.length - 1, Math.floor(q * lat.length))] ?? Number.NaN;
const elapsed = (performance.now() - start) / 1000;
process.stdout.write(
  `${JSON.stringify({
    requests: results.length,
    rps: results.length / elapsed,
    p50: Math.round(at(0.5) * 10) / 10,
    p99: Math.round(at(0.99) * 10) / 10,
    max: Math.round(at(1) * 10) / 10,
    errors: results.filter((r) => !r.ok).length,
  })}\n`,
);
agent.destroy();
