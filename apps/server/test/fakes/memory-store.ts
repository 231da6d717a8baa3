import { createMemoryContentStore } from './memory-content-store.ts';
import { createMemoryLoraRepo } from './memory-lora-repo.ts';
import { createMemoryWebhookStore } from './memory-webhook-store.ts';
import { createMemoryPresetRepo, createMemoryPromptRepo } from './memory-workspace-repos.ts';
import type {
  AccountRecord,
  AssetRecord,
  AuditEntry,
  CreditEntry,
  SessionRecord,
  Store,
  UserRecord,
} from '#ports/store.ts';
import { byCreation, createMemoryTaskRepo } from './memory-task-repo.ts';

type CreditInput = { userId: string; taskId: string | null; kind: CreditEntry['kind']; amount: number; at: number };

const clone = <T>(v: T): T => structuredClone(v);

function unique(map: Map<string, unknown>, key: string, what: string): void {
  if (map.has(key)) throw new Error(`UNIQUE constraint failed: ${what} (${key})`);
}

/**
 * The Store port in memory, for unit tests: the SQLite adapter's semantics (compare-and-set updates, the accept
 * transaction with idempotency and credit hold, queue order by creation time then id, an append-only ledger) with
 * no file and no native module. Every read returns a copy, as a database would. The store contract suite
 * (test/store-contract.ts) runs against both.
 */
