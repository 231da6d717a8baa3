import { webcrypto } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDnsHostResolver } from '../../src/adapters/webhooks/dns-host-resolver.ts';
import { createPinnedWebhookTransport } from '../../src/adapters/webhooks/pinned-webhook-transport.ts';

// Every connection here goes to 127.0.0.1: the URLs name hosts that do not exist, and the transport must
// connect to the pinned address anyway (it never resolves the name itself).
const seen: Array<{
  host: string | undefined;
  url: string | undefined;
  body: string;
  headers: http.IncomingHttpHeaders;
}> = [];
let plain: http.Server;
let port = 0;

beforeAll(async () => {
  plain = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ host: req.headers.host, url: req.url, body, headers: req.headers });
      if (req.url === '/slow') return; // never answers
      if (req.url === '/moved') res.writeHead(307, { location: 'http://169.254.169.254/' }).end();
      else res.writeHead(202).end('ok');
    });
  });
  await new Promise<void>((r) => plain.listen(0, '127.0.0.1', r));
  const a = plain.address();
  port = typeof a === 'object' && a ? a.port : 0;
});

afterAll(async () => {
  plain.closeAllConnections();
  await new Promise((r) => plain.close(r));
});

describe('pinned webhook transport', () => {
  const transport = createPinnedWebhookTransport();

  it('connects to the pinned address, keeping the URL host in Host, with the body and headers', async () => {
    const answer = await transport.post({
      url: `http://hooks.invalid:${port}/in?x=1`,
      address: '127.0.0.1',
      headers: { 'content-type': 'application/json', 'webhook-id': 'msg_1' },
      body: '{"a":1}',
      timeoutMs: 2000,
    });
    expect(answer).toEqual({ status: 202 });
    expect(seen.at(-1)).toMatchObject({ host: `hooks.invalid:${port}`, url: '/in?x=1', body: '{"a":1}' });
    expect(seen.at(-1)?.headers['webhook-id']).toBe('msg_1');
    expect(seen.at(-1)?.headers['content-length']).toBe('7');
  });

  it('returns redirects without following them', async () => {
    const before = seen.length;
    const answer = await transport.post({
      url: `http://hooks.invalid:${port}/moved`,
      address: '127.0.0.1',
      headers: {},
      body: '{}',
      timeoutMs: 2000,
    });
    expect(answer).toEqual({ status: 307, location: 'http://169.254.169.254/' });
    expect(seen.length).toBe(before + 1);
  });

  it('gives up after the timeout', async () => {
    const started = Date.now();
    const answer = await transport.post({
      url: `http://hooks.invalid:${port}/slow`,
      address: '127.0.0.1',
      headers: {},
      body: '{}',
      timeoutMs: 300,
    });
    expect(answer).toEqual({ error: 'no answer within 300 ms' });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('reports a refused connection as an error', async () => {
    const answer = await transport.post({
      url: 'http://hooks.invalid:9/',
      address: '127.0.0.1',
      headers: {},
      body: '{}',
      timeoutMs: 2000,
    });
    expect(answer).toMatchObject({ error: expect.stringMatching(/ECONNREFUSED/) });
  });

  it('over https, sends the URL host as SNI and verifies the certificate against it', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pinned-tls-'));
    const key = path.join(dir, 'key.pem');
    const cert = path.join(dir, 'cert.pem');
    await selfSignedCertificate('hooks.invalid', key, cert);
    const sni: string[] = [];
    const secure = https.createServer(
      {
        key: fs.readFileSync(key),
        cert: fs.readFileSync(cert),
        SNICallback: (name, cb) => {
          sni.push(name);
          cb(null, tls.createSecureContext({ key: fs.readFileSync(key), cert: fs.readFileSync(cert) }));
        },
      },
      (_req, res) => res.writeHead(200).end(),
    );
    await new Promise<void>((r) => secure.listen(0, '127.0.0.1', r));
    const a = secure.address();
    const tlsPort = typeof a === 'object' && a ? a.port : 0;
    try {
      const answer = await transport.post({
        url: `https://hooks.invalid:${tlsPort}/`,
        address: '127.0.0.1',
        headers: {},
        body: '{}',
        timeoutMs: 2000,
      });
      // a self-signed certificate is not trusted: no request is sent
      expect(answer).toMatchObject({ error: expect.stringMatching(/self[- ]signed/i) });
      expect(sni).toEqual(['hooks.invalid']);
    } finally {
      secure.closeAllConnections();
      await new Promise((r) => secure.close(r));
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('DNS host resolver', () => {
  it('answers IP literals without a lookup and every address of a name', async () => {
    const resolver = createDnsHostResolver();
    expect(await resolver.lookup('127.0.0.1')).toEqual(['127.0.0.1']);
    expect(await resolver.lookup('::1')).toEqual(['::1']);
    // `localhost` is answered from the hosts file: no query leaves the machine
    expect(await resolver.lookup('localhost')).toEqual(expect.arrayContaining([expect.stringMatching(/^(127\.|::1)/)]));
  });
});

/** A P-256 certificate for `host` (subjectAltName DNS) and its key, as PEM files; no openssl needed. */
async function selfSignedCertificate(host: string, keyFile: string, certFile: string): Promise<void> {
  await import('reflect-metadata');
  const x509 = await import('@peculiar/x509');
  x509.cryptoProvider.set(webcrypto);
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
  const keys = await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify']);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: `CN=${host}`,
    notBefore: new Date(Date.now() - 3_600_000),
    notAfter: new Date(Date.now() + 86_400_000),
    keys,
    signingAlgorithm: alg,
    extensions: [new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: host }])],
  });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)).toString('base64');
  fs.writeFileSync(
    keyFile,
    `-----BEGIN PRIVATE KEY-----\n${pkcs8.match(/.{1,64}/g)?.join('\n') ?? ''}\n-----END PRIVATE KEY-----\n`,
  );
  fs.writeFileSync(certFile, cert.toString('pem'));
}
