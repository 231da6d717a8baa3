import type { ModelReadiness } from './engine.ts';
import type {
  AccountStatus,
  GenerationResult,
  Lane,
  ModelId,
  ResolvedGeneration,
  TaskStage,
  TaskStatus,
} from '@mediagen/contract';
import type { ContentStore } from './content-store.ts';
import type { LoraStore } from './lora-store.ts';
import type { WebhookStore } from './webhook-store.ts';

export interface TaskRecord {
  id: string;
  ownerId: string;
  status: TaskStatus;
  stage: TaskStage;
  progress: number;
  params: ResolvedGeneration;
  estimatedSeconds: number;
  accountId: string | null;
  promptId: string | null;
  attempts: number;
  error: string | null;
  errorCode: string | null;
  retriable: boolean | null;
  result: GenerationResult | null;
  createdAt: number;
  updatedAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  gpuMs: number | null;
  /** gallery star (read from the store; absent on a task not yet stored) */
  starred?: boolean;
  /** in the trash since (restorable until purged) */
  trashedAt?: number | null;
  /** an admin moved it to the front: higher runs first */
  priority?: number;
}

export interface AssetRecord {
  id: string;
  ownerId: string;
  taskId: string | null;
  kind: 'upload' | 'output' | 'thumbnail';
  idx: number;
  path: string;
  mime: string;
  width: number | null;
  height: number | null;
  bytes: number;
  createdAt: number;
}

export interface UserRecord {
  id: string;
  name: string;
  keyHash: string | null;
  credits: number | null;
  createdAt: number;
  deletedAt: number | null;
}

export interface SessionRecord {
  tokenHash: string;
  kind: 'user' | 'admin';
  userId: string | null;
  expiresAt: number;
  createdAt: number;
}

export interface AccountRecord {
  id: string;
  name: string;
  baseUrl: string;
  lane: Lane;
  models: ModelId[];
  authToken: string | null;
  status: AccountStatus;
  statusReason: string | null;
  vramTotal: number | null;
  vramFree: number | null;
  lastCheckedAt: number | null;
  createdAt: number;
  /** the last health check's verdict per model (null before the first check) */
  readiness: ModelReadiness[] | null;
  /** what works but degrades the service (e.g. previews off), from the last health check */
  warnings: string[];
  /** the LoRA files (models/loras) the backend listed at its last health check */
  loras: string[];
}

export type CreditKind = 'grant' | 'reserve' | 'release' | 'charge';

export interface CreditEntry {
  id: number;
  userId: string;
  taskId: string | null;
  kind: CreditKind;
  amount: number;
  balanceAfter: number;
  createdAt: number;
}

export interface AuditEntry {
  id: number;
  at: number;
  actor: string;
  action: string;
  target: string | null;
  status: number;
  ip: string | null;
}

export interface QueuedSummary {
  id: string;
  ownerId: string;
  model: ModelId;
  type: 'image' | 'video';
  createdAt: number;
  priority?: number;
  estimatedSeconds?: number;
  /** the LoRA files the job needs on its backend (absent: none) */
  loraFiles?: string[];
}

export interface QueuedFilter {
  type: 'image' | 'video';
  createdBefore: number;
}

export interface PromptRecord {
  id: string;
  ownerId: string;
  prompt: string;
  negativePrompt: string;
  uses: number;
  lastUsedAt: number;
}

export interface PresetRecord {
  id: string;
  ownerId: string;
  name: string;
  params: Record<string, unknown>;
  createdAt: number;
  updatedAt: number;
}

export interface TaskListQuery {
  ownerId: string;
  statuses: TaskStatus[];
  type?: string;
  model?: string;
  before?: { createdAt: number; id: string };
  limit: number;
  /** every word must appear in the prompt (case-insensitive) */
  words?: string[];
  createdFrom?: number;
  createdTo?: number;
  starred?: boolean;
  /** true: only tasks in the trash; default: only tasks not in it */
  trashed?: boolean;
  /** only tasks that used this LoRA (catalog name) */
  lora?: string;
}

