import type { AppServices } from '#services/app-services.ts';
import type { RouteHandlers } from '#services/request-context.ts';

export function taskHandlers(
  s: AppServices,
): RouteHandlers<'status' | 'cancel' | 'events' | 'results' | 'asset' | 'preview'> {
  return {
    status: ({ params, ctx }) => s.tasks.status(ctx.user.id, params.id),
    cancel: ({ params, ctx }) => s.tasks.cancel(ctx.user.id, params.id),
    events: ({ params, ctx }) => s.tasks.events(ctx.user.id, params.id),
    results: ({ params, query, ctx }) =>
      s.tasks.result(ctx.user.id, params.id, query.index, query.download !== undefined),
    asset: ({ params, ctx }) => s.tasks.asset(ctx.user.id, params.id),
    preview: ({ params, ctx }) => s.tasks.preview(ctx.user.id, params.id),
  };
}
