import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { createContainer, type Container, type ContainerOverrides } from '../src/container.ts';
import { httpSettings } from '../src/container-resources.ts';
import { databaseEnvFor } from './test-databases.ts';

export const ADMIN_KEY = 'test-admin-key-0123456789abcdef';

export interface TestServer {
  url: string;
  dataDir: string;
  app: FastifyInstance;
  container: Container;
  close(): Promise<void>;
}

export function tempDir(prefix = 'mediagen-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/**
 * A real gateway on a real port with a real SQLite file in a temp DATA_DIR (with MEDIAGEN_TEST_DB=postgres: a
 * PostgreSQL database of that DATA_DIR's own).
 */
export async function startTestServer(
  opts: { env?: Record<string, string>; overrides?: ContainerOverrides; dataDir?: string; webDistDir?: string } = {},
): Promise<TestServer> {
  const dataDir = opts.dataDir ?? tempDir();
  const config = loadConfig({
    DATA_DIR: dataDir,
    ADMIN_KEY,
    AUTH_MODE: 'key',
    COMFYUI_URLS: 'http://127.0.0.1:9',
    LOG_LEVEL: 'silent',
    ...(await databaseEnvFor(dataDir)),
    ...opts.env,
  });
  const log = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const container = await createContainer(config, log, { noSimulator: true, ...opts.overrides });
  await container.start();
  const { app, hub } = await buildApp(container.services, httpSettings(config), {
    logger: false,
    checkResponses: true,
    onRequestTimed: container.onRequestTimed,
    ...(container.rateCounter ? { rateCounter: container.rateCounter } : {}),
    ...(opts.webDistDir ? { webDistDir: opts.webDistDir } : {}),
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    dataDir,
    app,
    container,
    async close() {
      hub.closeAll();
      await app.close();
      await container.stop();
    },
  };
}

/** A tiny cookie-keeping HTTP client over global fetch. */
export class Client {
  cookies = new Map<string, string>();
  constructor(
    readonly base: string,
    readonly headers: Record<string, string> = {},
  ) {}

  async req(method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
    const h: Record<string, string> = { ...this.headers, ...headers };
    if (this.cookies.size > 0) h.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    let payload: RequestInit['body'] | undefined;
    if (body instanceof FormData) payload = body;
    else if (body !== undefined) {
      payload = typeof body === 'string' ? body : JSON.stringify(body);
      h['content-type'] ??= 'application/json';
    }
    const res = await fetch(this.base + url, {
      method,
      headers: h,
      ...(payload !== undefined ? { body: payload } : {}),
    });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const [k, ...v] = (pair ?? '').split('=');
      if (!k) continue;
      const value = v.join('=');
      if (value === '' || /max-age=0/i.test(c) || /expires=Thu, 01 Jan 1970/i.test(c)) this.cookies.delete(k.trim());
      else this.cookies.set(k.trim(), value);
    }
    return res;
  }

  get = (url: string, h?: Record<string, string>) => this.req('GET', url, undefined, h);
  post = (url: string, body?: unknown, h?: Record<string, string>) => this.req('POST', url, body, h);
  del = (url: string, h?: Record<string, string>) => this.req('DELETE', url, undefined, h);
  patch = (url: string, body?: unknown, h?: Record<string, string>) => this.req('PATCH', url, body, h);
}

export async function json<T = Record<string, unknown>>(res: Response): Promise<T> {
  return (await res.json()) as T;
}

export async function waitFor<T>(
  fn: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 20_000,
  stepMs = 50,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error('waitFor timed out');
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

/** Read an SSE stream into events until `until` says stop. */
export async function readSse(
  res: Response,
  until: (event: string) => boolean,
  timeoutMs = 20_000,
  onEvent?: (e: { event: string; data: unknown }) => Promise<void> | void,
): Promise<Array<{ event: string; data: unknown }>> {
  const out: Array<{ event: string; data: unknown }> = [];
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buf = '';
  const timer = setTimeout(() => void reader.cancel(), timeoutMs);
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += decoder.decode(value, { stream: true });
      let idx: number;
      while ((idx = buf.indexOf('\n\n')) >= 0) {
        const chunk = buf.slice(0, idx);
        buf = buf.slice(idx + 2);
        const ev = /^event: (.*)$/m.exec(chunk)?.[1];
        const data = /^data: (.*)$/m.exec(chunk)?.[1];
        if (ev && data) {
          const e = { event: ev, data: JSON.parse(data) as unknown };
          out.push(e);
          await onEvent?.(e);
          if (until(ev)) {
            await reader.cancel();
            return out;
          }
        }
      }
    }
  } finally {
    clearTimeout(timer);
  }
  return out;
}

/** Every simulated GPU's execution counts (`/sim/stats`): how often each prompt id ran, and the total. */
export async function simulatorExecutions(urls: readonly string[]): Promise<{ counts: number[]; total: number }> {
  const stats = await Promise.all(
    urls.map(
      async (u) =>
        (await fetch(`${u}/sim/stats`)).json() as Promise<{
          executions: Record<string, number>;
          total_executed: number;
        }>,
    ),
  );
  return {
    counts: stats.flatMap((st) => Object.values(st.executions)),
    total: stats.reduce((a, st) => a + st.total_executed, 0),
  };
}
