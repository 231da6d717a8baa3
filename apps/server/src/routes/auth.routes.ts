import type { AppServices } from '#services/app-services.ts';
import type { RouteHandlers } from '#services/request-context.ts';

export function authHandlers(
  s: AppServices,
): RouteHandlers<
  'sessionCreate' | 'sessionGet' | 'sessionDelete' | 'adminSessionCreate' | 'adminSessionGet' | 'adminSessionDelete'
> {
  return {
    sessionCreate: ({ body, ctx }) => s.sessions.login(ctx, body?.access_key),
    sessionGet: ({ ctx }) => s.sessions.current(ctx),
    sessionDelete: ({ ctx }) => s.sessions.logout(ctx),
    adminSessionCreate: ({ ctx }) => s.sessions.adminLogin(ctx),
    adminSessionGet: ({ ctx }) => s.sessions.adminCurrent(ctx),
    adminSessionDelete: ({ ctx }) => s.sessions.adminLogout(ctx),
  };
}
