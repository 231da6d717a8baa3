import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { C2paCredentialsError, checkSigningChain, loadC2paCredentials } from '#adapters/provenance/c2pa-credentials.ts';
import { createLocalC2paCertificates, type LocalC2paCertificates } from '#adapters/provenance/local-c2pa-ca.ts';

describe('C2PA credentials', () => {
  let dir: string;
  let made: LocalC2paCertificates;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mediagen-c2pa-cred-'));
    made = await createLocalC2paCertificates({ label: 'unit, "test"' });
  });

  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('makes an end-entity signing certificate with the C2PA profile, issued by a local root', () => {
    const leaf = new crypto.X509Certificate(made.signerCertPem);
    const root = new crypto.X509Certificate(made.rootCertPem);
    expect(leaf.checkIssued(root)).toBe(true);
    expect(leaf.verify(root.publicKey)).toBe(true);
    expect(leaf.ca).toBe(false);
    expect(root.ca).toBe(true);
    expect(leaf.keyUsage).toEqual(['1.3.6.1.5.5.7.3.4']); // Node reports the extended key usages here
    expect(leaf.checkPrivateKey(crypto.createPrivateKey(made.signerKeyPem))).toBe(true);
    expect(leaf.subject).toContain('C2PA signer');
    expect(new Date(leaf.validTo).getTime()).toBeGreaterThan(Date.now() + 9 * 365 * 864e5);
    expect(checkSigningChain(made.signerCertPem, made.signerKeyPem, new Date(), 'test').alg).toBe('es256');
  });

  it('refuses a self-signed signing certificate, a key of another certificate, and an expired one', () => {
    const rootAsSigner = () => checkSigningChain(made.rootCertPem, made.signerKeyPem, new Date(), 'x');
    expect(rootAsSigner).toThrow(C2paCredentialsError); // the key does not match either
    const otherKey = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({
      type: 'pkcs8',
      format: 'pem',
    });
    expect(() => checkSigningChain(made.signerCertPem, String(otherKey), new Date(), 'x')).toThrow(/does not belong/);
    expect(() => checkSigningChain(made.signerCertPem, made.signerKeyPem, new Date('2099-01-01'), 'x')).toThrow(
      /expired/,
    );
    expect(() => checkSigningChain('not pem', made.signerKeyPem, new Date(), 'x')).toThrow(/no PEM certificate/);
  });

  it('refuses a self-signed signing certificate with its own key (validators would reject every manifest)', async () => {
    await import('reflect-metadata');
    const x509 = await import('@peculiar/x509');
    const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
    const keys = await crypto.webcrypto.subtle.generateKey(alg, true, ['sign', 'verify']);
    const cert = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: '01',
      name: 'CN=self',
      notBefore: new Date(Date.now() - 864e5),
      notAfter: new Date(Date.now() + 864e5),
      keys,
      signingAlgorithm: alg,
    });
    const pkcs8 = Buffer.from(await crypto.webcrypto.subtle.exportKey('pkcs8', keys.privateKey)).toString('base64');
    const keyPem = `-----BEGIN PRIVATE KEY-----\n${pkcs8}\n-----END PRIVATE KEY-----\n`;
    expect(() => checkSigningChain(cert.toString('pem'), keyPem, new Date(), 'x')).toThrow(/self-signed/);
  });

  it('needs C2PA_CERT and C2PA_KEY together, and says which file cannot be read', async () => {
    await expect(loadC2paCredentials({ certPath: '/x.pem', dataDir: dir })).rejects.toThrow(/together/);
    await expect(
      loadC2paCredentials({ certPath: path.join(dir, 'missing.pem'), keyPath: '/k', dataDir: dir }),
    ).rejects.toThrow(/C2PA_CERT=.*missing\.pem cannot be read/);
  });

  it('replaces a generated pair that is damaged or about to expire', async () => {
    const dataDir = path.join(dir, 'data');
    const first = await loadC2paCredentials({ dataDir });
    expect(first.source).toBe('generated');
    fs.writeFileSync(path.join(dataDir, 'c2pa', 'signer-key.pem'), 'garbage');
    const second = await loadC2paCredentials({ dataDir });
    expect(second.source).toBe('generated');
    expect(second.chainPem).not.toBe(first.chainPem);
    const nearExpiry = new Date(second.notAfter.getTime() - 10 * 864e5);
    expect((await loadC2paCredentials({ dataDir, now: nearExpiry })).source).toBe('generated');
  });
});