export function createMemoryStore(opts: { now?: () => number } = {}): Store {
  const now = opts.now ?? Date.now;
  const users = new Map<string, UserRecord>();
  const sessions = new Map<string, SessionRecord>();
  const accounts = new Map<string, AccountRecord>();
  const assets = new Map<string, AssetRecord>();
  const ledger: CreditEntry[] = [];
  const audit: AuditEntry[] = [];
  const settings = new Map<string, string>();

  function applyCredit(e: CreditInput, allowNegative: boolean): { ok: boolean; balance: number | null } {
    const user = users.get(e.userId);
    if (!user) return { ok: false, balance: null };
    const next = (user.credits ?? 0) + e.amount;
    if (next < 0 && !allowNegative) return { ok: false, balance: user.credits };
    user.credits = next;
    ledger.push({
      id: ledger.length + 1,
      userId: e.userId,
      taskId: e.taskId,
      kind: e.kind,
      amount: e.amount,
      balanceAfter: next,
      createdAt: e.at,
    });
    return { ok: true, balance: next };
  }

  /** reservations per task and user, as the SQL adapter's GROUP BY computes them */
  function reservations(taskId?: string): Array<{ taskId: string; userId: string; reserved: number; settled: number }> {
    const groups = new Map<string, { taskId: string; userId: string; reserved: number; settled: number }>();
    for (const e of ledger) {
      if (e.taskId === null || (taskId !== undefined && e.taskId !== taskId)) continue;
      const key = JSON.stringify([e.taskId, e.userId]);
      const g = groups.get(key) ?? { taskId: e.taskId, userId: e.userId, reserved: 0, settled: 0 };
      if (e.kind === 'reserve') g.reserved -= e.amount;
      if (e.kind === 'release' || e.kind === 'charge') g.settled += 1;
      groups.set(key, g);
    }
    return [...groups.values()];
  }

  const webhooks = createMemoryWebhookStore(async (taskId) => (await store.tasks.get(taskId))?.status);
  const store: Store = {
    tasks: createMemoryTaskRepo(
      {
        assets,
        holdCredits: (userId, taskId, amount, at) =>
          applyCredit({ userId, taskId, kind: 'reserve', amount: -amount, at }, false),
        userBalance: (userId) => users.get(userId)?.credits ?? null,
      },
      now,
    ),
    assets: {
      async insert(a) {
        unique(assets, a.id, 'assets.id');
        assets.set(a.id, clone(a));
      },
      async get(id) {
        const a = assets.get(id);
        return a ? clone(a) : undefined;
      },
      async ofTask(taskId) {
        return [...assets.values()]
          .filter((a) => a.taskId === taskId)
          .sort((a, b) => (a.kind === b.kind ? a.idx - b.idx : a.kind < b.kind ? -1 : 1))
          .map(clone);
      },
      async deleteOfTask(taskId) {
        for (const [id, a] of assets) if (a.taskId === taskId) assets.delete(id);
      },
      async deleteIds(ids) {
        for (const id of ids) assets.delete(id);
      },
      async bytesOfOwner(ownerId) {
        return [...assets.values()].filter((a) => a.ownerId === ownerId).reduce((n, a) => n + a.bytes, 0);
      },
    },
    users: {
      async insert(u) {
        unique(users, u.id, 'users.id');
        if (u.keyHash !== null && [...users.values()].some((x) => x.keyHash === u.keyHash)) {
          throw new Error('UNIQUE constraint failed: users.key_hash');
        }
        users.set(u.id, clone(u));
      },
      async get(id) {
        const u = users.get(id);
        return u ? clone(u) : undefined;
      },
      async byKeyHash(hash) {
        const u = [...users.values()].find((x) => x.keyHash === hash && x.deletedAt === null);
        return u ? clone(u) : undefined;
      },
      async list() {
        // a stable sort keeps insertion order among equal creation times, like SQLite's rowid order
        return [...users.values()]
          .filter((u) => u.deletedAt === null)
          .sort((a, b) => a.createdAt - b.createdAt)
          .map(clone);
      },
      async setKeyHash(id, keyHash) {
        const u = users.get(id);
        if (u) u.keyHash = keyHash;
      },
      async markDeleted(id, at) {
        const u = users.get(id);
        if (u) Object.assign(u, { deletedAt: at, keyHash: null });
      },
    },
    sessions: {
      async insert(s) {
        unique(sessions, s.tokenHash, 'sessions.token_hash');
        if (s.userId !== null && !users.has(s.userId))
          throw new Error('FOREIGN KEY constraint failed: sessions.user_id');
        sessions.set(s.tokenHash, clone(s));
      },
      async get(hash) {
        const s = sessions.get(hash);
        return s ? clone(s) : undefined;
      },
      async delete(hash) {
        sessions.delete(hash);
      },
      async deleteOfUser(userId) {
        for (const [k, s] of sessions) if (s.userId === userId) sessions.delete(k);
      },
      async purgeExpired(t) {
        for (const [k, s] of sessions) if (s.expiresAt <= t) sessions.delete(k);
      },
    },
    accounts: {
      async insert(a) {
        unique(accounts, a.id, 'accounts.id');
        accounts.set(a.id, clone(a));
      },
      async get(id) {
        const a = accounts.get(id);
        return a ? clone(a) : undefined;
      },
      async list() {
        return [...accounts.values()].sort(byCreation).map(clone);
      },
      async update(id, patch, expectStatus) {
        const a = accounts.get(id);
        if (!a || (expectStatus && a.status !== expectStatus)) return false;
        for (const [k, v] of Object.entries(patch)) if (v !== undefined) Object.assign(a, { [k]: clone(v) });
        return true;
      },
      async delete(id) {
        accounts.delete(id);
      },
    },
    credits: {
      apply: async (e, allowNegative = false) => applyCredit(e, allowNegative),
      async open() {
        return reservations()
          .filter((g) => g.settled === 0 && g.reserved > 0)
          .map(({ taskId, userId, reserved }) => ({ taskId, userId, reserved }));
      },
      async reservedFor(taskId) {
        const g = reservations(taskId)[0];
        return g ? { userId: g.userId, reserved: g.reserved, settled: g.settled > 0 } : undefined;
      },
      async ledger(userId, limit) {
        return ledger
          .filter((e) => e.userId === userId)
          .reverse()
          .slice(0, limit)
          .map(clone);
      },
    },
    audit: {
      async append(e) {
        audit.push({ id: audit.length + 1, ...e });
      },
      async list(limit) {
        return [...audit].reverse().slice(0, limit).map(clone);
      },
    },
    settings: {
      async get(key) {
        return settings.get(key);
      },
      async set(key, value) {
        settings.set(key, value);
      },
    },
    prompts: createMemoryPromptRepo(),
    presets: createMemoryPresetRepo(),
    webhooks,
    content: createMemoryContentStore({ assets, store: () => store, eraseWebhooks: (o) => webhooks.eraseOwner(o) }),
    loras: createMemoryLoraRepo(),
    async close() {},
  };
  return store;
}
