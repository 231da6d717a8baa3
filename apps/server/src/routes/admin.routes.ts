import { ADMIN_COOKIE, zAccountCreate, zAccountPatch, zCreditGrant, zUserCreate } from '@mediagen/contract';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { adminActor, requireAdmin } from '#http/request-auth.ts';
import type { AppServices } from '#services/app-services.ts';
import { usageStats } from '#services/usage-stats.ts';

const zId = z.object({ id: z.string().min(1).max(100) });

export function adminRoutes(app: FastifyInstance, s: AppServices): void {
  const policy = { allowedOrigins: s.config.CORS_ORIGINS };
  app.register(async (admin) => {
    admin.addHook('preHandler', async (req) => requireAdmin(req, s.auth, policy));
    // who did what, when: every changing admin request, with its outcome
    admin.addHook('onResponse', (req, reply, done) => {
      if (req.method !== 'GET') {
        s.store.audit.append({
          at: Date.now(),
          actor: adminActor(req.cookies[ADMIN_COOKIE]),
          action: `${req.method} ${req.routeOptions.url ?? req.url}`,
          target: (req.params as { id?: string } | undefined)?.id ?? null,
          status: reply.statusCode,
          ip: req.ip,
        });
      }
      done();
    });
    const tags = ['admin'];

    admin.get('/api/admin/accounts', { schema: { tags } }, async () => ({
      items: s.accounts.list().map((a) => s.accounts.view(a)),
    }));
    admin.post('/api/admin/accounts', { schema: { tags, body: zAccountCreate } }, async (req, reply) => {
      const a = s.accounts.create(req.body as z.infer<typeof zAccountCreate>);
      return reply.status(201).send(s.accounts.view(a));
    });
    admin.get('/api/admin/accounts/:id', { schema: { tags, params: zId } }, async (req) =>
      s.accounts.view(s.accounts.get((req.params as { id: string }).id)),
    );
    admin.patch('/api/admin/accounts/:id', { schema: { tags, params: zId, body: zAccountPatch } }, async (req) =>
      s.accounts.view(s.accounts.patch((req.params as { id: string }).id, req.body as z.infer<typeof zAccountPatch>)),
    );
    admin.delete('/api/admin/accounts/:id', { schema: { tags, params: zId } }, async (req, reply) => {
      s.accounts.remove((req.params as { id: string }).id);
      return reply.status(204).send();
    });
    admin.post('/api/admin/accounts/:id/check', { schema: { tags, params: zId } }, async (req) =>
      s.accounts.view(await s.accounts.check((req.params as { id: string }).id)),
    );
    admin.get('/api/admin/queue', { schema: { tags } }, async () => s.queue.snapshot());
    admin.get(
      '/api/admin/stats',
      { schema: { tags, querystring: z.object({ days: z.coerce.number().int().min(1).max(365).default(14) }) } },
      async (req) => usageStats(s.store, Date.now(), (req.query as { days: number }).days),
    );

    admin.get(
      '/api/admin/audit',
      { schema: { tags, querystring: z.object({ limit: z.coerce.number().int().min(1).max(1000).default(200) }) } },
      async (req) => ({
        items: s.store.audit
          .list((req.query as { limit: number }).limit)
          .map((e) => ({ ...e, at: new Date(e.at).toISOString() })),
      }),
    );
    admin.get('/api/admin/users/:id/ledger', { schema: { tags, params: zId } }, async (req) => {
      const u = s.users.get((req.params as { id: string }).id);
      return {
        user_id: u.id,
        balance: u.credits,
        items: s.store.credits.ledger(u.id, 500).map((e) => ({ ...e, createdAt: new Date(e.createdAt).toISOString() })),
      };
    });
    admin.get('/api/admin/users', { schema: { tags } }, async () => ({
      items: s.users
        .list()
        .map((u) => ({ id: u.id, name: u.name, credits: u.credits, created_at: new Date(u.createdAt).toISOString() })),
    }));
    admin.post('/api/admin/users', { schema: { tags, body: zUserCreate } }, async (req, reply) => {
      const body = req.body as z.infer<typeof zUserCreate>;
      const { user, accessKey } = s.users.create(body.name, body.credits);
      return reply.status(201).send({ id: user.id, name: user.name, access_key: accessKey, credits: user.credits });
    });
    admin.post('/api/admin/users/:id/credits', { schema: { tags, params: zId, body: zCreditGrant } }, async (req) => {
      const u = s.users.grant((req.params as { id: string }).id, (req.body as z.infer<typeof zCreditGrant>).amount);
      return { id: u.id, name: u.name, credits: u.credits };
    });
    admin.delete('/api/admin/users/:id', { schema: { tags, params: zId } }, async (req, reply) => {
      s.users.remove((req.params as { id: string }).id);
      return reply.status(204).send();
    });
  });
}