export interface TaskUpdate {
  status?: TaskStatus;
  stage?: TaskStage;
  progress?: number;
  accountId?: string | null;
  promptId?: string | null;
  attempts?: number;
  error?: string | null;
  errorCode?: string | null;
  retriable?: boolean | null;
  result?: GenerationResult | null;
  startedAt?: number | null;
  finishedAt?: number | null;
  gpuMs?: number | null;
  params?: ResolvedGeneration;
}

export interface AcceptTask {
  task: TaskRecord;
  idempotency?: { key: string; requestHash: string };
  /** credits to hold for the task (users with an unlimited, null balance hold nothing) */
  reserveCredits?: number;
  /** reference images written for this task: their rows land with it or not at all */
  assets?: AssetRecord[];
  /**
   * admission's queue bounds, checked again inside the transaction: concurrent requests (on any gateway) that all
   * passed the check before it cannot together take the queue past them
   */
  bounds?: QueueBounds;
}

/** Exclusive upper bounds on queued jobs at the moment of the insert. */
export interface QueueBounds {
  ofOwner: number;
  /** queued jobs of the task's type */
  ofType: number;
  /** degraded mode: queued video jobs */
  waitingVideo?: number;
}

export type AcceptResult =
  | { ok: true }
  | { ok: false; reason: 'queue_bound'; ownerQueued: number; queuedOfType: number; waitingVideo: number }
  | { ok: false; reason: 'duplicate'; taskId: string; requestHash: string }
  | { ok: false; reason: 'insufficient_credits'; balance: number };

/**
 * Durable state. Every write is committed (durable) before its promise resolves; compare-and-set
 * updates (`expectStatus`) make concurrent writers — other gateways included — safe.
 */
