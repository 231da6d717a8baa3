// Composition of content and data (issue #19): the output classifier and the C2PA signer (adapters, started on
// first use), the worker's output checks and provenance step, the reference check at submit, the review queue,
// retention, export and erasure. container.ts calls this; it is the only place these adapters are made.
import path from 'node:path';
import type { MediaBinaries } from '@mediagen/binaries';
import type { Logger } from 'pino';
import { createNsfwjsClassifier } from '#adapters/classifier/nsfwjs-classifier.ts';
import { createC2paProvenanceSigner, loadC2paCredentials } from '#adapters/provenance/c2pa-provenance-signer.ts';
import { PRE_MIGRATION_DIR } from '#adapters/store/data-dir-backup.ts';
import { backupIfMigrationsPending } from '#adapters/store/sqlite-backup.ts';
import { AppError } from '#domain/app-error.ts';
import { applicableRules, isExplicit, type OutputThresholds } from '#domain/output-policy.ts';
import { taskEventFor } from '#domain/task-lifecycle.ts';
import type { FileStore } from '#ports/file-store.ts';
import type { MediaTools } from '#ports/media-tools.ts';
import type { OutputClassifier } from '#ports/output-classifier.ts';
import type { ProvenanceSigner } from '#ports/provenance.ts';
import type { Store } from '#ports/store.ts';
import type { TaskEventBus } from '#ports/task-event-bus.ts';
import { AccountDataService } from '#services/account-data.service.ts';
import type { AuditService } from '#services/audit.service.ts';
import { ContentService } from '#services/content.service.ts';
import type { TasksService } from '#services/tasks.service.ts';
import { OutputCheck } from '#worker/output-check.ts';
import { generationResult } from '#worker/output-processing.ts';
import { outputProvenance } from '#worker/output-provenance.ts';
import { Retention } from '#worker/retention.ts';
import type { Config } from './config.ts';

export interface ContentOverrides {
  /** a fake of the classifier port (rule tests score chosen outputs explicit) */
  classifier?: OutputClassifier;
  /** a signer of the provenance port; null: outputs are not signed */
  provenance?: ProvenanceSigner | null;
}

export interface ContentWiringDeps {
  config: Config;
  log: Logger;
  store: Store;
  files: FileStore;
  media: MediaTools;
  mediaBinaries: MediaBinaries;
  audit: AuditService;
  /** the prompt policy's minor indicator */
  policy: { mentionsMinor(prompt: string): boolean };
  bus: Pick<TaskEventBus, 'publish'>;
  /** made after this wiring (erasure cancels the user's jobs through it) */
  tasks: () => Pick<TasksService, 'cancel'>;
  version: string;
  now: () => number;
}

export interface ContentWiring {
  /** the worker's steps (JobRunner deps) */
  outputCheck: OutputCheck;
  provenance: ReturnType<typeof outputProvenance> | undefined;
  /** the submit-time check of reference images (GenerationService) */
  checkReferences(prompt: string, images: () => Promise<Buffer[]>): Promise<void>;
  content: ContentService;
  accountData: AccountDataService;
  retention: Retention;
  close(): Promise<void>;
}

/** Makes an adapter on first use and remembers it (a gateway that never needs the classifier never loads it). */
function lazy<T>(make: () => T): { get(): T; made(): T | undefined } {
  let v: T | undefined;
  return { get: () => (v ??= make()), made: () => v };
}

/** At start, before the store migrates: an existing database with migrations to run is copied to DATA_DIR/backups. */
export async function copyDatabaseBeforeMigrations(config: Config, log: Logger): Promise<void> {
  const copy = await backupIfMigrationsPending(config.databaseFile, path.join(config.dataDir, PRE_MIGRATION_DIR));
  if (copy) log.warn({ file: copy.file, schemaVersion: copy.schemaVersion }, 'database copied before migrating');
}

