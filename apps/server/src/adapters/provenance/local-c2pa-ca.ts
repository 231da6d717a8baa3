// A signing certificate for installations without one of their own: a local root CA (self-signed, key thrown away)
// issues an end-entity certificate with the profile C2PA validators demand (the signing certificate itself must
// not be self-signed; digitalSignature key usage, critical; an allowed extended key usage; not a CA).
import { webcrypto } from 'node:crypto';

const DAY_MS = 24 * 60 * 60 * 1000;
const ROOT_DAYS = 20 * 365;
const SIGNER_DAYS = 10 * 365;
/** id-kp-emailProtection, one of the extended key usages the C2PA trust model accepts for claim signing */
const EKU_EMAIL_PROTECTION = '1.3.6.1.5.5.7.3.4';

export interface LocalC2paCertificates {
  /** the end-entity signing certificate (PEM) */
  signerCertPem: string;
  /** its private key, PKCS#8 PEM */
  signerKeyPem: string;
  /** the root that issued it: give this to verifiers that should trust this installation's outputs */
  rootCertPem: string;
}

function pkcs8Pem(der: ArrayBuffer): string {
  const lines =
    Buffer.from(der)
      .toString('base64')
      .match(/.{1,64}/g) ?? [];
  return `-----BEGIN PRIVATE KEY-----\n${lines.join('\n')}\n-----END PRIVATE KEY-----\n`;
}

function randomSerial(): string {
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  bytes[0] = (bytes[0] ?? 0) & 0x7f; // a positive INTEGER
  return Buffer.from(bytes).toString('hex');
}

function dnValue(text: string): string {
  return text.replace(/[,=+<>#;"\\]/g, ' ').trim() || 'MediaGen';
}

/** ES256 (P-256) root + signer. `label` names the installation in both subjects (e.g. the host name). */
export async function createLocalC2paCertificates(
  opts: { label?: string; now?: Date } = {},
): Promise<LocalC2paCertificates> {
  await import('reflect-metadata'); // @peculiar/x509 resolves its ASN.1 classes through tsyringe, which needs it
  const x509 = await import('@peculiar/x509');
  x509.cryptoProvider.set(webcrypto);
  const now = opts.now ?? new Date();
  const notBefore = new Date(now.getTime() - 60 * 60 * 1000); // an hour of slack for clocks
  const label = dnValue(opts.label ?? 'MediaGen');
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

  const rootKeys = await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify']);
  const root = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: `CN=${label} local C2PA root ${randomSerial().slice(0, 8)}, O=MediaGen`,
    notBefore,
    notAfter: new Date(now.getTime() + ROOT_DAYS * DAY_MS),
    keys: rootKeys,
    signingAlgorithm: alg,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(rootKeys.publicKey),
    ],
  });

  const signerKeys = await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify']);
  const signer = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: `CN=${label} C2PA signer, O=MediaGen`,
    issuer: root.subject,
    notBefore,
    notAfter: new Date(now.getTime() + SIGNER_DAYS * DAY_MS),
    publicKey: signerKeys.publicKey,
    signingKey: rootKeys.privateKey,
    signingAlgorithm: alg,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([EKU_EMAIL_PROTECTION], false),
      await x509.SubjectKeyIdentifierExtension.create(signerKeys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(root, false),
    ],
  });

  return {
    signerCertPem: signer.toString('pem') + '\n',
    signerKeyPem: pkcs8Pem(await webcrypto.subtle.exportKey('pkcs8', signerKeys.privateKey)),
    rootCertPem: root.toString('pem') + '\n',
  };
}
