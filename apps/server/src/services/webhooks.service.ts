import {
  DEFAULT_WEBHOOK_EVENTS,
  zWebhookEvent,
  type GenerateRequest,
  type TaskStatusResponse,
  type WebhookEvent,
  type WebhookLog,
  type WebhookSecretCreated,
  type WebhookSettings,
  type WebhookSettingsUpdate,
} from '@mediagen/contract';
import { AppError, notFound } from '#domain/app-error.ts';
import { isTerminal } from '#domain/task-lifecycle.ts';
import type { Store, TaskRecord } from '#ports/store.ts';
import type { OutboxStatus } from '#ports/webhook-store.ts';
import { json, type JsonReply } from './replies.ts';
import { webhookLogView } from './webhook-log.ts';
import { newWebhookSecret } from './webhook-signing.ts';
import type { WebhookTargets } from './webhook-targets.ts';

/** Where one new task's events go. */
export interface WebhookPlan {
  url: string;
  events: WebhookEvent[];
}

export interface WebhooksDeps {
  store: Store;
  targets: Pick<WebhookTargets, 'refusal'>;
  /** the task's status view: the body of every message */
  view: (t: TaskRecord) => Promise<TaskStatusResponse>;
  now: () => number;
  newId: () => string;
  /** a message was queued (wakes the deliverer) */
  onQueued: () => void;
  log: { error(o: object, m: string): void };
  /** how long a rotated-out secret keeps signing (a second signature) */
  previousSecretGraceMs?: number;
}

const DAY_MS = 86_400_000;
const iso = (t: number | null): string | null => (t === null ? null : new Date(t).toISOString());

function refused(reason: string, path = 'webhook_url'): AppError {
  return new AppError('validation_error', `The webhook target is refused: ${path} ${reason}`, [
    { path, message: reason },
  ]);
}

/**
 * Webhooks of a user's tasks: the signing secret and default target, the subscription a generation makes,
 * and the outbox messages that task transitions queue (delivered by worker/webhook-deliverer.ts).
 */
export class WebhooksService {
  constructor(private readonly d: WebhooksDeps) {}

  /** POST /api/account/webhook-secret: a new secret, shown once; the old one keeps signing for a day. */
  async rotateSecret(userId: string): Promise<JsonReply<WebhookSecretCreated>> {
    const now = this.d.now();
    const current = await this.d.store.webhooks.account(userId);
    const secret = newWebhookSecret();
    const previousUntil = current?.secret ? now + (this.d.previousSecretGraceMs ?? DAY_MS) : null;
    await this.d.store.webhooks.setSecret(userId, {
      secret,
      createdAt: now,
      previousSecret: current?.secret ?? null,
      previousSecretUntil: previousUntil,
    });
    return json(201, {
      secret,
      created_at: new Date(now).toISOString(),
      previous_secret_valid_until: iso(previousUntil),
    });
  }

  /** The secrets that sign a message of this user now (the current one first). */
  async signingSecrets(userId: string): Promise<string[]> {
    const a = await this.d.store.webhooks.account(userId);
    if (!a?.secret) return [];
    const previous =
      a.previousSecret && a.previousSecretUntil !== null && a.previousSecretUntil > this.d.now()
        ? [a.previousSecret]
        : [];
    return [a.secret, ...previous];
  }

  async settings(userId: string): Promise<WebhookSettings> {
    const a = await this.d.store.webhooks.account(userId);
    return {
      url: a?.defaultUrl ?? null,
      events: a?.defaultEvents ?? [...DEFAULT_WEBHOOK_EVENTS],
      secret_created_at: iso(a?.secretCreatedAt ?? null),
    };
  }

  /** PUT /api/account/webhook: the default target is checked as a generation's would be (422). */
  async updateSettings(userId: string, body: WebhookSettingsUpdate): Promise<WebhookSettings> {
    const events = body.events ?? [...DEFAULT_WEBHOOK_EVENTS];
    if (body.url !== null) await this.checkTarget(userId, body.url, 'url');
    await this.d.store.webhooks.setDefault(userId, { url: body.url, events, at: this.d.now() });
    return this.settings(userId);
  }

