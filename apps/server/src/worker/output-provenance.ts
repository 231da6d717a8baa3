import { MODELS } from '@mediagen/contract';
import type { FileStore } from '#ports/file-store.ts';
import { rewriteStored } from '#services/stored-media.ts';
import type { ProvenanceMime, ProvenanceSigner } from '#ports/provenance.ts';
import type { TaskRecord } from '#ports/store.ts';
import type { WrittenOutput } from './output-check.ts';

const SIGNED: ReadonlySet<string> = new Set<ProvenanceMime>(['image/png', 'image/jpeg', 'video/mp4']);

/**
 * The provenance step of the worker: a signed C2PA manifest ("made by a generative model": trainedAlgorithmicMedia,
 * the model, MediaGen's version, the time) embedded in every PNG, JPEG and MP4 output before it is stored. A file
 * that cannot be signed is delivered unsigned and logged (losing the user's output would be worse than no mark).
 */
export function outputProvenance(d: {
  signer: () => ProvenanceSigner;
  files: FileStore;
  version: string;
  now: () => number;
  log: { warn(o: object, m: string): void };
}): { sign(task: TaskRecord, outputs: readonly WrittenOutput[]): Promise<void> } {
  return {
    async sign(task, outputs) {
      const model = MODELS[task.params.model];
      for (const o of outputs) {
        if (!SIGNED.has(o.mime)) continue;
        try {
          await rewriteStored(d.files, o.key, (path) =>
            d.signer().sign({
              path,
              mime: o.mime as ProvenanceMime,
              model: model.id,
              modelLabel: model.label,
              version: d.version,
              createdAt: new Date(d.now()),
            }),
          );
        } catch (err) {
          d.log.warn({ taskId: task.id, err: err instanceof Error ? err.message : String(err) }, 'output not signed');
        }
      }
    },
  };
}