export async function createContentWiring(
  d: ContentWiringDeps,
  overrides: ContentOverrides = {},
): Promise<ContentWiring> {
  const { config } = d;
  const mentionsMinor = (prompt: string): boolean => d.policy.mentionsMinor(prompt);
  const thresholds: OutputThresholds = {
    porn: config.OUTPUT_THRESHOLD,
    hentai: config.OUTPUT_THRESHOLD,
    sexy: config.OUTPUT_THRESHOLD,
    combined: config.OUTPUT_COMBINED_THRESHOLD,
  };
  const classifier = lazy<OutputClassifier>(
    () =>
      overrides.classifier ??
      createNsfwjsClassifier({ ffmpegPath: d.mediaBinaries.ffmpeg.path, ffprobePath: d.mediaBinaries.ffprobe.path }),
  );
  let signer: ReturnType<typeof lazy<ProvenanceSigner>> | undefined;
  if (overrides.provenance !== undefined) {
    const given = overrides.provenance;
    signer = given ? lazy(() => given) : undefined;
  } else if (config.C2PA_SIGN) {
    // made (or reused) now: a bad C2PA_CERT/C2PA_KEY is a start-up error, not an unsigned output later
    const credentials = await loadC2paCredentials({
      certPath: config.C2PA_CERT,
      keyPath: config.C2PA_KEY,
      dataDir: config.dataDir,
    });
    signer = lazy(() => createC2paProvenanceSigner(credentials));
  }
  const outputCheck = new OutputCheck({
    store: d.store,
    files: d.files,
    media: d.media,
    classifier: () => classifier.get(),
    mode: config.OUTPUT_CHECK,
    thresholds,
    mentionsMinor,
    now: d.now,
    audit: (e) => d.audit.record({ actor: 'worker', action: e.action, target: e.target, status: 0, ip: null }),
    log: d.log.child({ component: 'output-check' }),
  });
  const provenance = signer
    ? outputProvenance({
        signer: () => (signer as { get(): ProvenanceSigner }).get(),
        files: d.files,
        version: d.version,
        now: d.now,
        log: d.log.child({ component: 'provenance' }),
      })
    : undefined;

  return {
    outputCheck,
    provenance,
    async checkReferences(prompt, images) {
      const ctx = { mode: config.OUTPUT_CHECK, minorIndicator: mentionsMinor(prompt), userSfw: false };
      // an explicit reference is refused only together with a minor indicator
      if (!applicableRules(ctx).includes('minor+explicit')) return;
      for (const image of await images()) {
        const scores = await classifier.get().classifyImage(image);
        if (isExplicit(scores, thresholds)) {
          d.log.warn({ rule: 'minor+explicit' }, 'reference image refused by the content policy');
          throw new AppError('reference_policy_violation', 'A reference image was refused by the content policy');
        }
      }
    },
    content: new ContentService({
      store: d.store,
      files: d.files,
      media: d.media,
      publish: (t) => d.bus.publish(t.ownerId, taskEventFor(t)),
      mode: config.OUTPUT_CHECK,
      retentionDays: config.RETENTION_DAYS,
      resultOf: (task, assets) =>
        generationResult(
          task,
          assets,
          {
            inferenceSeconds: ((task.finishedAt ?? 0) - (task.startedAt ?? 0)) / 1000,
            gpuSeconds: (task.gpuMs ?? 0) / 1000,
            queueSeconds: ((task.startedAt ?? task.createdAt) - task.createdAt) / 1000,
            backend: 'released from review',
          },
          config.PUBLIC_BASE_URL,
        ),
      now: d.now,
    }),
    accountData: new AccountDataService({
      store: d.store,
      files: d.files,
      cancelActive: async (ownerId) => {
        const active = await d.store.tasks.list({ ownerId, statuses: ['queued', 'running'], limit: 100_000 });
        for (const t of active)
          await d
            .tasks()
            .cancel(ownerId, t.id)
            .catch(() => undefined);
      },
      audit: (e) => d.audit.record({ ...e, status: 200, ip: null }),
      now: d.now,
    }),
    retention: new Retention({ store: d.store, files: d.files, days: config.RETENTION_DAYS, now: d.now }),
    async close() {
      await classifier.made()?.close();
      await signer?.made()?.close();
    },
  };
}
