import type { AppServices } from '#services/app-services.ts';
import type { RouteHandlers } from '#services/request-context.ts';

export function webhookHandlers(
  s: AppServices,
): RouteHandlers<'webhookSecret' | 'webhookSettingsGet' | 'webhookSettingsPut' | 'taskWebhooks' | 'adminWebhooks'> {
  return {
    webhookSecret: ({ ctx }) => s.webhooks.rotateSecret(ctx.user.id),
    webhookSettingsGet: ({ ctx }) => s.webhooks.settings(ctx.user.id),
    webhookSettingsPut: ({ body, ctx }) => s.webhooks.updateSettings(ctx.user.id, body),
    taskWebhooks: ({ params, ctx }) => s.webhooks.taskLog(ctx.user.id, params.id),
    adminWebhooks: ({ query }) =>
      s.webhooks.log({
        limit: query.limit,
        ...(query.task_id !== undefined ? { taskId: query.task_id } : {}),
        ...(query.status !== undefined ? { status: query.status } : {}),
      }),
  };
}
