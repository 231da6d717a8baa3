import crypto from 'node:crypto';
import { MAX_PREFER_WAIT_SECONDS, NUMERIC_FIELDS, zGenerateRequest, type TaskEvent } from '@mediagen/contract';
import type { FastifyInstance, FastifyRequest, preHandlerHookHandler } from 'fastify';
import { AppError } from '#domain/app-error.ts';
import { authenticate } from '#http/request-auth.ts';
import type { AppServices } from '#services/app-services.ts';

const NUMERIC = new Set<string>(NUMERIC_FIELDS);

/** multipart/form-data → the same object a JSON client sends; files become owned assets. */
async function readMultipart(
  req: FastifyRequest,
  s: AppServices,
  ownerId: string,
): Promise<{ body: Record<string, unknown>; hashBasis: unknown }> {
  const body: Record<string, unknown> = {};
  const basis: Record<string, unknown> = {};
  for await (const part of req.parts()) {
    if (part.type === 'file') {
      const bytes = await part.toBuffer();
      const asset = await s.images.ingest(ownerId, part.fieldname, bytes);
      body[part.fieldname] = `asset:${asset.id}`;
      basis[part.fieldname] = crypto.createHash('sha256').update(bytes).digest('hex');
    } else {
      const raw = typeof part.value === 'string' ? part.value : String(part.value);
      const value =
        NUMERIC.has(part.fieldname) && raw.trim() !== '' && Number.isFinite(Number(raw)) ? Number(raw) : raw;
      body[part.fieldname] = value;
      basis[part.fieldname] = value;
    }
  }
  return { body, hashBasis: basis };
}

function preferWait(req: FastifyRequest): number {
  const m = /(?:^|[,;\s])wait=(\d+)/.exec(String(req.headers.prefer ?? ''));
  return m ? Math.min(Number(m[1]), MAX_PREFER_WAIT_SECONDS) : 0;
}

function waitForEnd(s: AppServices, taskId: string, seconds: number): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      off();
      resolve();
    };
    const off = s.events.subscribe(taskId, (e: TaskEvent) => {
      if (e.event === 'completed' || e.event === 'failed' || e.event === 'cancelled') done();
    });
    const timer = setTimeout(done, seconds * 1000);
    const t = s.store.tasks.get(taskId);
    if (t && ['completed', 'failed', 'cancelled'].includes(t.status)) done();
  });
}

export function generateRoutes(app: FastifyInstance, s: AppServices, limits: preHandlerHookHandler[] = []): void {
  const maxImages = 3;
  const jsonLimit = Math.ceil(s.config.MAX_UPLOAD_MB * 1048576 * maxImages * 1.4) + 1048576;
  app.post(
    '/api/generate',
    {
      bodyLimit: jsonLimit,
      preHandler: limits,
      schema: {
        tags: ['generate'],
        summary: 'Queue a generation job (JSON or multipart/form-data)',
        body: zGenerateRequest,
      },
      // stage-1/2 validation happens in the service to keep the exact 400/422 split of SPEC §3
      validatorCompiler: () => (data: unknown) => ({ value: data }),
    },
    async (req, reply) => {
      const user = authenticate(req, s.auth, { allowedOrigins: s.config.CORS_ORIGINS });
      const key = req.headers['idempotency-key'];
      if (key !== undefined && (typeof key !== 'string' || key.length > 200 || key.length === 0)) {
        throw new AppError('invalid_request', 'Idempotency-Key must be 1–200 characters');
      }
      let body: unknown = req.body;
      let hashBasis: unknown;
      if (req.isMultipart()) ({ body, hashBasis } = await readMultipart(req, s, user.id));
      const { task, replay } = await s.generation.accept(user.id, body, key, hashBasis);
      const wait = preferWait(req);
      if (wait > 0) {
        await waitForEnd(s, task.id, wait);
        const now = s.store.tasks.get(task.id) ?? task;
        if (now.status === 'completed' && now.result) return reply.status(200).send(now.result);
        if (now.status === 'failed' || now.status === 'cancelled') return reply.status(200).send(s.tasks.view(now));
      }
      const body202 = s.generation.accepted(s.store.tasks.get(task.id) ?? task);
      reply.header('location', body202.status_url);
      if (replay) reply.header('idempotent-replay', 'true');
      return reply.status(202).send(body202);
    },
  );
}
