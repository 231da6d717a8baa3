import { WebhookTargets } from '#services/webhook-targets.ts';
import { WebhooksService } from '#services/webhooks.service.ts';
import { StorageHealth } from '#services/storage-health.ts';
import { DEFAULT_SIZES, type TaskEvent } from '@mediagen/contract';
import { createInProcessTaskBus } from '#adapters/events/in-process-task-bus.ts';
import type { AdmissionLimits } from '#domain/admission.ts';
import type { AccountRecord, Store, UserRecord } from '#ports/store.ts';
import type { TaskEventBus } from '#ports/task-event-bus.ts';
import { AccountsService } from '#services/accounts.service.ts';
import { CreditsService } from '#services/credits.service.ts';
import { GenerationService, type PolicyCategory, type PromptScreen } from '#services/generation.service.ts';
import { LivePreviews } from '#services/live-previews.ts';
import { LiveProgress } from '#services/live-progress.ts';
import { LorasService } from '#services/loras.service.ts';
import { ReferenceImages } from '#services/reference-images.ts';
import type { Lang, UserContext } from '#services/request-context.ts';
import { TaskLifecycle } from '#services/task-lifecycle.ts';
import { TasksService, type TaskRunnerControl } from '#services/tasks.service.ts';
import { accountRecord, userRecord } from '../factories.ts';
import { FakeMediaTools } from './fake-media-tools.ts';
import { ManualClock } from './manual-clock.ts';
import { MemoryFileStore } from './memory-file-store.ts';
import { createMemoryStore } from './memory-store.ts';
import { ScriptedEngine } from './scripted-engine.ts';

/** A logger that keeps what it was told, for assertions (and never prints). */
export class RecordingLog {
  readonly entries: Array<{ level: 'info' | 'warn' | 'error'; fields: object; message: string }> = [];
  info = (fields: object, message: string): void => void this.entries.push({ level: 'info', fields, message });
  warn = (fields: object, message: string): void => void this.entries.push({ level: 'warn', fields, message });
  error = (fields: object, message: string): void => void this.entries.push({ level: 'error', fields, message });
  messages(level?: 'info' | 'warn' | 'error'): string[] {
    return this.entries.filter((e) => !level || e.level === level).map((e) => e.message);
  }
}

/** The prompt policy as a port: refuses any prompt containing FORBIDDEN; the user action names the language and categories. */
export const fakePromptScreen: PromptScreen = {
  check: (prompt) =>
    prompt.includes('FORBIDDEN')
      ? { allowed: false, rule: 'test-rule', categories: ['minor', 'sexual'] as PolicyCategory[] }
      : { allowed: true },
  userAction: (categories, lang) => `${lang}: refused (${categories.join('+')})`,
};

/** Records cancel requests (the role the job runner plays for TasksService). */
export class RecordingRunnerControl implements TaskRunnerControl {
  readonly cancelled: string[] = [];
  running = new Set<string>();
  cancelRunning(taskId: string): boolean {
    this.cancelled.push(taskId);
    return this.running.has(taskId);
  }
}

export interface ServiceKitOptions {
  credits?: boolean;
  admission?: Partial<AdmissionLimits>;
  runner?: TaskRunnerControl;
  /** replaces the memory store (to wrap it, say) */
  store?: (inner: Store) => Store;
}

/**
 * The services of one gateway, built directly on the in-memory fakes (no container, no HTTP, no sockets): what a
 * unit test of a service or the worker starts from. Everything is exposed so a test can drive or inspect it.
 */
export function createServiceKit(opts: ServiceKitOptions = {}) {
  const clock = new ManualClock();
  const now = clock.now;
  const store = opts.store ? opts.store(createMemoryStore({ now })) : createMemoryStore({ now });
  const files = new MemoryFileStore();
  const media = new FakeMediaTools(files);
  const engine = new ScriptedEngine();
  const bus: TaskEventBus = createInProcessTaskBus();
  const events: Array<{ ownerId: string; event: TaskEvent }> = [];
  bus.subscribeAll((e) => events.push(e));
  const log = new RecordingLog();
  const previews = new LivePreviews();
  const live = new LiveProgress(bus);
  const lifecycle = new TaskLifecycle({ store, bus, now });
  const credits = new CreditsService({ store, enabled: opts.credits ?? false, now, log });
  lifecycle.onTerminal((t) => credits.settle(t.id, t));
  const readyCalls: number[] = [];
  const accounts = new AccountsService({ store, engine, now, onReady: () => readyCalls.push(now()), log });
  const images = new ReferenceImages({ store, files, media, maxUploadBytes: 1048576, maxPixels: 4_000_000, now });
  const storage = new StorageHealth({ files, minFreeBytes: 1048576, now, log });
  const runnerControl = opts.runner ?? new RecordingRunnerControl();
  const tasks = new TasksService({ store, files, bus, lifecycle, live, previews, runner: runnerControl, now });
  const accepted: string[] = [];
  const webhooks = new WebhooksService({
    store,
    // names resolve to a documentation address (RFC 5737): refused unless a test allows http and the host
    targets: new WebhookTargets({
      policy: { allowHttp: false, allowedHosts: [] },
      resolver: { lookup: async () => ['192.0.2.10'] },
    }),
    view: (t) => tasks.view(t),
    now,
    newId: () => `msg-${now()}-${Math.random().toString(36).slice(2)}`,
    onQueued: () => undefined,
    log,
  });
  const loras = new LorasService({
    store,
    files,
    media,
    accounts,
    unsupportedParams: () => [],
    now,
  });
  const generation = new GenerationService({
    loras,
    store,
    bus,
    engine,
    images,
    accounts,
    credits,
    tasks,
    policy: fakePromptScreen,
    storage,
    webhooks,
    admission: {
      maxQueue: 10,
      maxQueuedPerUser: 100,
      degradedMaxWaiting: 2,
      degradedMaxWaitMs: 30_000,
      ...opts.admission,
    },
    sizes: DEFAULT_SIZES,
    now,
    log,
    onAccepted: (task) => accepted.push(task.id),
  });

  return {
    clock,
    now,
    store,
    files,
    media,
    engine,
    bus,
    events,
    log,
    previews,
    live,
    lifecycle,
    storage,
    credits,
    accounts,
    readyCalls,
    images,
    runnerControl,
    tasks,
    generation,
    loras,
    accepted,
    /** a user in the store */
    async addUser(overrides: Partial<UserRecord> = {}): Promise<UserRecord> {
      const u = userRecord({ createdAt: now(), ...overrides });
      await store.users.insert(u);
      return u;
    },
    /** an account in the store, seen by AccountsService (ready and serving every model unless told otherwise) */
    async addAccount(overrides: Partial<AccountRecord> = {}): Promise<AccountRecord> {
      const a = accountRecord({ createdAt: now(), ...overrides });
      await store.accounts.insert(a);
      await accounts.refresh();
      return a;
    },
    /** what GenerationService and TasksService get from the HTTP layer */
    context(user: UserRecord, lang: Lang = 'en'): UserContext {
      return {
        requestId: 'req-1',
        ip: '192.0.2.1',
        lang,
        header: () => undefined,
        cookie: () => undefined,
        signal: new AbortController().signal,
        user,
      };
    },
    eventsOf(taskId: string): TaskEvent[] {
      return events.filter((e) => e.event.data.task_id === taskId).map((e) => e.event);
    },
    close(): void {
      live.close();
    },
  };
}

export type ServiceKit = ReturnType<typeof createServiceKit>;
