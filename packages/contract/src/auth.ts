import { z } from 'zod';

export const SESSION_COOKIE = 'gg_session';
export const ADMIN_COOKIE = 'gg_admin';
export const SESSION_TTL_SECONDS = 86_400;
export const ADMIN_TTL_SECONDS = 43_200;

export const zAuthMode = z.enum(['open', 'key']);
export type AuthMode = z.infer<typeof zAuthMode>;

export const zSessionRequest = z.object({ access_key: z.string().min(1).max(512).optional() }).strict();

export const zUserView = z.object({ id: z.string(), name: z.string(), credits: z.number().nullable() });
export type UserView = z.infer<typeof zUserView>;

export const zSessionInfo = z.object({
  valid: z.literal(true),
  expires_at: z.string(),
  user: zUserView,
  auth_mode: zAuthMode,
});
export type SessionInfo = z.infer<typeof zSessionInfo>;

export const zAdminSessionInfo = z.object({ valid: z.literal(true), expires_at: z.string() });
