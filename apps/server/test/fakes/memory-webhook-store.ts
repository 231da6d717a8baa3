import type { TaskStatus } from '@mediagen/contract';
import type {
  DeliveryAttempt,
  OutboxMessage,
  WebhookAccountRecord,
  WebhookStore,
  WebhookSubscription,
} from '#ports/webhook-store.ts';

const clone = <T>(v: T): T => structuredClone(v);

/** The webhook part of the Store port in memory, with the SQLite adapter's semantics (dedupe, leases, settling). */
export function createMemoryWebhookStore(
  taskStatus: (taskId: string) => Promise<TaskStatus | undefined>,
): WebhookStore & { eraseOwner(ownerId: string): void } {
  const accounts = new Map<string, WebhookAccountRecord>();
  const subscriptions = new Map<string, WebhookSubscription & { settled: boolean }>();
  const outbox = new Map<string, OutboxMessage>();
  const attempts: DeliveryAttempt[] = [];

  const account = (userId: string, at: number): WebhookAccountRecord => {
    let a = accounts.get(userId);
    if (!a) {
      a = {
        userId,
        secret: null,
        secretCreatedAt: null,
        previousSecret: null,
        previousSecretUntil: null,
        defaultUrl: null,
        defaultEvents: ['completed', 'failed', 'cancelled'],
        updatedAt: at,
      };
      accounts.set(userId, a);
    }
    return a;
  };

  return {
    /** erasure: the owner's secret, subscriptions, messages and their delivery log (the memory content store calls it) */
    eraseOwner(ownerId) {
      accounts.delete(ownerId);
      for (const [id, sub] of subscriptions) if (sub.ownerId === ownerId) subscriptions.delete(id);
      const gone = new Set<string>();
      for (const [id, m] of outbox) {
        if (m.ownerId !== ownerId) continue;
        gone.add(id);
        outbox.delete(id);
      }
      for (let i = attempts.length - 1; i >= 0; i--) if (gone.has(attempts[i]?.messageId ?? '')) attempts.splice(i, 1);
    },
    async account(userId) {
      const a = accounts.get(userId);
      return a ? clone(a) : undefined;
    },
    async setSecret(userId, s) {
      Object.assign(account(userId, s.createdAt), {
        secret: s.secret,
        secretCreatedAt: s.createdAt,
        previousSecret: s.previousSecret,
        previousSecretUntil: s.previousSecretUntil,
        updatedAt: s.createdAt,
      });
    },
    async setDefault(userId, d) {
      Object.assign(account(userId, d.at), { defaultUrl: d.url, defaultEvents: [...d.events], updatedAt: d.at });
    },
    async subscribe(s) {
      const prior = subscriptions.get(s.taskId);
      subscriptions.set(s.taskId, {
        ...clone(s),
        createdAt: prior?.createdAt ?? s.createdAt,
        settled: prior?.settled ?? false,
      });
    },
    async subscription(taskId) {
      const s = subscriptions.get(taskId);
      if (!s) return undefined;
      const { settled: _settled, ...rest } = s;
      return clone(rest);
    },
    async enqueue(m, opts = {}) {
      const duplicate = [...outbox.values()].some((x) => x.dedupeKey === m.dedupeKey);
      if (!duplicate) {
        outbox.set(m.id, {
          ...clone(m),
          status: 'pending',
          attempts: 0,
          nextAttemptAt: m.createdAt,
          leaseOwner: null,
          leaseUntil: null,
          lastError: null,
          lastStatus: null,
          finishedAt: null,
        });
      }
      const sub = subscriptions.get(m.taskId);
      if (opts.settles && sub) sub.settled = true;
      return !duplicate;
    },
    async unsettledFinished(limit) {
      const out: WebhookSubscription[] = [];
      for (const s of subscriptions.values()) {
        const status = await taskStatus(s.taskId);
        const final = status === 'completed' || status === 'failed' || status === 'cancelled';
        if (!s.settled && final && s.events.includes(status)) out.push(s);
      }
      return out
        .sort((a, b) => a.createdAt - b.createdAt)
        .slice(0, limit)
        .map((s) => s.taskId);
    },
    async claimDue(at, owner, leaseMs, limit) {
      const due = [...outbox.values()]
        .filter(
          (m) =>
            (m.status === 'pending' && m.nextAttemptAt <= at) || (m.status === 'sending' && (m.leaseUntil ?? 0) <= at),
        )
        .sort((a, b) => a.nextAttemptAt - b.nextAttemptAt)
        .slice(0, limit);
      for (const m of due) Object.assign(m, { status: 'sending', leaseOwner: owner, leaseUntil: at + leaseMs });
      return due.map(clone);
    },
    async recordAttempt(owner, a, next) {
      attempts.push(clone(a));
      const m = outbox.get(a.messageId);
      if (m?.status !== 'sending' || m.leaseOwner !== owner) return false;
      const pending = next.status === 'pending';
      Object.assign(m, {
        status: next.status,
        attempts: a.attempt,
        nextAttemptAt: pending ? next.nextAttemptAt : a.at,
        lastError: next.lastError,
        lastStatus: a.responseStatus,
        finishedAt: pending ? null : a.at,
      });
      return true;
    },
    async nextDueAt() {
      const times = [...outbox.values()].flatMap((m) =>
        m.status === 'pending' ? [m.nextAttemptAt] : m.status === 'sending' ? [m.leaseUntil ?? 0] : [],
      );
      return times.length > 0 ? Math.min(...times) : null;
    },
    async messages({ taskId, status, limit }) {
      return [...outbox.values()]
        .filter((m) => (taskId === undefined || m.taskId === taskId) && (status === undefined || m.status === status))
        .sort((a, b) => b.createdAt - a.createdAt || (b.id < a.id ? -1 : 1))
        .slice(0, limit)
        .map(clone);
    },
    async attempts(ids) {
      return attempts.filter((a) => ids.includes(a.messageId)).map(clone);
    },
  };
}
