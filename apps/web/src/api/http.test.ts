import { describe, expect, it } from 'vitest';
import { errorResponse, json, mockFetch } from '../test/mockFetch.ts';
import { isApiError } from './ApiError.ts';
import { newIdempotencyKey, send } from './http.ts';

describe('send', () => {
  it('retries an idempotent GET after network failures', async () => {
    let n = 0;
    globalThis.fetch = async () => {
      n += 1;
      if (n < 3) throw new TypeError('Failed to fetch');
      return json({ ok: true });
    };
    const res = await send('/api/health');
    expect(res.status).toBe(200);
    expect(n).toBe(3);
  });

  it('does not retry a POST without being asked, and types the failure', async () => {
    const calls = mockFetch(() => errorResponse('insufficient_credits', 'Balance too low'));
    const err = await send('/api/generate', { method: 'POST', body: {} }).catch((e: unknown) => e);
    expect(calls).toHaveLength(1);
    expect(isApiError(err) && err.code).toBe('insufficient_credits');
  });

  it('makes RFC 4122 v4 idempotency keys', () => {
    expect(newIdempotencyKey()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
