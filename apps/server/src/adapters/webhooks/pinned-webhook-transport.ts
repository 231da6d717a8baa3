import http from 'node:http';
import https from 'node:https';
import net, { type LookupFunction } from 'node:net';
import type { WebhookAnswer, WebhookTransport } from '#ports/webhook-transport.ts';

/**
 * POSTs over a fresh connection to the address checked before the call: the lookup the socket makes is
 * answered with that address only, so a DNS answer that changes between the check and the connection (DNS
 * rebinding) cannot redirect it. Host and TLS SNI stay the URL's host (certificates are verified against
 * it). Redirects are returned, never followed; the whole exchange is bounded by `timeoutMs`.
 */
export function createPinnedWebhookTransport(): WebhookTransport {
  return {
    post(r) {
      return new Promise<WebhookAnswer>((resolve) => {
        let settled = false;
        const settle = (a: WebhookAnswer): void => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          resolve(a);
        };
        const u = new URL(r.url);
        const hostname = u.hostname.replace(/^\[|\]$/g, '');
        const family = net.isIPv6(r.address) ? 6 : 4;
        const lookup: LookupFunction = (_host, options, callback) => {
          if (options.all) callback(null, [{ address: r.address, family }]);
          else callback(null, r.address, family);
        };
        const client = u.protocol === 'https:' ? https : http;
        const req = client.request({
          protocol: u.protocol,
          hostname,
          port: u.port || (u.protocol === 'https:' ? 443 : 80),
          path: `${u.pathname}${u.search}`,
          method: 'POST',
          headers: { ...r.headers, 'content-length': String(Buffer.byteLength(r.body)) },
          lookup,
          agent: false,
        });
        const timer = setTimeout(() => {
          settle({ error: `no answer within ${r.timeoutMs} ms` });
          req.destroy();
        }, r.timeoutMs);
        req.on('response', (res) => {
          const location = res.headers.location;
          settle({ status: res.statusCode ?? 0, ...(location ? { location } : {}) });
          res.destroy();
        });
        req.on('error', (err) => settle({ error: err.message }));
        req.end(r.body);
      });
    },
  };
}
