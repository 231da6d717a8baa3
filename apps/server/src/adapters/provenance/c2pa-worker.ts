// The C2PA worker thread: the Content Authenticity Initiative's c2pa-rs, compiled to WebAssembly
// (@contentauth/c2pa-wasm), embeds and validates manifests; hashing a whole video and signing stay off the
// gateway's event loop. The private key lives in this thread only.
import crypto from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { workerData } from 'node:worker_threads';
import { initSync, WasmBuilder, WasmReader } from '@contentauth/c2pa-wasm';
import type { ManifestSummary, ProvenanceClaim, ProvenanceMime } from '#ports/provenance.ts';
import { serveWorkerRequests } from '../threads/worker-thread-rpc.ts';
import { manifestDefinition, manifestTitle, summarizeManifestStore } from './c2pa-manifest.ts';
import { createCoseSigner, pemCertificates, type CoseSigner } from './cose-sign1.ts';

const config = workerData as { chainPem: string; keyPem: string; trustAnchorsPem: string };

/**
 * The builder reads its source through a browser Blob and FileReaderSync, which Node lacks: this Blob-like view of
 * bytes in memory, and a FileReaderSync that copies them out, exist only inside this thread.
 */
class BytesBlob {
  constructor(readonly bytes: Uint8Array) {}
  get size(): number {
    return this.bytes.length;
  }
  slice(start?: number, end?: number): BytesBlob {
    return new BytesBlob(this.bytes.subarray(start ?? 0, end ?? this.bytes.length));
  }
}

class BytesFileReaderSync {
  readAsArrayBuffer(blob: unknown): ArrayBuffer {
    if (!(blob instanceof BytesBlob)) throw new TypeError('only in-memory sources are readable here');
    return blob.bytes.slice().buffer;
  }
}

let ready: { signer: CoseSigner; readerContext: string | undefined } | undefined;

function init(): NonNullable<typeof ready> {
  if (ready) return ready;
  (globalThis as { FileReaderSync?: unknown }).FileReaderSync = BytesFileReaderSync;
  const wasmFile = createRequire(import.meta.url).resolve('@contentauth/c2pa-wasm/c2pa.wasm');
  initSync({ module: fs.readFileSync(wasmFile) });
  const signer = createCoseSigner(crypto.createPrivateKey(config.keyPem), pemCertificates(config.chainPem));
  const readerContext = config.trustAnchorsPem
    ? JSON.stringify({ trust: { trust_anchors: config.trustAnchorsPem } })
    : undefined;
  ready = { signer, readerContext };
  return ready;
}

async function sign(claim: Omit<ProvenanceClaim, 'createdAt'> & { createdAt: string }): Promise<{ bytes: number }> {
  const { signer } = init();
  const source = fs.readFileSync(claim.path);
  const definition = manifestDefinition({
    model: claim.model,
    modelLabel: claim.modelLabel,
    version: claim.version,
    createdAt: new Date(claim.createdAt),
    title: manifestTitle(claim.path),
  });
  const builder = WasmBuilder.fromJson(JSON.stringify(definition));
  let signed: Uint8Array;
  try {
    signed = await builder.sign(
      { alg: signer.alg, reserveSize: signer.reserveSize, sign: async (bytes) => signer.sign(bytes) },
      [],
      claim.mime,
      new BytesBlob(new Uint8Array(source.buffer, source.byteOffset, source.length)) as unknown as Blob,
    );
  } finally {
    builder.free();
  }
  // write beside the file and rename over it: a reader never sees a half-written output
  const tmp = path.join(path.dirname(claim.path), `.${path.basename(claim.path)}.c2pa-${process.pid}.tmp`);
  try {
    fs.writeFileSync(tmp, signed);
    fs.renameSync(tmp, claim.path);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
  return { bytes: signed.length };
}

/** c2pa-rs reports a file without a manifest as JumbfNotFound (or ManifestNotFound / ProvenanceMissing). */
function isNoManifest(err: unknown): boolean {
  return /JumbfNotFound|ManifestNotFound|ProvenanceMissing|no JUMBF data found/i.test(String(err));
}

async function read(file: string, mime: ProvenanceMime): Promise<ManifestSummary | undefined> {
  const { readerContext } = init();
  const bytes = fs.readFileSync(file);
  let reader: WasmReader;
  try {
    reader = await WasmReader.fromBytes(
      mime,
      new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length),
      readerContext,
    );
  } catch (err) {
    if (isNoManifest(err)) return undefined;
    throw new Error(`C2PA read failed: ${String(err)}`, { cause: err });
  }
  try {
    return summarizeManifestStore(reader.json());
  } finally {
    reader.free();
  }
}

serveWorkerRequests({
  sign: (claim: Omit<ProvenanceClaim, 'createdAt'> & { createdAt: string }) => sign(claim),
  read: (file: string, mime: ProvenanceMime) => read(file, mime),
  async warmUp(): Promise<{ alg: string; reserveSize: number }> {
    const { signer } = init();
    return { alg: signer.alg, reserveSize: signer.reserveSize };
  },
});
