// Webhooks: the target policy (refusals at subscription, DNS pinned at delivery), the service that queues a task's
// messages on its transitions, and the deliverer that sends the outbox.
import crypto from 'node:crypto';
import type { Logger } from 'pino';
import { createDnsHostResolver } from '#adapters/webhooks/dns-host-resolver.ts';
import { createPinnedWebhookTransport } from '#adapters/webhooks/pinned-webhook-transport.ts';
import { DEFAULT_WEBHOOK_RETRY } from '#domain/webhook-backoff.ts';
import type { Store } from '#ports/store.ts';
import type { HostResolver, WebhookTransport } from '#ports/webhook-transport.ts';
import type { TaskLifecycle } from '#services/task-lifecycle.ts';
import type { TasksService } from '#services/tasks.service.ts';
import { WebhookTargets } from '#services/webhook-targets.ts';
import { WebhooksService } from '#services/webhooks.service.ts';
import { WebhookDeliverer } from '#worker/webhook-deliverer.ts';
import type { Config } from './config.ts';
import { VERSION } from './version.ts';

export interface WebhookWiring {
  service: WebhooksService;
  deliverer: WebhookDeliverer;
}

export function createWebhookWiring(
  d: {
    config: Config;
    store: Store;
    lifecycle: TaskLifecycle;
    tasks: Pick<TasksService, 'view'>;
    now: () => number;
    log: Logger;
  },
  /** tests: doubles, so no test ever resolves or reaches a real host */
  overrides: { hostResolver?: HostResolver; webhookTransport?: WebhookTransport },
): WebhookWiring {
  const { config, store, now } = d;
  const targets = new WebhookTargets({
    policy: { allowHttp: config.WEBHOOK_ALLOW_HTTP, allowedHosts: config.WEBHOOK_ALLOWED_HOSTS },
    resolver: overrides.hostResolver ?? createDnsHostResolver(),
  });
  let wake = (): void => undefined;
  const service = new WebhooksService({
    store,
    targets,
    view: (t) => d.tasks.view(t),
    now,
    newId: () => crypto.randomUUID().replaceAll('-', ''),
    onQueued: () => wake(),
    log: d.log.child({ component: 'webhooks' }),
  });
  d.lifecycle.onTransition((t) => service.onTransition(t));
  const deliverer = new WebhookDeliverer({
    store,
    targets,
    transport: overrides.webhookTransport ?? createPinnedWebhookTransport(),
    secrets: (ownerId) => service.signingSecrets(ownerId),
    retry: {
      ...DEFAULT_WEBHOOK_RETRY,
      maxAttempts: config.WEBHOOK_MAX_ATTEMPTS,
      baseDelayMs: config.WEBHOOK_RETRY_BASE_MS,
    },
    now,
    random: Math.random,
    instanceId: crypto.randomUUID(),
    userAgent: `MediaGen-Webhooks/${VERSION}`,
    log: d.log.child({ component: 'webhook-deliverer' }),
  });
  wake = () => deliverer.wake();
  return { service, deliverer };
}
