import { describe, expect, it } from 'vitest';
import { errorBody } from '@mediagen/contract';
import { errorFromResponse, parseRetryAfter } from './ApiError.ts';

describe('errorFromResponse', () => {
  it('reads the contract body: code, message, details, user_action and Retry-After', async () => {
    const res = new Response(JSON.stringify(errorBody('queue_overloaded', 'Generation queue is overloaded')), {
      status: 503,
      headers: { 'content-type': 'application/json', 'Retry-After': '7' },
    });
    const err = await errorFromResponse(res);
    expect(err).toMatchObject({
      status: 503,
      code: 'queue_overloaded',
      message: 'Generation queue is overloaded',
      userAction: 'Retry later.',
      retryAfterSeconds: 7,
    });
  });

  it("reads the seed guide's older {detail:{code,detail,user_action}} shape", async () => {
    const body = {
      detail: { code: 'queue_overloaded', detail: 'Generation queue is overloaded ...', user_action: 'Retry later.' },
    };
    const err = await errorFromResponse(new Response(JSON.stringify(body), { status: 503 }));
    expect(err).toMatchObject({
      code: 'queue_overloaded',
      message: 'Generation queue is overloaded ...',
      userAction: 'Retry later.',
    });
  });

  it('keeps 422 details and falls back to the status for a body that is not JSON', async () => {
    const e422 = await errorFromResponse(
      new Response(
        JSON.stringify(errorBody('validation_error', 'Invalid', [{ path: 'steps', message: 'must be 8 for anisora' }])),
        { status: 422 },
      ),
    );
    expect(e422.details).toEqual([{ path: 'steps', message: 'must be 8 for anisora' }]);
    const e502 = await errorFromResponse(
      new Response('<html>Bad gateway</html>', { status: 429, statusText: 'Too Many' }),
    );
    expect(e502).toMatchObject({ status: 429, code: 'rate_limited', message: 'Too Many' });
  });
});

describe('parseRetryAfter', () => {
  it('accepts seconds and HTTP dates', () => {
    expect(parseRetryAfter('12')).toBe(12);
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30);
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
  });
});