export interface Store {
  tasks: {
    /** the task, its idempotency key, credit hold and reference assets in one transaction */
    insert(a: AcceptTask): Promise<AcceptResult>;
    get(id: string): Promise<TaskRecord | undefined>;
    /** false when the task is gone or (with expectStatus) no longer in that status */
    update(id: string, patch: TaskUpdate, expectStatus?: TaskStatus): Promise<boolean>;
    /** a running task's progress (false once it no longer runs); it may skip the fsync: a crash loses only the report */
    recordProgress(id: string, progress: number, stage: TaskStage): Promise<boolean>;
    delete(id: string): Promise<void>;
    list(q: TaskListQuery): Promise<TaskRecord[]>;
    byStatus(statuses: TaskStatus[]): Promise<TaskRecord[]>;
    queuePosition(id: string): Promise<number>;
    countQueued(): Promise<number>;
    /** queued tasks of one owner (the per-user share of the queue) */
    countQueuedOf(ownerId: string): Promise<number>;
    /** compact rows of tasks that ended since a time (usage stats; endings a gateway's listener missed) */
    finishedSince(since: number): Promise<
      Array<{
        id: string;
        ownerId: string;
        model: string;
        status: 'completed' | 'failed' | 'cancelled';
        createdAt: number;
        startedAt: number | null;
        finishedAt: number;
        gpuMs: number | null;
      }>
    >;
    /**
     * the scheduler's view of the queue, without the parameters; `filter` narrows it to one type's jobs created
     * before a time (an index range: expiry looks at old jobs every second without reading the whole queue)
     */
    queuedSummaries(filter?: QueuedFilter): Promise<QueuedSummary[]>;
    /** cheap counters for admission: all queued, queued video, the oldest queued video's creation time */
    queueStats(): Promise<{ queued: number; waitingVideo: number; oldestVideoCreatedAt: number | null }>;
    findIdempotent(ownerId: string, key: string): Promise<{ taskId: string; requestHash: string } | undefined>;
    /** seconds per work unit measured on finished jobs of a model (for estimates) */
    measuredSecondsPerUnit(model: ModelId): Promise<number | undefined>;
    recordDuration(model: ModelId, units: number, seconds: number): Promise<void>;
    setStarred(id: string, starred: boolean): Promise<void>;
    /** move the owner's tasks to the trash (at) or out of it (null); the ids that changed */
    setTrashed(ownerId: string, ids: readonly string[], at: number | null): Promise<string[]>;
    /** ids of tasks in the trash since before a time (to purge) */
    trashedBefore(at: number): Promise<string[]>;
    /** move a queued task to the front: a priority above every other queued task */
    moveToFront(id: string): Promise<boolean>;
  };
  prompts: {
    /** remember prompts in one transaction (used again: counted and moved to the top); keeps the newest `keep` per owner */
    record(
      prompts: ReadonlyArray<{ id: string; ownerId: string; prompt: string; negativePrompt: string; at: number }>,
      keep: number,
    ): Promise<void>;
    list(ownerId: string, words: readonly string[], limit: number): Promise<PromptRecord[]>;
    delete(ownerId: string, id: string): Promise<boolean>;
  };
  presets: {
    list(ownerId: string): Promise<PresetRecord[]>;
    /** insert, or replace the owner's preset of the same name (keeping its id) */
    save(p: PresetRecord): Promise<PresetRecord>;
    delete(ownerId: string, id: string): Promise<boolean>;
  };
  assets: {
    insert(asset: AssetRecord): Promise<void>;
    get(id: string): Promise<AssetRecord | undefined>;
    ofTask(taskId: string): Promise<AssetRecord[]>;
    deleteOfTask(taskId: string): Promise<void>;
    /** these rows only (not their files) */
    deleteIds(ids: readonly string[]): Promise<void>;
    /** bytes of every file an owner has stored (uploads, outputs, thumbnails) */
    bytesOfOwner(ownerId: string): Promise<number>;
  };
  users: {
    insert(user: UserRecord): Promise<void>;
    get(id: string): Promise<UserRecord | undefined>;
    byKeyHash(hash: string): Promise<UserRecord | undefined>;
    list(): Promise<UserRecord[]>;
    markDeleted(id: string, at: number): Promise<void>;
    /** a new access key (hash); the old one stops working */
    setKeyHash(id: string, keyHash: string): Promise<void>;
  };
  sessions: {
    insert(s: SessionRecord): Promise<void>;
    get(tokenHash: string): Promise<SessionRecord | undefined>;
    delete(tokenHash: string): Promise<void>;
    deleteOfUser(userId: string): Promise<void>;
    purgeExpired(now: number): Promise<void>;
  };
  accounts: {
    insert(a: AccountRecord): Promise<void>;
    get(id: string): Promise<AccountRecord | undefined>;
    list(): Promise<AccountRecord[]>;
    /** false when the account is gone or (with expectStatus) no longer in that status */
    update(
      id: string,
      patch: Partial<Omit<AccountRecord, 'id' | 'createdAt'>>,
      expectStatus?: AccountStatus,
    ): Promise<boolean>;
    delete(id: string): Promise<void>;
  };
  credits: {
    /** append an entry and move the balance, atomically; a negative result is refused unless allowed */
    apply(
      e: { userId: string; taskId: string | null; kind: CreditKind; amount: number; at: number },
      allowNegative?: boolean,
    ): Promise<{ ok: boolean; balance: number | null }>;
    /** reservations not yet released or charged (for reconciliation after a crash) */
    open(): Promise<Array<{ taskId: string; userId: string; reserved: number }>>;
    reservedFor(taskId: string): Promise<{ userId: string; reserved: number; settled: boolean } | undefined>;
    ledger(userId: string, limit: number): Promise<CreditEntry[]>;
  };
  audit: {
    append(e: Omit<AuditEntry, 'id'>): Promise<void>;
    list(limit: number): Promise<AuditEntry[]>;
  };
  /** signing secrets, subscriptions, the delivery outbox and its log (ports/webhook-store.ts) */
  webhooks: WebhookStore;
  /** content settings, quarantine, storage totals, retention and erasure (ports/content-store.ts) */
  content: ContentStore;
  /** the operator's LoRA catalog (ports/lora-store.ts) */
  loras: LoraStore;
  settings: {
    get(key: string): Promise<string | undefined>;
    set(key: string, value: string): Promise<void>;
  };
  close(): Promise<void>;
}
