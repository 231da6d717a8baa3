import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { algForKey, coseToBeSigned, createCoseSigner, encodeCbor, pemCertificates } from './cose-sign1.ts';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('encodeCbor (RFC 8949 appendix A vectors)', () => {
  it.each<[unknown, string]>([
    [0, '00'],
    [23, '17'],
    [24, '1818'],
    [100, '1864'],
    [1000, '1903e8'],
    [1000000, '1a000f4240'],
    [-1, '20'],
    [-1000, '3903e7'],
    ['a', '6161'],
    ['ü', '62c3bc'],
    [new Uint8Array([1, 2, 3, 4]), '4401020304'],
    [null, 'f6'],
    [[1, [2, 3]], '8201820203'],
    [new Map([[1, 2]]), 'a10102'],
    [new Map([['a', 1]]), 'a16161' + '01'],
    [{ tag: 18, value: [] }, 'd280'],
  ])('%j → %s', (value, expected) => {
    expect(hex(encodeCbor(value as Parameters<typeof encodeCbor>[0]))).toBe(expected);
  });

  it('refuses non-integers', () => {
    expect(() => encodeCbor(1.5)).toThrow(TypeError);
  });
});

describe('createCoseSigner', () => {
  const fakeChain = [new Uint8Array(300).fill(7), new Uint8Array(200).fill(9)];

  it.each([
    ['es256', crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' })],
    ['es384', crypto.generateKeyPairSync('ec', { namedCurve: 'P-384' })],
    ['ed25519', crypto.generateKeyPairSync('ed25519')],
    ['ps256', crypto.generateKeyPairSync('rsa', { modulusLength: 2048 })],
  ] as const)('%s: a tagged COSE_Sign1 of exactly reserveSize bytes whose signature verifies', (alg, pair) => {
    const signer = createCoseSigner(pair.privateKey, fakeChain);
    expect(signer.alg).toBe(alg);
    expect(algForKey(pair.privateKey)).toBe(alg);
    for (const claim of [new Uint8Array(0), crypto.randomBytes(5000)]) {
      const cose = Buffer.from(signer.sign(claim));
      expect(cose.length).toBe(signer.reserveSize);
      expect(cose[0]).toBe(0xd2); // tag 18
      expect(cose[1]).toBe(0x84); // [protected, unprotected, payload, signature]
      // protected header bstr: {1: alg, 33: [chain]}
      const protectedLength = cose[2] === 0x59 ? cose.readUInt16BE(3) : -1;
      expect(protectedLength).toBeGreaterThan(500);
      const protectedHeader = cose.subarray(5, 5 + protectedLength);
      const rest = cose.subarray(5 + protectedLength);
      expect(rest[0]).toBe(0xa0); // empty unprotected map
      expect(rest[1]).toBe(0xf6); // detached payload
      const sigHead = rest[2] ?? 0;
      const signature = sigHead === 0x59 ? rest.subarray(5) : sigHead === 0x58 ? rest.subarray(4) : rest.subarray(3);
      const toBeSigned = coseToBeSigned(protectedHeader, claim);
      const ok =
        alg === 'ed25519'
          ? crypto.verify(null, toBeSigned, pair.publicKey, signature)
          : alg === 'ps256'
            ? crypto.verify(
                'sha256',
                toBeSigned,
                {
                  key: pair.publicKey,
                  padding: crypto.constants.RSA_PKCS1_PSS_PADDING,
                  saltLength: 32,
                },
                signature,
              )
            : crypto.verify(
                alg === 'es256' ? 'sha256' : 'sha384',
                toBeSigned,
                {
                  key: pair.publicKey,
                  dsaEncoding: 'ieee-p1363',
                },
                signature,
              );
      expect(ok).toBe(true);
    }
  });

  it('refuses curves and key types C2PA does not allow', () => {
    expect(() => algForKey(crypto.generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).privateKey)).toThrow(/curve/);
    expect(() => algForKey(crypto.generateKeyPairSync('x25519').privateKey)).toThrow(/cannot sign/);
    const { privateKey } = crypto.generateKeyPairSync('ed25519');
    expect(() => createCoseSigner(privateKey, [])).toThrow(/empty/);
  });

  it('reads the certificates of a PEM chain in order', () => {
    const pem = ['AQID', 'BAUG']
      .map((b64) => `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----`)
      .join('\n');
    expect(pemCertificates(`junk\n${pem}\n`).map(hex)).toEqual(['010203', '040506']);
    expect(pemCertificates('no certificate here')).toEqual([]);
  });
});
