import { describe, expect, it } from 'vitest';
import {
  DEFAULT_WEBHOOK_RETRY,
  attemptOutcome,
  minimumRetrySpanMs,
  retryDelayMs,
  type WebhookRetryPolicy,
} from './webhook-backoff.ts';
import { checkWebhookUrl, hostAllowlisted, pickPinnedAddress } from './webhook-target.ts';

const strict = { allowHttp: false, allowedHosts: [] };
const dev = { allowHttp: true, allowedHosts: [] };

describe('checkWebhookUrl', () => {
  it('accepts https URLs with a public or unresolved host, dropping the fragment', () => {
    expect(checkWebhookUrl('https://hooks.example.com/in?x=1#frag', strict)).toEqual({
      ok: true,
      value: { url: 'https://hooks.example.com/in?x=1', host: 'hooks.example.com', allowlisted: false },
    });
    expect(checkWebhookUrl('https://8.8.8.8:8443/', strict).ok).toBe(true);
    expect(checkWebhookUrl('https://[2606:4700:4700::1111]/', strict).ok).toBe(true);
  });

  it('refuses plain http unless allowed, other schemes always, and credentials', () => {
    expect(checkWebhookUrl('http://hooks.example.com/', strict)).toMatchObject({ ok: false, reason: /https/ });
    expect(checkWebhookUrl('http://hooks.example.com/', dev).ok).toBe(true);
    for (const url of ['ftp://example.com/', 'file:///etc/passwd', 'gopher://x/', 'javascript:alert(1)', 'not a url']) {
      expect(checkWebhookUrl(url, dev).ok, url).toBe(false);
    }
    expect(checkWebhookUrl('https://user:pw@example.com/', strict)).toMatchObject({ ok: false, reason: /credentials/ });
  });

  it('refuses forbidden IP literals in every spelling the URL parser normalises', () => {
    for (const url of [
      'http://127.0.0.1/',
      'http://127.1/',
      'http://2130706433/',
      'http://0x7f000001/',
      'http://0177.0.0.1/',
      'http://[::1]/',
      'http://[::ffff:127.0.0.1]/',
      'http://[::ffff:7f00:1]/',
      'http://[64:ff9b::7f00:1]/',
      'http://169.254.169.254/latest/meta-data/',
      'http://[fd00:ec2::254]/',
      'http://0.0.0.0/',
      'http://10.0.0.1/',
      'http://100.64.1.1/',
      'http://224.0.0.1/',
      'http://255.255.255.255/',
      'http://localhost:8080/',
      'http://api.localhost/',
    ]) {
      const v = checkWebhookUrl(url, dev);
      expect(v.ok, url).toBe(false);
    }
    expect(checkWebhookUrl('http://169.254.169.254/', dev)).toMatchObject({ ok: false, reason: /metadata/ });
  });

  it('lets WEBHOOK_ALLOWED_HOSTS exempt hosts from the address rules (not from the scheme rule)', () => {
    const policy = { allowHttp: true, allowedHosts: ['127.0.0.1', '[::1]', '*.internal.test', 'localhost'] };
    expect(checkWebhookUrl('http://127.0.0.1:9000/hook', policy)).toMatchObject({
      ok: true,
      value: { allowlisted: true },
    });
    expect(checkWebhookUrl('http://[::1]/', policy).ok).toBe(true);
    expect(checkWebhookUrl('http://localhost/', policy).ok).toBe(true);
    expect(checkWebhookUrl('http://a.internal.test/', policy)).toMatchObject({
      ok: true,
      value: { allowlisted: true },
    });
    expect(checkWebhookUrl('http://[::ffff:127.0.0.1]/', policy).ok).toBe(false);
    expect(checkWebhookUrl('http://127.0.0.1/', { ...policy, allowHttp: false }).ok).toBe(false);
  });

  it('matches allowlist entries exactly or by subdomain wildcard', () => {
    expect(hostAllowlisted('hooks.internal.test', ['*.internal.test'])).toBe(true);
    expect(hostAllowlisted('internal.test', ['*.internal.test'])).toBe(false);
    expect(hostAllowlisted('evilinternal.test', ['*.internal.test'])).toBe(false);
    expect(hostAllowlisted('HOOKS.example.com.', ['hooks.example.com'])).toBe(true);
    expect(hostAllowlisted('hooks.example.com.evil', ['hooks.example.com'])).toBe(false);
  });
});

describe('pickPinnedAddress', () => {
  const target = { url: 'https://h.example/', host: 'h.example', allowlisted: false };
  it('pins the first address when every address is public', () => {
    expect(pickPinnedAddress(target, ['93.184.216.34', '2606:2800:220:1::1'])).toEqual({
      ok: true,
      value: { address: '93.184.216.34' },
    });
  });
  it('refuses when any address is forbidden (DNS answers may rotate)', () => {
    expect(pickPinnedAddress(target, ['93.184.216.34', '10.0.0.1'])).toMatchObject({
      ok: false,
      reason: /10\.0\.0\.1, a private address/,
    });
    expect(pickPinnedAddress(target, ['::ffff:169.254.169.254'])).toMatchObject({ ok: false, reason: /metadata/ });
    expect(pickPinnedAddress(target, []).ok).toBe(false);
  });
  it('does not classify allowlisted hosts', () => {
    expect(pickPinnedAddress({ ...target, allowlisted: true }, ['127.0.0.1']).ok).toBe(true);
  });
});

describe('webhook retries', () => {
  it('the default policy makes at least 8 tries over at least an hour', () => {
    expect(DEFAULT_WEBHOOK_RETRY.maxAttempts).toBeGreaterThanOrEqual(8);
    expect(minimumRetrySpanMs(DEFAULT_WEBHOOK_RETRY)).toBeGreaterThanOrEqual(3_600_000);
  });

  it('waits grow exponentially, with bounded jitter and a cap', () => {
    const p: WebhookRetryPolicy = { maxAttempts: 10, baseDelayMs: 1000, maxDelayMs: 5000 };
    expect([1, 2, 3, 4].map((a) => retryDelayMs(a, p, () => 0.5))).toEqual([1000, 2000, 4000, 5000]);
    expect(retryDelayMs(1, p, () => 0)).toBe(800);
    expect(retryDelayMs(1, p, () => 1)).toBe(1200);
  });

  it('2xx delivers, 410 stops, refusals stop, the rest retries until the last try', () => {
    const p = DEFAULT_WEBHOOK_RETRY;
    expect(attemptOutcome({ status: 204 }, 1, p)).toBe('delivered');
    expect(attemptOutcome({ status: 410 }, 1, p)).toBe('failed');
    expect(attemptOutcome({ status: 500 }, 1, p)).toBe('retry');
    expect(attemptOutcome({ status: 302 }, 1, p)).toBe('retry');
    expect(attemptOutcome({ error: 'timeout' }, 1, p)).toBe('retry');
    expect(attemptOutcome({ error: 'refused', refused: true }, 1, p)).toBe('failed');
    expect(attemptOutcome({ status: 500 }, p.maxAttempts, p)).toBe('failed');
  });
});
