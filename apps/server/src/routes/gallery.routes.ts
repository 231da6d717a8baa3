import { zGalleryQuery } from '@mediagen/contract';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { authenticate } from '#http/request-auth.ts';
import type { AppServices } from '#services/app-services.ts';

export function galleryRoutes(app: FastifyInstance, s: AppServices): void {
  const policy = { allowedOrigins: s.config.CORS_ORIGINS };
  app.get('/api/gallery', { schema: { tags: ['gallery'], querystring: zGalleryQuery } }, async (req) => {
    const user = authenticate(req, s.auth, policy);
    return s.tasks.gallery(user.id, req.query as z.infer<typeof zGalleryQuery>);
  });
  app.delete(
    '/api/gallery/:id',
    { schema: { tags: ['gallery'], params: z.object({ id: z.string().min(1).max(100) }) } },
    async (req, reply) => {
      const user = authenticate(req, s.auth, policy);
      await s.tasks.remove(user.id, (req.params as { id: string }).id);
      return reply.status(204).send();
    },
  );
}
