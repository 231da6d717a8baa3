import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { createDiskFileStore } from '#adapters/files/disk-file-store.ts';
import { createMediaTools } from '#adapters/media/media-tools.ts';
import { startSimulatorProcess, type SimulatorProcess } from '#adapters/simulator/simulator-process.ts';
import { openSqliteStore } from '#adapters/store/sqlite-store.ts';
import { admit, laneAccounts } from '#domain/admission.ts';
import { AppError } from '#domain/app-error.ts';
import { PromptPolicy, mergeTerms, policyUserAction, type PolicyTerms } from '#domain/prompt-policy/index.ts';
import { createMetrics } from '#http/metrics.ts';
import type { Engine } from '#ports/engine.ts';
import type { MediaTools } from '#ports/media-tools.ts';
import { AccountsService } from '#services/accounts.service.ts';
import type { AppServices } from '#services/app-services.ts';
import { AuthService } from '#services/auth.service.ts';
import { CreditsService } from '#services/credits.service.ts';
import { GenerationService } from '#services/generation.service.ts';
import { QueueView } from '#services/queue-view.ts';
import { ReferenceImages } from '#services/reference-images.ts';
import { TaskEvents } from '#services/task-events.ts';
import { TasksService } from '#services/tasks.service.ts';
import { UsersService } from '#services/users.service.ts';
import { HealthMonitor } from '#worker/health-monitor.ts';
import { JobRunner } from '#worker/job-runner.ts';
import type { Config } from './config.ts';

export const VERSION = '0.1.0';
export const WEB_DIST = fileURLToPath(new URL('../../web/dist', import.meta.url));

