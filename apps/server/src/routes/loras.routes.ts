import type { AppServices } from '#services/app-services.ts';
import { empty, json, text } from '#services/replies.ts';
import type { RouteHandlers } from '#services/request-context.ts';

export function loraHandlers(
  s: AppServices,
): RouteHandlers<
  | 'loras'
  | 'loraPreview'
  | 'adminLoras'
  | 'adminLoraCreate'
  | 'adminLoraPatch'
  | 'adminLoraDelete'
  | 'adminLoraPreview'
  | 'adminLoraSetupScript'
> {
  return {
    loras: ({ ctx, query }) => s.loras.list(ctx.user.id, query.model),
    loraPreview: ({ ctx, params }) => s.loras.preview(ctx.user.id, params.name),
    adminLoras: () => s.loras.catalog(),
    adminLoraCreate: async ({ body }) => json(201, await s.loras.create(body)),
    adminLoraPatch: ({ params, body }) => s.loras.patch(params.name, body),
    adminLoraDelete: async ({ params }) => {
      await s.loras.remove(params.name);
      return empty(204);
    },
    adminLoraPreview: ({ params }) => s.loras.adminPreview(params.name),
    adminLoraSetupScript: async ({ params }) =>
      text('text/x-shellscript; charset=utf-8', await s.loras.setupScript(params.name)),
  };
}
