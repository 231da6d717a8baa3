import type { AppServices } from '#services/app-services.ts';
import { preferWaitSeconds } from '#services/generation.service.ts';
import type { RouteHandlers } from '#services/request-context.ts';

export function generateHandlers(s: AppServices): RouteHandlers<'generate'> {
  return {
    generate: ({ body, files, ctx }) => {
      const key = ctx.header('idempotency-key');
      return s.generation.submit(ctx, body, {
        uploads: files,
        ...(key !== undefined ? { idempotencyKey: key } : {}),
        preferWait: preferWaitSeconds(ctx.header('prefer')),
      });
    },
  };
}
