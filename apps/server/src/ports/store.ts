import type {
  AccountStatus,
  GenerationResult,
  Lane,
  ModelId,
  ResolvedGeneration,
  TaskStage,
  TaskStatus,
} from '@mediagen/contract';

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

export interface TaskListQuery {
  ownerId: string;
  statuses: TaskStatus[];
  type?: string;
  model?: string;
  before?: { createdAt: number; id: string };
  limit: number;
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

/** Durable state. Every write is committed before the call returns. */
export interface Store {
  tasks: {
    insert(task: TaskRecord, idempotency?: { key: string; requestHash: string }): void;
    get(id: string): TaskRecord | undefined;
    update(id: string, patch: TaskUpdate, expectStatus?: TaskStatus): boolean;
    delete(id: string): void;
    list(q: TaskListQuery): TaskRecord[];
    byStatus(statuses: TaskStatus[]): TaskRecord[];
    queuePosition(id: string): number;
    countQueued(): number;
    /** compact rows of tasks that ended since a time (for usage stats) */
    finishedSince(since: number): Array<{
      model: string;
      status: 'completed' | 'failed' | 'cancelled';
      createdAt: number;
      startedAt: number | null;
      finishedAt: number;
      gpuMs: number | null;
    }>;
    /** cheap counters for admission: all queued, queued video, the oldest queued video's creation time */
    /** the scheduler's view of the queue, without the parameters */
    queuedSummaries(): Array<{
      id: string;
      ownerId: string;
      model: ModelId;
      type: 'image' | 'video';
      createdAt: number;
    }>;
    queueStats(): { queued: number; waitingVideo: number; oldestVideoCreatedAt: number | null };
    findIdempotent(ownerId: string, key: string): { taskId: string; requestHash: string } | undefined;
    /** seconds per work unit measured on finished jobs of a model (for estimates) */
    measuredSecondsPerUnit(model: ModelId): number | undefined;
    recordDuration(model: ModelId, units: number, seconds: number): void;
  };
  assets: {
    insert(asset: AssetRecord): void;
    get(id: string): AssetRecord | undefined;
    ofTask(taskId: string): AssetRecord[];
    deleteOfTask(taskId: string): void;
  };
  users: {
    insert(user: UserRecord): void;
    get(id: string): UserRecord | undefined;
    byKeyHash(hash: string): UserRecord | undefined;
    list(): UserRecord[];
    markDeleted(id: string, at: number): void;
    addCredits(id: string, delta: number): number | null;
  };
  sessions: {
    insert(s: SessionRecord): void;
    get(tokenHash: string): SessionRecord | undefined;
    delete(tokenHash: string): void;
    deleteOfUser(userId: string): void;
    purgeExpired(now: number): void;
  };
  accounts: {
    insert(a: AccountRecord): void;
    get(id: string): AccountRecord | undefined;
    list(): AccountRecord[];
    update(id: string, patch: Partial<Omit<AccountRecord, 'id' | 'createdAt'>>): void;
    delete(id: string): void;
  };
  credits: {
    /** append an entry and move the balance, atomically; a negative result is refused unless allowed */
    apply(
      e: { userId: string; taskId: string | null; kind: CreditKind; amount: number; at: number },
      allowNegative?: boolean,
    ): { ok: boolean; balance: number | null };
    /** reservations not yet released or charged (for reconciliation after a crash) */
    open(): Array<{ taskId: string; userId: string; reserved: number }>;
    reservedFor(taskId: string): { userId: string; reserved: number; settled: boolean } | undefined;
    ledger(userId: string, limit: number): CreditEntry[];
  };
  audit: {
    append(e: Omit<AuditEntry, 'id'>): void;
    list(limit: number): AuditEntry[];
  };
  settings: {
    get(key: string): string | undefined;
    set(key: string, value: string): void;
  };
  close(): void;
}
