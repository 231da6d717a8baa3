import {
  ROUTES,
  type WebhookSecretCreated,
  type WebhookSettings,
  type WebhookSettingsUpdate,
} from '@mediagen/contract';
import { call } from './client.ts';

// ---- the signed-in user's webhooks (SPEC §11) ----

export function getWebhookSettings(): Promise<WebhookSettings> {
  return call(ROUTES.webhookSettingsGet);
}

export function saveWebhookSettings(update: WebhookSettingsUpdate): Promise<WebhookSettings> {
  return call(ROUTES.webhookSettingsPut, { body: update });
}

/** A new signing secret; the answer is the only time it is shown. */
export function rotateWebhookSecret(): Promise<WebhookSecretCreated> {
  return call(ROUTES.webhookSecret);
}
