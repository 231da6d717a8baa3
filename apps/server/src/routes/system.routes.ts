import type { AppServices } from '#services/app-services.ts';
import { text } from '#services/replies.ts';
import type { RouteHandlers } from '#services/request-context.ts';

export function systemHandlers(s: AppServices): RouteHandlers<'models' | 'health' | 'metrics'> {
  return {
    models: async () => s.system.models(),
    health: () => s.system.health(),
    metrics: async ({ ctx }) => text('text/plain; version=0.0.4; charset=utf-8', await s.system.metrics(ctx)),
  };
}
