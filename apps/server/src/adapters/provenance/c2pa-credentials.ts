// The operator's C2PA signing key and certificate chain (C2PA_CERT / C2PA_KEY, PEM files), or, when neither is
// set, a local pair made at first start under DATA_DIR/c2pa/ and reused afterwards.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { algForKey, pemCertificates, type C2paAlg } from './cose-sign1.ts';
import { createLocalC2paCertificates } from './local-c2pa-ca.ts';

export interface C2paCredentials {
  /** signing certificate first, then intermediates, PEM */
  chainPem: string;
  keyPem: string;
  alg: C2paAlg;
  /** roots that validate this chain locally (the generated root); empty for an operator's certificate */
  trustAnchorsPem: string;
  source: 'configured' | 'generated' | 'reused';
  /** where the generated files live (source generated/reused) */
  dir?: string;
  /** when the signing certificate expires */
  notAfter: Date;
}

export class C2paCredentialsError extends Error {
  override readonly name = 'C2paCredentialsError';
}

/** a generated certificate this close to expiry is replaced at start */
const RENEW_BEFORE_MS = 30 * 24 * 60 * 60 * 1000;

export const GENERATED_FILES = { cert: 'signer-cert.pem', key: 'signer-key.pem', root: 'root-ca.pem' } as const;

/**
 * Check a chain and key the way a C2PA validator will: the key belongs to the first certificate, it is in date,
 * and that certificate is not self-signed (validators refuse self-signed signing certificates).
 */
export function checkSigningChain(
  chainPem: string,
  keyPem: string,
  now: Date,
  what: string,
): { alg: C2paAlg; notAfter: Date } {
  const ders = pemCertificates(chainPem);
  if (ders.length === 0) throw new C2paCredentialsError(`${what}: no PEM certificate found`);
  let key: crypto.KeyObject;
  try {
    key = crypto.createPrivateKey(keyPem);
  } catch (err) {
    throw new C2paCredentialsError(`${what}: the key is not a readable PEM private key (${(err as Error).message})`);
  }
  const leaf = new crypto.X509Certificate(ders[0] as Buffer);
  if (!leaf.checkPrivateKey(key))
    throw new C2paCredentialsError(`${what}: the key does not belong to the first certificate`);
  const notAfter = new Date(leaf.validTo);
  if (notAfter.getTime() <= now.getTime())
    throw new C2paCredentialsError(`${what}: the certificate expired on ${leaf.validTo}`);
  if (leaf.subject === leaf.issuer && leaf.verify(leaf.publicKey)) {
    throw new C2paCredentialsError(
      `${what}: the signing certificate is self-signed, which C2PA validators refuse; use one issued by a CA (see docs/DEPLOY.md)`,
    );
  }
  let alg: C2paAlg;
  try {
    alg = algForKey(key);
  } catch (err) {
    throw new C2paCredentialsError(`${what}: ${(err as Error).message}`);
  }
  return { alg, notAfter };
}

function readText(file: string, variable: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new C2paCredentialsError(
      `${variable}=${file} cannot be read (${(err as NodeJS.ErrnoException).code ?? err})`,
    );
  }
}

function writePrivate(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text, { mode: 0o600 });
  fs.renameSync(tmp, file);
}

function reuseGenerated(dir: string, now: Date): C2paCredentials | undefined {
  const files = Object.values(GENERATED_FILES).map((f) => path.join(dir, f));
  if (!files.every((f) => fs.existsSync(f))) return undefined;
  const chainPem = fs.readFileSync(path.join(dir, GENERATED_FILES.cert), 'utf8');
  const keyPem = fs.readFileSync(path.join(dir, GENERATED_FILES.key), 'utf8');
  const trustAnchorsPem = fs.readFileSync(path.join(dir, GENERATED_FILES.root), 'utf8');
  try {
    const { alg, notAfter } = checkSigningChain(chainPem, keyPem, new Date(now.getTime() + RENEW_BEFORE_MS), dir);
    return { chainPem, keyPem, alg, trustAnchorsPem, source: 'reused', dir, notAfter };
  } catch {
    return undefined; // expiring, damaged or half-written: make a new pair
  }
}

/**
 * C2PA_CERT + C2PA_KEY when both are set (either alone is an error); else the pair under `dataDir/c2pa/`,
 * made on first start (and again when it is within 30 days of expiry or unreadable).
 */
export async function loadC2paCredentials(opts: {
  certPath?: string | undefined;
  keyPath?: string | undefined;
  dataDir: string;
  now?: Date;
  /** names the installation in generated certificates (default: the host name) */
  label?: string;
}): Promise<C2paCredentials> {
  const now = opts.now ?? new Date();
  if (opts.certPath || opts.keyPath) {
    if (!opts.certPath || !opts.keyPath) {
      throw new C2paCredentialsError('C2PA_CERT and C2PA_KEY must be set together (PEM certificate chain and key)');
    }
    const chainPem = readText(opts.certPath, 'C2PA_CERT');
    const keyPem = readText(opts.keyPath, 'C2PA_KEY');
    const { alg, notAfter } = checkSigningChain(chainPem, keyPem, now, 'C2PA_CERT/C2PA_KEY');
    return { chainPem, keyPem, alg, trustAnchorsPem: '', source: 'configured', notAfter };
  }
  const dir = path.join(opts.dataDir, 'c2pa');
  const reused = reuseGenerated(dir, now);
  if (reused) return reused;
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const made = await createLocalC2paCertificates({ label: opts.label ?? os.hostname(), now });
  writePrivate(path.join(dir, GENERATED_FILES.key), made.signerKeyPem);
  writePrivate(path.join(dir, GENERATED_FILES.root), made.rootCertPem);
  writePrivate(path.join(dir, GENERATED_FILES.cert), made.signerCertPem); // last: its presence means "complete"
  const { alg, notAfter } = checkSigningChain(made.signerCertPem, made.signerKeyPem, now, dir);
  return {
    chainPem: made.signerCertPem,
    keyPem: made.signerKeyPem,
    alg,
    trustAnchorsPem: made.rootCertPem,
    source: 'generated',
    dir,
    notAfter,
  };
}
