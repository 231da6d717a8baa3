import type { AppServices } from '#services/app-services.ts';
import { empty } from '#services/replies.ts';
import type { RouteHandlers } from '#services/request-context.ts';

export function contentHandlers(
  s: AppServices,
): RouteHandlers<
  | 'accountExport'
  | 'accountErase'
  | 'adminUserPatch'
  | 'adminStorage'
  | 'adminQuarantineList'
  | 'adminQuarantineThumbnail'
  | 'adminQuarantineDelete'
  | 'adminQuarantineRelease'
> {
  return {
    accountExport: ({ ctx }) => s.accountData.export(ctx.user.id),
    accountErase: ({ ctx }) => s.accountData.erase(ctx.user.id, ctx.user.id),
    adminUserPatch: ({ params, body }) => s.content.userPatch(params.id, body),
    adminStorage: () => s.content.storage(),
    adminQuarantineList: () => s.content.quarantineList(),
    adminQuarantineThumbnail: ({ params }) => s.content.quarantineThumbnail(params.id),
    adminQuarantineDelete: async ({ params }) => {
      await s.content.quarantineDelete(params.id);
      return empty(204);
    },
    adminQuarantineRelease: async ({ params }) => {
      await s.content.quarantineRelease(params.id);
      return empty(204);
    },
  };
}
