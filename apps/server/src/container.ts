import crypto from 'node:crypto';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { resolveMediaBinaries, type MediaBinaries } from '@mediagen/binaries';
import type { Logger } from 'pino';
import { createMediaTools } from '#adapters/media/media-tools.ts';
import { startSimulatorProcess, type SimulatorProcess } from '#adapters/simulator/simulator-process.ts';
import { PromptPolicy, policyUserAction } from '#domain/prompt-policy/index.ts';
import { createMetrics } from '#http/metrics.ts';
import type { Engine } from '#ports/engine.ts';
import type { FileStore } from '#ports/file-store.ts';
import type { MediaTools } from '#ports/media-tools.ts';
import type { SharedWindowCounter } from '#ports/rate-counter.ts';
import type { HostResolver, WebhookTransport } from '#ports/webhook-transport.ts';
import { composeLoraLibrary } from './compose-loras.ts';
import { AccountsService } from '#services/accounts.service.ts';
import { AdminQueueService } from '#services/admin-queue.service.ts';
import type { AppServices } from '#services/app-services.ts';
import { AuditService } from '#services/audit.service.ts';
import { AuthService } from '#services/auth.service.ts';
import { AvailabilityService } from '#services/availability.service.ts';
import { CreditsService } from '#services/credits.service.ts';
import { GalleryService } from '#services/gallery.service.ts';
import { GenerationService } from '#services/generation.service.ts';
import { LaneControl } from '#services/lane-control.ts';
import { LiveProgress } from '#services/live-progress.ts';
import { MyTasksService } from '#services/my-tasks.service.ts';
import { PresetsService } from '#services/presets.service.ts';
import { PromptHistoryService } from '#services/prompt-history.service.ts';
import { QueueEstimator } from '#services/queue-estimates.ts';
import { QueueView } from '#services/queue-view.ts';
import { RunningTaskControl } from '#services/running-task-control.ts';
import { ReferenceImages } from '#services/reference-images.ts';
import { SessionsService } from '#services/sessions.service.ts';
import { StatsService } from '#services/stats.service.ts';
import { StorageHealth } from '#services/storage-health.ts';
import { SystemService } from '#services/system.service.ts';
import { TaskLifecycle } from '#services/task-lifecycle.ts';
import { TasksService } from '#services/tasks.service.ts';
import { UsersService } from '#services/users.service.ts';
import type { AccountClaims } from '#worker/account-claims.ts';
import { HealthMonitor } from '#worker/health-monitor.ts';
import { JobRunner } from '#worker/job-runner.ts';
import { Maintenance } from '#worker/maintenance.ts';
import { createClusterWiring } from './cluster-wiring.ts';
import { openAccountLeases, wireAccountClaims } from './lease-wiring.ts';
import type { Config } from './config.ts';
import { createContentWiring, type ContentOverrides } from './content-wiring.ts';
import { createWebhookWiring } from './webhook-wiring.ts';
import type { WebhookDeliverer } from '#worker/webhook-deliverer.ts';
import { VERSION } from './version.ts';
import {
  loadAdminKey,
  loadPolicyTerms,
  mediaToolVersions,
  openMediaStore,
  openStore,
  registerConfiguredAccounts,
  registerSimulatorAccounts,
} from './container-resources.ts';

export const WEB_DIST = fileURLToPath(new URL('../../web/dist', import.meta.url));

