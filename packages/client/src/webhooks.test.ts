import { describe, expect, it } from 'vitest';
import { signWebhook, verifyWebhook, verifyWebhookSignature } from './webhooks.ts';

// The test vector published with the Standard Webhooks reference libraries.
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const ID = 'msg_p5jXN8AQM9LWM0D4loKWxJek';
const TS = 1614265330;
const BODY = '{"test": 2432232314}';
const SIGNATURE = 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=';
const at = (seconds: number) => () => seconds * 1000;

describe('Standard Webhooks verification', () => {
  it('signs like the reference implementation', async () => {
    expect(await signWebhook(SECRET, ID, TS, BODY)).toBe(SIGNATURE);
  });

  it('accepts the reference request from any header shape, with several signatures offered', async () => {
    const headers = {
      'webhook-id': ID,
      'webhook-timestamp': String(TS),
      'webhook-signature': `v1,bm90IGl0 ${SIGNATURE}`,
    };
    expect(await verifyWebhookSignature(SECRET, headers, BODY, { now: at(TS) })).toEqual({ id: ID, timestamp: TS });
    expect(
      await verifyWebhookSignature(SECRET, new Headers(headers), new TextEncoder().encode(BODY), { now: at(TS) }),
    ).toMatchObject({ id: ID });
    const upper = { 'Webhook-Id': ID, 'Webhook-Timestamp': String(TS), 'Webhook-Signature': [SIGNATURE] };
    expect(await verifyWebhookSignature(['whsec_b3RoZXI=', SECRET], upper, BODY, { now: at(TS) })).toMatchObject({
      id: ID,
    });
  });

  it('refuses a changed body, id or timestamp, another secret, old or future requests, missing headers', async () => {
    const base = { 'webhook-id': ID, 'webhook-timestamp': String(TS), 'webhook-signature': SIGNATURE };
    const verify = (h: Record<string, string>, body = BODY, now = TS) =>
      verifyWebhookSignature(SECRET, h, body, { now: at(now) });
    await expect(verify(base, '{"test": 2432232315}')).rejects.toThrow(/No signature/);
    await expect(verify({ ...base, 'webhook-id': 'msg_other' })).rejects.toThrow(/No signature/);
    await expect(verify({ ...base, 'webhook-timestamp': String(TS + 1) }, BODY, TS + 1)).rejects.toThrow(
      /No signature/,
    );
    await expect(verifyWebhookSignature('whsec_b3RoZXI=', base, BODY, { now: at(TS) })).rejects.toThrow(/No signature/);
    await expect(verify(base, BODY, TS + 301)).rejects.toThrow(/300 s/);
    await expect(verify(base, BODY, TS - 301)).rejects.toThrow(/300 s/);
    await expect(verify({ ...base, 'webhook-signature': 'v2,' + SIGNATURE.slice(3) })).rejects.toThrow(/No signature/);
    await expect(verify({ 'webhook-id': ID, 'webhook-timestamp': String(TS) })).rejects.toThrow(/Missing/);
    await expect(verify({ ...base, 'webhook-timestamp': '1e9' })).rejects.toThrow(/number/);
  });

  it('verifyWebhook returns the task status view, and refuses bodies that are not one', async () => {
    const body = JSON.stringify({
      task_id: 't1',
      job_id: 't1',
      status: 'failed',
      progress: 40,
      stage: 'sampling',
      error: 'out of memory',
      code: 'backend_error',
      created_at: '2026-01-01T00:00:00.000Z',
      updated_at: '2026-01-01T00:00:10.000Z',
    });
    const now = Math.floor(Date.now() / 1000);
    const headers = {
      'webhook-id': 'msg_1',
      'webhook-timestamp': String(now),
      'webhook-signature': await signWebhook(SECRET, 'msg_1', now, body),
    };
    expect(await verifyWebhook(SECRET, headers, body)).toMatchObject({
      task_id: 't1',
      status: 'failed',
      code: 'backend_error',
    });
    const other = '{"hello":1}';
    const h2 = { ...headers, 'webhook-signature': await signWebhook(SECRET, 'msg_1', now, other) };
    await expect(verifyWebhook(SECRET, h2, other)).rejects.toThrow(/not a task status/);
  });
});
