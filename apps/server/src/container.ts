import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { createComfyUiEngine } from '#adapters/engines/comfyui/comfyui-engine.ts';
import { createDiskFileStore } from '#adapters/files/disk-file-store.ts';
import { createMediaTools } from '#adapters/media/media-tools.ts';
import { startSimulatorProcess, type SimulatorProcess } from '#adapters/simulator/simulator-process.ts';
import { openSqliteStore } from '#adapters/store/sqlite-store.ts';
import { AppError } from '#domain/app-error.ts';
import { createMetrics } from '#http/metrics.ts';
import type { Engine } from '#ports/engine.ts';
import type { MediaTools } from '#ports/media-tools.ts';
import { AccountsService } from '#services/accounts.service.ts';
import type { AppServices } from '#services/app-services.ts';
import { AuthService } from '#services/auth.service.ts';
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
export async function createContainer(config: Config, log: Logger, overrides: ContainerOverrides = {}): Promise<Container> {
  const now = (): number => Date.now();
  fs.mkdirSync(config.dataDir, { recursive: true });
  const store = openSqliteStore(config.databaseFile, now);
  const files = createDiskFileStore(config.dataDir);
  const media = overrides.media ?? createMediaTools({});
  const engine = overrides.engine ?? createComfyUiEngine({ ...(config.WORKFLOWS_DIR ? { workflowsDir: config.WORKFLOWS_DIR } : {}), logger: log.child({ component: 'comfyui' }) });
  const events = new TaskEvents();
  const adminKey = loadAdminKey(config);
  const auth = new AuthService({ store, authMode: config.AUTH_MODE, adminKey: adminKey.value, now });
  let runner: JobRunner | undefined;
  const accounts = new AccountsService({ store, engine, now, onReady: () => runner?.wake(), log: log.child({ component: 'accounts' }) });
  const images = new ReferenceImages({ store, files, media, maxUploadBytes: config.MAX_UPLOAD_MB * 1048576, maxPixels: config.MAX_UPLOAD_PIXELS, now });
  runner = new JobRunner({
    store, files, media, engine, accounts, images, events, now, log: log.child({ component: 'worker' }), retryLimit: config.RETRY_LIMIT,
    ...(config.PUBLIC_BASE_URL ? { publicBaseUrl: config.PUBLIC_BASE_URL } : {}),
  });
  const jobRunner = runner;
  const tasks = new TasksService({ store, files, events, runner: jobRunner, now });
  const generation = new GenerationService({
    store, engine, images, sizes: config.ALLOWED_SIZES, maxQueue: config.MAX_QUEUE, now,
    onAccepted: () => jobRunner.wake(),
    admit: (params) => {
      if (!accounts.servesModel(params.model)) {
        throw new AppError('no_backend_available', `No GPU backend serves ${params.model}`, undefined, { retryAfterSeconds: 60 });
      }
    },
  });
  const metrics = createMetrics(() => store.tasks.countQueued(), () => jobRunner.runningCount());
  events.subscribeAll((e) => metrics.onTaskEvent(e));
  const services: AppServices = {
    config, store, files, events, auth, generation, tasks, accounts, images,
    users: new UsersService({ store, now }),
    queue: new QueueView({ store, accounts }),
    metricsText: () => metrics.text(),
    metricsContentType: metrics.contentType,
    onRequestTimed: (route, method, status, seconds) => metrics.observeHttp(route, method, status, seconds),
    version: VERSION,
  };
  const health = new HealthMonitor({ accounts, now, ...(overrides.healthReadyMs ? { readyMs: overrides.healthReadyMs } : {}) });
  const container: Container = {
    services, runner: jobRunner, health, adminKey,
    async start() {
      if (config.simulated && !overrides.noSimulator) {
        container.simulator = await startSimulatorProcess({ gpus: 2, timeScale: config.SIM_TIME_SCALE });
        registerSimulatorAccounts(store, container.simulator.urls, now);
        log.warn({ urls: container.simulator.urls }, 'no COMFYUI_URLS configured: running on the ComfyUI simulator (synthetic outputs)');
      } else if (config.COMFYUI_URLS.length > 0 && store.accounts.list().length === 0) {
        for (const [i, url] of config.COMFYUI_URLS.entries()) {
          store.accounts.insert({
            id: crypto.randomUUID(), name: `comfyui-${i + 1}`, baseUrl: url.replace(/\/$/, ''), lane: 'shared',
            models: ['anisora', 'phr00t', 'pony', 'flux'], authToken: null, status: 'pending',
            statusReason: 'from COMFYUI_URLS; waiting for the first health check', vramTotal: null, vramFree: null, lastCheckedAt: null, createdAt: now(),
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
    { key: 'sim.video', name: 'Simulated GPU 1 (video)', lane: 'video' as const, models: ['anisora', 'phr00t'] as const },
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
      id: newId, name: spec.name, baseUrl: url, lane: spec.lane, models: [...spec.models], authToken: null, status: 'pending',
      statusReason: 'simulator started; waiting for the first health check', vramTotal: null, vramFree: null, lastCheckedAt: null, createdAt: now(),
    });
    store.settings.set(spec.key, newId);
  }
}
