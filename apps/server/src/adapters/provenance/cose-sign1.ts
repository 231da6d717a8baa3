// COSE_Sign1 (RFC 9052) as C2PA wants it: detached payload (the claim), algorithm and x5chain in the protected
// header. c2pa-wasm 0.15 hands its JS signer the claim bytes and expects the whole signature structure back
// ("direct COSE handling"), so it is built here with node:crypto; the library verifies it right after signing.
import crypto from 'node:crypto';

/** The subset of CBOR (RFC 8949) a COSE_Sign1 needs; maps keep insertion order. */
export type CborValue = number | string | Uint8Array | null | CborValue[] | Map<number | string, CborValue> | CborTag;

export interface CborTag {
  tag: number;
  value: CborValue;
}

function cborHead(major: number, n: number): Buffer {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`CBOR length/value out of range: ${n}`);
  if (n < 24) return Buffer.from([(major << 5) | n]);
  if (n < 0x100) return Buffer.from([(major << 5) | 24, n]);
  if (n < 0x10000) {
    const b = Buffer.alloc(3);
    b[0] = (major << 5) | 25;
    b.writeUInt16BE(n, 1);
    return b;
  }
  if (n < 0x100000000) {
    const b = Buffer.alloc(5);
    b[0] = (major << 5) | 26;
    b.writeUInt32BE(n, 1);
    return b;
  }
  const b = Buffer.alloc(9);
  b[0] = (major << 5) | 27;
  b.writeBigUInt64BE(BigInt(n), 1);
  return b;
}

export function encodeCbor(value: CborValue): Buffer {
  if (value === null) return Buffer.from([0xf6]);
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw new TypeError('only integers are encoded');
    return value >= 0 ? cborHead(0, value) : cborHead(1, -1 - value);
  }
  if (typeof value === 'string') {
    const text = Buffer.from(value, 'utf8');
    return Buffer.concat([cborHead(3, text.length), text]);
  }
  if (value instanceof Uint8Array) return Buffer.concat([cborHead(2, value.length), value]);
  if (Array.isArray(value)) return Buffer.concat([cborHead(4, value.length), ...value.map(encodeCbor)]);
  if (value instanceof Map) {
    const parts: Buffer[] = [cborHead(5, value.size)];
    for (const [k, v] of value) parts.push(encodeCbor(k), encodeCbor(v));
    return Buffer.concat(parts);
  }
  return Buffer.concat([cborHead(6, value.tag), encodeCbor(value.value)]);
}

/** The signing algorithms C2PA allows that node:crypto signs with a PEM key. */
export type C2paAlg = 'es256' | 'es384' | 'es512' | 'ps256' | 'ed25519';

const COSE_ALG_ID: Record<C2paAlg, number> = { es256: -7, es384: -35, es512: -36, ps256: -37, ed25519: -8 };
const COSE_HEADER_ALG = 1;
const COSE_HEADER_X5CHAIN = 33;
const COSE_SIGN1_TAG = 18;

/** Which algorithm a private key signs with (EC curve decides the ES variant; RSA signs RSASSA-PSS). */
export function algForKey(key: crypto.KeyObject): C2paAlg {
  const type = key.asymmetricKeyType;
  if (type === 'ed25519') return 'ed25519';
  if (type === 'rsa' || type === 'rsa-pss') return 'ps256';
  if (type === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    if (curve === 'prime256v1' || curve === 'P-256') return 'es256';
    if (curve === 'secp384r1' || curve === 'P-384') return 'es384';
    if (curve === 'secp521r1' || curve === 'P-521') return 'es512';
    throw new Error(`EC curve ${curve ?? 'unknown'} is not allowed by C2PA (P-256, P-384, P-521 are)`);
  }
  throw new Error(`a ${type ?? 'unknown'} key cannot sign C2PA manifests (use EC P-256/384/521, RSA or Ed25519)`);
}

/** Raw signature over `data` in the form COSE wants (ECDSA as r‖s, not DER). */
export function signForCose(alg: C2paAlg, key: crypto.KeyObject, data: Uint8Array): Buffer {
  switch (alg) {
    case 'es256':
      return crypto.sign('sha256', data, { key, dsaEncoding: 'ieee-p1363' });
    case 'es384':
      return crypto.sign('sha384', data, { key, dsaEncoding: 'ieee-p1363' });
    case 'es512':
      return crypto.sign('sha512', data, { key, dsaEncoding: 'ieee-p1363' });
    case 'ps256':
      return crypto.sign('sha256', data, { key, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 });
    case 'ed25519':
      return crypto.sign(null, data, key);
  }
}

export interface CoseSigner {
  alg: C2paAlg;
  /** exact length of every signature structure this signer returns (c2pa reserves this much space) */
  reserveSize: number;
  sign(claim: Uint8Array): Uint8Array<ArrayBuffer>;
}

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** PEM text → DER certificates in file order (the x5chain). */
export function pemCertificates(pem: string): Buffer[] {
  return (pem.match(PEM_CERT) ?? []).map((block) =>
    Buffer.from(block.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, ''), 'base64'),
  );
}

/** The Sig_structure that is actually signed (RFC 9052 §4.4), payload detached. */
export function coseToBeSigned(protectedHeader: Uint8Array, claim: Uint8Array): Buffer {
  return encodeCbor(['Signature1', protectedHeader, new Uint8Array(0), claim]);
}

/**
 * A signer whose output always has the same length: the protected header and the signature length are fixed
 * for a key and chain (the payload is detached), so reserveSize is measured once, up front.
 * `chainDer`: signing certificate first, then intermediates (no root).
 */
export function createCoseSigner(key: crypto.KeyObject, chainDer: readonly Uint8Array[]): CoseSigner {
  if (chainDer.length === 0) throw new Error('the certificate chain is empty');
  const alg = algForKey(key);
  const x5chain: CborValue = chainDer.length === 1 ? (chainDer[0] as Uint8Array) : [...chainDer];
  const protectedHeader = encodeCbor(
    new Map<number, CborValue>([
      [COSE_HEADER_ALG, COSE_ALG_ID[alg]],
      [COSE_HEADER_X5CHAIN, x5chain],
    ]),
  );
  const assemble = (signature: Uint8Array): Buffer =>
    encodeCbor({ tag: COSE_SIGN1_TAG, value: [protectedHeader, new Map(), null, signature] });
  const reserveSize = assemble(signForCose(alg, key, new Uint8Array(1))).length;
  return {
    alg,
    reserveSize,
    sign(claim) {
      const out = assemble(signForCose(alg, key, coseToBeSigned(protectedHeader, claim)));
      if (out.length !== reserveSize) throw new Error(`signature is ${out.length} bytes, ${reserveSize} reserved`);
      return new Uint8Array(out);
    },
  };
}
