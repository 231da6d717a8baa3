import type { ManifestSummary, ProvenanceMime, ProvenanceSigner } from '#ports/provenance.ts';
import { WorkerThreadRpc } from '../threads/worker-thread-rpc.ts';
import type { C2paCredentials } from './c2pa-credentials.ts';

export { loadC2paCredentials, type C2paCredentials } from './c2pa-credentials.ts';

export interface C2paProvenanceSigner extends ProvenanceSigner {
  /** Starts the thread and loads the WASM now rather than on the first output. */
  warmUp(): Promise<{ alg: string; reserveSize: number }>;
}

/**
 * Signs outputs with the Content Authenticity Initiative's c2pa-rs (WebAssembly build) in a worker thread the
 * adapter owns. `credentials` from loadC2paCredentials (C2PA_CERT/C2PA_KEY, or the pair under DATA_DIR/c2pa).
 * read() validates against the generated root when there is one (state Trusted), else reports Valid for an
 * intact manifest whose certificate is on no local trust list.
 */
export function createC2paProvenanceSigner(credentials: C2paCredentials): C2paProvenanceSigner {
  const thread = new WorkerThreadRpc(new URL('./c2pa-worker.ts', import.meta.url), {
    name: 'c2pa signer',
    workerData: {
      chainPem: credentials.chainPem,
      keyPem: credentials.keyPem,
      trustAnchorsPem: credentials.trustAnchorsPem,
    },
  });
  return {
    warmUp: () => thread.call('warmUp'),
    async sign(claim) {
      await thread.call('sign', [{ ...claim, createdAt: claim.createdAt.toISOString() }]);
    },
    read: (path: string, mime: ProvenanceMime) => thread.call<ManifestSummary | undefined>('read', [path, mime]),
    close: () => thread.close(),
  };
}