  /**
   * The webhook of a generation request: its own `webhook_url` (checked now: 422 when refused) or the
   * user's default. Undefined when the task has none.
   */
  async planFor(
    userId: string,
    req: Pick<GenerateRequest, 'webhook_url' | 'webhook_events'>,
  ): Promise<WebhookPlan | undefined> {
    if (req.webhook_url !== undefined) {
      await this.checkTarget(userId, req.webhook_url, 'webhook_url');
      return { url: req.webhook_url, events: req.webhook_events ?? [...DEFAULT_WEBHOOK_EVENTS] };
    }
    const a = await this.d.store.webhooks.account(userId);
    if (a?.defaultUrl) return { url: a.defaultUrl, events: req.webhook_events ?? a.defaultEvents };
    if (req.webhook_events !== undefined) {
      throw refused('needs a webhook_url (or a default webhook in your account)', 'webhook_events');
    }
    return undefined;
  }

  /** Written before the task row, so a task that exists never lacks its subscription. */
  async subscribe(task: TaskRecord, plan: WebhookPlan): Promise<void> {
    await this.d.store.webhooks.subscribe({
      taskId: task.id,
      ownerId: task.ownerId,
      url: plan.url,
      events: plan.events,
      createdAt: this.d.now(),
    });
  }

  /** The task was accepted (its row is committed): the `queued` event. */

  /**
   * A transition this gateway made (TaskLifecycle): queue a message when the task's subscription asks for
   * the event. Never throws (a webhook must not break a job); a final event missed by a crash here is
   * queued by `reconcile()` at the next start.
   */
  async onTransition(task: TaskRecord): Promise<void> {
    try {
      const sub = await this.d.store.webhooks.subscription(task.id);
      if (!sub) return;
      const event = zWebhookEvent.parse(task.status);
      const final = isTerminal(task.status);
      if (!sub.events.includes(event)) return;
      const queued = await this.d.store.webhooks.enqueue(
        {
          id: `msg_${this.d.newId()}`,
          dedupeKey: final ? `${task.id}:final` : `${task.id}:${event}:${task.attempts}`,
          taskId: task.id,
          ownerId: task.ownerId,
          event,
          url: sub.url,
          payload: JSON.stringify(await this.d.view(task)),
          createdAt: this.d.now(),
        },
        { settles: final },
      );
      if (queued) this.d.onQueued();
    } catch (err) {
      this.d.log.error({ err, taskId: task.id }, 'could not queue a webhook message');
    }
  }

  /** Start-up: final events of subscribed tasks that a crash kept out of the outbox. */
  async reconcile(): Promise<number> {
    let n = 0;
    for (const id of await this.d.store.webhooks.unsettledFinished(1000)) {
      const task = await this.d.store.tasks.get(id);
      if (!task) continue;
      await this.onTransition(task);
      n++;
    }
    return n;
  }

  /** GET /api/tasks/:id/webhooks (the owner only; someone else's task is a 404). */
  async taskLog(userId: string, taskId: string): Promise<WebhookLog> {
    const task = await this.d.store.tasks.get(taskId);
    if (task?.ownerId !== userId) throw notFound();
    return this.log({ taskId, limit: 200 });
  }

  /** GET /api/admin/webhooks */
  async log(q: { taskId?: string; status?: OutboxStatus; limit: number }): Promise<WebhookLog> {
    const messages = await this.d.store.webhooks.messages(q);
    const attempts = await this.d.store.webhooks.attempts(messages.map((m) => m.id));
    return webhookLogView(messages, attempts);
  }

  private async checkTarget(userId: string, url: string, path: string): Promise<void> {
    const reason = await this.d.targets.refusal(url);
    if (reason) throw refused(reason, path);
    const a = await this.d.store.webhooks.account(userId);
    if (!a?.secret) {
      throw refused('needs a signing secret first: POST /api/account/webhook-secret (shown once)', path);
    }
  }
}
