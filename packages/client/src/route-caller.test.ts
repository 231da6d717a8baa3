import { ROUTES } from '@mediagen/contract';
import { describe, expect, it } from 'vitest';
import { MediaGenClient } from './client.ts';
import {
  AuthError,
  NetworkError,
  OverloadedError,
  PolicyViolationError,
  RateLimitedError,
  ServerError,
  ValidationError,
} from './errors.ts';

const ACCEPTED = {
  status: 'queued',
  job_id: 't1',
  task_id: 't1',
  queue_position: 1,
  estimated_seconds: 3,
  status_url: '/api/status/t1',
  events_url: '/api/events/t1',
  seed: 5,
};
const REQUEST = {
  type: 'image',
  model: 'flux',
  mode: 'txt2img',
  prompt: 'p',
  width: 512,
  height: 512,
  seed: 5,
} as const;

function errorBody(code: string, error: string, extra: Record<string, unknown> = {}) {
  return JSON.stringify({ status: 'error', error, code, ...extra, detail: { code, detail: error } });
}

/** A scripted fetch (the client's own seam): answers in order, records requests. */
function scripted(answers: Array<Response | Error>) {
  const calls: Array<{ url: string; init: RequestInit }> = [];
  const fetchFn = async (url: string | URL | Request, init?: RequestInit): Promise<Response> => {
    calls.push({ url: String(url), init: init ?? {} });
    const next = answers.shift();
    if (!next) throw new Error('no more answers');
    if (next instanceof Error) throw next;
    return next;
  };
  return { calls, fetch: fetchFn };
}

const json = (status: number, body: string, headers: Record<string, string> = {}) =>
  new Response(body, { status, headers: { 'content-type': 'application/json', ...headers } });

describe('MediaGenClient calls', () => {
  it('retries 503 and 429 honouring Retry-After, with the same Idempotency-Key on every try', async () => {
    const s = scripted([
      json(503, errorBody('queue_overloaded', 'full'), { 'retry-after': '0' }),
      new TypeError('fetch failed'),
      json(429, errorBody('rate_limited', 'slow'), { 'retry-after': '0' }),
      json(202, JSON.stringify(ACCEPTED)),
    ]);
    const client = new MediaGenClient({ baseUrl: 'http://gw.test/', apiKey: 'k1', fetch: s.fetch });
    expect(await client.generate(REQUEST)).toEqual(ACCEPTED);
    expect(s.calls).toHaveLength(4);
    const keys = s.calls.map((c) => (c.init.headers as Record<string, string>)['idempotency-key']);
    expect(new Set(keys).size).toBe(1);
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(s.calls[0]?.url).toBe('http://gw.test/api/generate');
    expect((s.calls[0]?.init.headers as Record<string, string>)['x-api-key']).toBe('k1');
  });

  it('gives up after maxRetries with the typed error carrying code, user_action and retryAfter', async () => {
    const body = errorBody('queue_overloaded', 'The queue is full', { user_action: 'Retry later.' });
    const s = scripted([json(503, body, { 'retry-after': '0' }), json(503, body, { 'retry-after': '7' })]);
    const client = new MediaGenClient({ baseUrl: 'http://gw.test', fetch: s.fetch, maxRetries: 1 });
    const err = await client.generate(REQUEST).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OverloadedError);
    expect(err).toMatchObject({ code: 'queue_overloaded', status: 503, userAction: 'Retry later.', retryAfter: 7 });
  });

  it('maps error codes to classes', async () => {
    const cases: Array<[number, string, unknown]> = [
      [422, 'validation_error', ValidationError],
      [422, 'prompt_policy_violation', PolicyViolationError],
      [401, 'unauthorized', AuthError],
      [429, 'rate_limited', RateLimitedError],
      [500, 'internal_error', ServerError],
    ];
    for (const [status, code, cls] of cases) {
      const s = scripted([json(status, errorBody(code, 'x', { details: [{ path: 'steps', message: 'bad' }] }))]);
      const client = new MediaGenClient({ baseUrl: 'http://gw.test', fetch: s.fetch, maxRetries: 0 });
      const err = await client.status('t1').catch((e: unknown) => e);
      expect(err, code).toBeInstanceOf(cls as new () => Error);
      expect(err).toMatchObject({ code, status, details: [{ path: 'steps', message: 'bad' }] });
    }
  });

  it('does not repeat an unsafe POST after no answer; repeats safe calls', async () => {
    const s = scripted([new TypeError('socket hang up')]);
    const client = new MediaGenClient({ baseUrl: 'http://gw.test', fetch: s.fetch, maxRetries: 3 });
    await expect(client.rotateWebhookSecret()).rejects.toBeInstanceOf(NetworkError);
    expect(s.calls).toHaveLength(1);
    const s2 = scripted([new TypeError('reset'), json(200, JSON.stringify({ items: [], next_cursor: null }))]);
    const c2 = new MediaGenClient({ baseUrl: 'http://gw.test', fetch: s2.fetch });
    expect(await c2.gallery({ model: 'flux', limit: 5 })).toEqual({ items: [], next_cursor: null });
    expect(s2.calls[1]?.url).toBe('http://gw.test/api/gallery?model=flux&limit=5');
  });

  it('builds URLs from the route table', () => {
    const client = new MediaGenClient({ baseUrl: 'http://gw.test' });
    expect(client.http.url(ROUTES.results, { params: { id: 'a b' }, query: { index: 2 } })).toBe(
      'http://gw.test/api/results/a%20b?index=2',
    );
  });
});