export interface Container {
  services: AppServices;
  runner: JobRunner;
  health: HealthMonitor;
  simulator?: SimulatorProcess;
  adminKey: { value: string; generated: boolean };
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface ContainerOverrides {
  engine?: Engine;
  media?: MediaTools;
  /** skip spawning the simulator even when no COMFYUI_URLS are set (tests that bring their own) */
  noSimulator?: boolean;
  healthReadyMs?: number;
}

const DEFAULT_TERMS = fileURLToPath(new URL('../policy/terms.json', import.meta.url));

function loadPolicyTerms(extraFile: string | undefined): PolicyTerms {
  const base = JSON.parse(fs.readFileSync(DEFAULT_TERMS, 'utf8')) as PolicyTerms;
  if (!extraFile) return base;
  return mergeTerms(base, JSON.parse(fs.readFileSync(extraFile, 'utf8')) as Partial<PolicyTerms>);
}

function loadAdminKey(config: Config): { value: string; generated: boolean } {
  if (config.ADMIN_KEY) return { value: config.ADMIN_KEY, generated: false };
  const file = path.join(config.dataDir, 'admin.key');
  if (fs.existsSync(file)) return { value: fs.readFileSync(file, 'utf8').trim(), generated: false };
  const value = crypto.randomBytes(24).toString('base64url');
  fs.mkdirSync(config.dataDir, { recursive: true });
  fs.writeFileSync(file, `${value}\n`, { mode: 0o600 });
  return { value, generated: true };
}

/** Composition root: the only place adapters are created and wired to services. */
export async function createContainer(
  config: Config,
  log: Logger,
  overrides: ContainerOverrides = {},
): Promise<Container> {
  const now = (): number => Date.now();
  fs.mkdirSync(config.dataDir, { recursive: true });
  const store = openSqliteStore(config.databaseFile, now);
  const files = createDiskFileStore(config.dataDir);
  const media = overrides.media ?? createMediaTools({});
  const engine =
    overrides.engine ??
    (await import('#adapters/engines/comfyui/comfyui-engine.ts')).createComfyUiEngine({
      ...(config.WORKFLOWS_DIR ? { workflowsDir: config.WORKFLOWS_DIR } : {}),
      logger: log.child({ component: 'comfyui' }),
    });
  const events = new TaskEvents();
  const policy = new PromptPolicy(loadPolicyTerms(config.POLICY_TERMS_FILE));
  const admissionLimits = {
    maxQueue: config.MAX_QUEUE,
    degradedMaxWaiting: config.DEGRADED_MAX_WAITING,
    degradedMaxWaitMs: config.DEGRADED_MAX_WAIT_SECONDS * 1000,
  };
  const adminKey = loadAdminKey(config);
  const auth = new AuthService({ store, authMode: config.AUTH_MODE, adminKey: adminKey.value, now });
  let runner: JobRunner | undefined;
  const accounts = new AccountsService({
    store,
    engine,
    now,
    onReady: () => runner?.wake(),
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
  runner = new JobRunner({
    store,
    files,
    media,
    engine,
    accounts,
    images,
    events,
    now,
    log: log.child({ component: 'worker' }),
    retryLimit: config.RETRY_LIMIT,
    degradedMaxWaitMs: admissionLimits.degradedMaxWaitMs,
    ...(config.PUBLIC_BASE_URL ? { publicBaseUrl: config.PUBLIC_BASE_URL } : {}),
  });
  const jobRunner = runner;
  const credits = new CreditsService({
    store,
    enabled: config.CREDITS_ENABLED,
    now,
    log: log.child({ component: 'credits' }),
  });
  credits.attach(events);
  const tasks = new TasksService({ store, files, events, runner: jobRunner, now });
  const generation = new GenerationService({
    store,
    engine,
    images,
    sizes: config.ALLOWED_SIZES,
    now,
    onAccepted: () => jobRunner.wake(),
    ...(config.CREDITS_ENABLED ? { credits } : {}),
    screen: (ownerId, params) => {
      const verdict = policy.check(params.prompt, params.negative_prompt);
      if (verdict.allowed) return;
      // the rule and the user, never the prompt
      log.warn({ userId: ownerId, rule: verdict.rule }, 'prompt refused by policy');
      throw new AppError(
        'prompt_policy_violation',
        'This prompt is refused: content that sexualises minors is not allowed',
        [{ path: 'prompt', message: 'violates the content policy' }],
        { userAction: policyUserAction(verdict.categories ?? [], 'en') },
      );
    },
    admit: (params) => {
      const q = store.tasks.queueStats();
      const decision = admit({
        type: params.type,
        model: params.model,
        accounts: laneAccounts(accounts.list()),
        queued: q.queued,
        waitingVideo: q.waitingVideo,
        oldestVideoWaitMs: q.oldestVideoCreatedAt === null ? 0 : now() - q.oldestVideoCreatedAt,
        limits: admissionLimits,
      });
      if (!decision.ok)
        throw new AppError(decision.code, decision.reason, undefined, {
          retryAfterSeconds: decision.retryAfterSeconds,
          userAction: 'Retry later.',
        });
    },
  });
  const metrics = createMetrics(
    () => store.tasks.countQueued(),
    () => jobRunner.runningCount(),
  );
  events.subscribeAll((e) => metrics.onTaskEvent(e));
  const services: AppServices = {
    config,
    store,
    files,
    events,
    auth,
    generation,
    tasks,
    accounts,
    images,
    users: new UsersService({ store, now, credits, creditsEnabled: config.CREDITS_ENABLED }),
    credits,
    queue: new QueueView({ store, accounts }),
    metricsText: () => metrics.text(),
    metricsContentType: metrics.contentType,
    onRequestTimed: (route, method, status, seconds) => metrics.observeHttp(route, method, status, seconds),
    version: VERSION,
  };
  const health = new HealthMonitor({
    accounts,
    now,
    ...(overrides.healthReadyMs ? { readyMs: overrides.healthReadyMs } : {}),
  });
  const container: Container = {
    services,
    runner: jobRunner,
    health,
    adminKey,
    async start() {
      if (config.simulated && !overrides.noSimulator) {
        container.simulator = await startSimulatorProcess({ gpus: 2, timeScale: config.SIM_TIME_SCALE });
        registerSimulatorAccounts(store, container.simulator.urls, now);
        log.warn(
          { urls: container.simulator.urls },
          'no COMFYUI_URLS configured: running on the ComfyUI simulator (synthetic outputs)',
        );
      } else if (config.COMFYUI_URLS.length > 0 && store.accounts.list().length === 0) {
        for (const [i, url] of config.COMFYUI_URLS.entries()) {
          store.accounts.insert({
            id: crypto.randomUUID(),
            name: `comfyui-${i + 1}`,
            baseUrl: url.replace(/\/$/, ''),
            lane: 'shared',
            models: ['anisora', 'phr00t', 'pony', 'flux'],
            authToken: null,
            status: 'pending',
            statusReason: 'from COMFYUI_URLS; waiting for the first health check',
            vramTotal: null,
            vramFree: null,
            lastCheckedAt: null,
            createdAt: now(),
          });
        }
      }
      jobRunner.start();
      health.start();
    },
    async stop() {
      health.stop();
      await jobRunner.stop();
      await engine.close();
      await container.simulator?.stop();
      store.close();
    },
  };
  return container;
}

/** npm start without a backend: a `video` lane (anisora, phr00t) and an `image` lane (pony, flux) on the simulator's two GPUs. */
function registerSimulatorAccounts(store: ReturnType<typeof openSqliteStore>, urls: string[], now: () => number): void {
  const lanes = [
    {
      key: 'sim.video',
      name: 'Simulated GPU 1 (video)',
      lane: 'video' as const,
      models: ['anisora', 'phr00t'] as const,
    },
    { key: 'sim.image', name: 'Simulated GPU 2 (image)', lane: 'image' as const, models: ['pony', 'flux'] as const },
  ];
  for (const [i, spec] of lanes.entries()) {
    const url = urls[i];
    if (!url) continue;
    const id = store.settings.get(spec.key);
    const existing = id ? store.accounts.get(id) : undefined;
    if (existing) {
      store.accounts.update(existing.id, { baseUrl: url });
      continue;
    }
    const newId = crypto.randomUUID();
    store.accounts.insert({
      id: newId,
      name: spec.name,
      baseUrl: url,
      lane: spec.lane,
      models: [...spec.models],
      authToken: null,
      status: 'pending',
      statusReason: 'simulator started; waiting for the first health check',
      vramTotal: null,
      vramFree: null,
      lastCheckedAt: null,
      createdAt: now(),
    });
    store.settings.set(spec.key, newId);
  }
}