export interface Container {
  services: AppServices;
  runner: JobRunner;
  health: HealthMonitor;
  /** the GPU accounts this gateway instance drives (every one on SQLite; its leases on PostgreSQL, ADR 0011) */
  claims: AccountClaims;
  webhooks: WebhookDeliverer;
  mediaBinaries: MediaBinaries;
  simulator?: SimulatorProcess;
  adminKey: { value: string; generated: boolean };
  /** several gateways: rate-limit windows counted across all of them (buildApp's option) */
  rateCounter?: SharedWindowCounter;
  /** prometheus timing hook for the HTTP layer */
  onRequestTimed: (route: string, method: string, status: number, seconds: number) => void;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface ContainerOverrides {
  engine?: Engine;
  /** the media file store (tests inject a full disk) */
  files?: FileStore;
  media?: MediaTools;
  /** skip spawning the simulator even when no COMFYUI_URLS are set (tests that bring their own) */
  noSimulator?: boolean;
  healthReadyMs?: number;
  /** webhook DNS (tests: a double, so no test ever resolves or reaches a real host) */
  hostResolver?: HostResolver;
  webhookTransport?: WebhookTransport;
  /** the output classifier and the provenance signer (content-wiring.ts) */
  content?: ContentOverrides;
}

/** Composition root: the only place adapters are created and wired to services. */
export async function createContainer(
  config: Config,
  log: Logger,
  overrides: ContainerOverrides = {},
): Promise<Container> {
  const now = (): number => Date.now();
  fs.mkdirSync(config.dataDir, { recursive: true });
  // a missing ffmpeg is a start-up error, not a failed job later
  const mediaBinaries = resolveMediaBinaries();
  const store = await openStore(config, log, now);
  // several gateways on one PostgreSQL: each GPU account is driven by the instance holding its lease (ADR 0011)
  const leases = openAccountLeases(config, crypto.randomUUID(), () => accounts.list().map((a) => a.id));
  const disk = overrides.files ?? openMediaStore(config);
  const storage = new StorageHealth({
    files: disk,
    minFreeBytes: config.MIN_FREE_DISK_MB * 1048576,
    now,
    log: log.child({ component: 'storage' }),
  });
  // every write that fails for lack of space is noted at once (health, 503 storage_full)
  const files = storage.watch(disk);
  const media =
    overrides.media ??
    createMediaTools({ ffmpegPath: mediaBinaries.ffmpeg.path, ffprobePath: mediaBinaries.ffprobe.path });
  const engine =
    overrides.engine ??
    (await import('#adapters/engines/comfyui/comfyui-engine.ts')).createComfyUiEngine({
      ...(config.WORKFLOWS_DIR ? { workflowsDir: config.WORKFLOWS_DIR } : {}),
      variants: config.WORKFLOW_VARIANTS,
      logger: log.child({ component: 'comfyui' }),
    });
  // several gateways on PostgreSQL: events, signals, preview frames and rate limits reach every instance
  const cluster = createClusterWiring(config.postgresUrl, log, store);
  const { bus, signals } = cluster;
  const previews = cluster.previews;
  const live = new LiveProgress(bus);
  const lifecycle = new TaskLifecycle({ store, bus, now });
  const policy = new PromptPolicy(loadPolicyTerms(config.POLICY_TERMS_FILE));
  const adminKey = loadAdminKey(config);
  const auth = new AuthService({ store, authMode: config.AUTH_MODE, adminKey: adminKey.value, now, signals });
  const audit = new AuditService({ store, now });
  const content = await createContentWiring(
    { config, log, store, files, media, mediaBinaries, audit, policy, bus, tasks: () => tasks, version: VERSION, now },
    overrides.content,
  );
  const credits = new CreditsService({
    store,
    enabled: config.CREDITS_ENABLED,
    now,
    log: log.child({ component: 'credits' }),
  });
  lifecycle.onTerminal((t) => credits.settle(t.id, t));
  let wake = (): void => undefined;
  const accounts = new AccountsService({
    store,
    engine,
    now,
    onReady: () => wake(),
    drives: (id) => claims.drives(id),
    onChanged: () => signals.send({ kind: 'accounts-changed' }),
    log: log.child({ component: 'accounts' }),
  });
  const images = new ReferenceImages({
    store,
    files,
    media,
    maxUploadBytes: config.MAX_UPLOAD_MB * 1048576,
    maxPixels: config.MAX_UPLOAD_PIXELS,
    now,
  });
  const lanes = new LaneControl({
    store,
    onResume: () => wake(),
    onChanged: () => signals.send({ kind: 'lanes-changed' }),
  });
  const runner = new JobRunner({
    claims: { drives: (id) => claims.drives(id), mayStart: (id) => claims.mayStart(id) },
    lanePaused: (lane) => lanes.isPaused(lane),
    store,
    files,
    media,
    engine,
    accounts,
    images,
    lifecycle,
    previews,
    now,
    outputCheck: content.outputCheck,
    ...(content.provenance ? { provenance: content.provenance } : {}),
    log: log.child({ component: 'worker' }),
    retryLimit: config.RETRY_LIMIT,
    degradedMaxWaitMs: config.DEGRADED_MAX_WAIT_SECONDS * 1000,
    noBackendMaxWaitMs: config.NO_BACKEND_MAX_WAIT_SECONDS * 1000,
    ...(config.PUBLIC_BASE_URL ? { publicBaseUrl: config.PUBLIC_BASE_URL } : {}),
  });
  wake = () => runner.wake();
  const claims = wireAccountClaims({ config, leases: leases.leases, accounts, runner, lanes, signals, now, log });
  // a running task is cancelled where it runs: here, or by a signal to the gateway that runs it
  const control = new RunningTaskControl({ runner, signals });
  const estimates = new QueueEstimator({ store, bus, accounts, lanes, now });
  const tasks = new TasksService({ store, files, bus, lifecycle, live, previews, runner: control, now, estimates });
  cluster.onResync(() => {
    tasks.forgetCached();
    estimates.changed();
  });
  const prompts = new PromptHistoryService({ store, now, log: log.child({ component: 'prompts' }) });
  const admission = {
    maxQueue: config.MAX_QUEUE,
    maxQueuedPerUser: config.MAX_QUEUED_PER_USER,
    degradedMaxWaiting: config.DEGRADED_MAX_WAITING,
    degradedMaxWaitMs: config.DEGRADED_MAX_WAIT_SECONDS * 1000,
  };
  const { service: webhooks, deliverer } = createWebhookWiring(
    { config, store, lifecycle, tasks, now, log },
    {
      ...(overrides.hostResolver ? { hostResolver: overrides.hostResolver } : {}),
      ...(overrides.webhookTransport ? { webhookTransport: overrides.webhookTransport } : {}),
    },
  );
  const loras = composeLoraLibrary({ store, files, media, accounts, engine, now });
  const generation = new GenerationService({
    loras,
    store,
    bus,
    engine,
    images,
    accounts,
    credits,
    tasks,
    storage,
    ...(config.MAX_USER_STORAGE_MB !== undefined ? { maxUserStorageBytes: config.MAX_USER_STORAGE_MB * 1048576 } : {}),
    policy: {
      check: (prompt, negative) => policy.check(prompt, negative),
      userAction: (categories, lang) => policyUserAction(categories, lang),
    },
    admission,
    checkReferences: (prompt, images) => content.checkReferences(prompt, images),
    sizes: config.ALLOWED_SIZES,
    now,
    log: log.child({ component: 'generation' }),
    onAccepted: (task, hasWebhook) => {
      runner.wake();
      if (hasWebhook) void webhooks.onTransition(task);
      prompts.recordTask(task);
    },
    webhooks,
  });
  const gallery = new GalleryService({
    store,
    files,
    media,
    images,
    tasks,
    now,
    log: log.child({ component: 'gallery' }),
  });
  const metrics = createMetrics(
    () => store.tasks.countQueued(),
    () => runner.runningCount(),
  );
  bus.subscribeAll(({ event, remote }) => {
    if (!remote) metrics.onTaskEvent(event);
  });
  const services: AppServices = {
    auth,
    sessions: new SessionsService({ auth, audit, now }),
    generation,
    tasks,
    accounts,
    users: new UsersService({
      store,
      now,
      credits,
      creditsEnabled: config.CREDITS_ENABLED,
      onKeyChanged: (userId) => auth.forgetUser(userId),
    }),
    queue: new QueueView({ store, accounts, degradedMaxWaiting: config.DEGRADED_MAX_WAITING }),
    stats: new StatsService({ store, now }),
    audit,
    webhooks,
    system: new SystemService({
      store,
      accounts,
      now,
      version: VERSION,
      simulated: config.simulated,
      authMode: config.AUTH_MODE,
      creditsEnabled: config.CREDITS_ENABLED,
      sizes: config.ALLOWED_SIZES,
      maxUploadMb: config.MAX_UPLOAD_MB,
      mediaTools: mediaToolVersions(mediaBinaries),
      metrics,
      ...(config.METRICS_TOKEN ? { metricsToken: config.METRICS_TOKEN } : {}),
      isAdminSession: async (token) => (await auth.adminSession(token)) !== undefined,
      problems: () => {
        const p = storage.problem();
        return p ? [p] : [];
      },
      unsupported: () => engine.unsupportedParams?.() ?? [],
    }),
    myTasks: new MyTasksService({ store, bus, tasks, generation, estimates, now }),
    availability: new AvailabilityService({ store, accounts, limits: admission, now }),
    prompts,
    presets: new PresetsService({ store, now }),
    gallery,
    adminQueue: new AdminQueueService({ store, accounts, lifecycle, runner: control, lanes, estimates, now }),
    content: content.content,
    accountData: content.accountData,
    loras,
  };
  const maintenance = new Maintenance({
    images,
    retention: content.retention,
    log: log.child({ component: 'maintenance' }),
  });
  const health = new HealthMonitor({
    accounts,
    now,
    ...(overrides.healthReadyMs ? { readyMs: overrides.healthReadyMs } : {}),
  });
  const container: Container = {
    services,
    runner,
    health,
    claims,
    webhooks: deliverer,
    mediaBinaries,
    adminKey,
    ...(cluster.rateCounter ? { rateCounter: cluster.rateCounter } : {}),
    onRequestTimed: (route, method, status, seconds) => metrics.observeHttp(route, method, status, seconds),
    async start() {
      await cluster.ready();
      await auth.init();
      if (config.simulated && !overrides.noSimulator) {
        container.simulator = await startSimulatorProcess({ gpus: 2, timeScale: config.SIM_TIME_SCALE });
        await registerSimulatorAccounts(store, container.simulator.urls, now);
        log.warn(
          { urls: container.simulator.urls },
          'no COMFYUI_URLS configured: running on the ComfyUI simulator (synthetic outputs)',
        );
      } else {
        await registerConfiguredAccounts(store, config.COMFYUI_URLS, now);
      }
      await storage.start();
      await maintenance.start();
      await credits.reconcile();
      await lanes.init();
      await accounts.refresh();
      await runner.start();
      // the first heartbeat takes this instance's share of the accounts and adopts their running prompts
      await claims.start();
      await health.start();
      await webhooks.reconcile();
      deliverer.start();
      gallery.startPurging();
    },
    async stop() {
      claims.stop(); // no more accounts taken while stopping; drain() below gives back those held
      health.stop();
      gallery.stop();
      estimates.close();
      await prompts.flush();
      storage.stop();
      maintenance.stop();
      await deliverer.stop();
      await runner.stop();
      // a drain: running prompts stay on their GPUs; the leases go back at once and another gateway re-attaches them
      await runner.settle(5_000);
      await claims.drain();
      await lifecycle.close();
      await engine.close();
      await content.close();
      await container.simulator?.stop();
      live.close();
      tasks.close();
      previews.close();
      control.close();
      accounts.close();
      await cluster.close();
      await store.close();
      await leases.close();
    },
  };
  return container;
}
