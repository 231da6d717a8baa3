import { DEFAULT_MAX_BATCH, MODEL_LIST } from '@mediagen/contract';
import type { FastifyInstance } from 'fastify';
import type { AppServices } from '#services/app-services.ts';

export function systemRoutes(app: FastifyInstance, s: AppServices): void {
  const started = Date.now();
  app.get('/api/models', { schema: { tags: ['system'] } }, async () => ({
    models: MODEL_LIST,
    sizes: s.config.ALLOWED_SIZES,
    max_batch: DEFAULT_MAX_BATCH,
    max_upload_mb: s.config.MAX_UPLOAD_MB,
  }));
  app.get('/api/health', { schema: { tags: ['system'] } }, async () => {
    const accounts = s.accounts.list();
    return {
      status: 'ok',
      version: s.version,
      simulated: s.config.simulated,
      auth_mode: s.config.AUTH_MODE,
      credits_enabled: s.config.CREDITS_ENABLED,
      uptime_seconds: Math.round((Date.now() - started) / 1000),
      accounts: { total: accounts.length, ready: accounts.filter((a) => a.status === 'ready').length },
      queued: s.store.tasks.countQueued(),
    };
  });
  app.get('/metrics', async (_req, reply) => reply.type(s.metricsContentType).send(await s.metricsText()));
}
