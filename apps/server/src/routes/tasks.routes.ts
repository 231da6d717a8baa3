import { TERMINAL_STATUSES, type TaskEvent } from '@mediagen/contract';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { notFound } from '#domain/app-error.ts';
import { authenticate } from '#http/request-auth.ts';
import type { AppServices } from '#services/app-services.ts';

const zIdParams = z.object({ id: z.string().min(1).max(100) });
const zIndexQuery = z.object({
  index: z.coerce.number().int().min(0).max(64).default(0),
  download: z.string().optional(),
});

const EXT_NAME: Record<string, string> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'video/mp4': 'mp4',
  'video/webm': 'webm',
  'image/gif': 'gif',
};

function sseWrite(reply: FastifyReply, e: TaskEvent): void {
  reply.raw.write(`event: ${e.event}\ndata: ${JSON.stringify(e.data)}\n\n`);
}

/** Parse a single `bytes=a-b` range; undefined = whole file; null = unsatisfiable. */
function parseRange(header: string | undefined, size: number): { start: number; end: number } | undefined | null {
  if (!header) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return null;
  let start: number;
  let end: number;
  if (m[1] === '') {
    start = Math.max(0, size - Number(m[2]));
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  return start > end || start >= size ? null : { start, end };
}

export function taskRoutes(app: FastifyInstance, s: AppServices): void {
  const policy = { allowedOrigins: s.config.CORS_ORIGINS };
  const owner = (req: FastifyRequest): string => authenticate(req, s.auth, policy).id;
  const tags = ['tasks'];

  app.get('/api/status/:id', { schema: { tags, params: zIdParams } }, async (req) => {
    const { id } = req.params as z.infer<typeof zIdParams>;
    return s.tasks.view(s.tasks.owned(owner(req), id));
  });

  app.post('/api/cancel/:id', { schema: { tags, params: zIdParams } }, async (req) => {
    const { id } = req.params as z.infer<typeof zIdParams>;
    return s.tasks.cancel(owner(req), id);
  });

  app.get('/api/events/:id', { schema: { tags, params: zIdParams } }, async (req, reply) => {
    const { id } = req.params as z.infer<typeof zIdParams>;
    const task = s.tasks.owned(owner(req), id);
    // SSE on the raw response: keep the headers plugins set (CORS) and stream without Fastify's serializer
    reply.hijack();
    reply.raw.writeHead(200, {
      ...(reply.getHeaders() as Record<string, string>),
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    reply.raw.write('retry: 1000\n\n');
    const view = s.tasks.view(task);
    sseWrite(reply, {
      event: 'progress',
      data: {
        task_id: id,
        status: view.status,
        progress: view.progress,
        stage: view.stage,
        ...(view.queue_position !== undefined ? { queue_position: view.queue_position } : {}),
        ...(view.eta_seconds !== undefined ? { eta_seconds: view.eta_seconds } : {}),
      },
    });
    const finish = (): void => {
      clearInterval(ping);
      off();
      reply.raw.end();
    };
    const terminalEvent = (): TaskEvent | undefined => {
      const t = s.store.tasks.get(id);
      if (!t || !TERMINAL_STATUSES.includes(t.status)) return undefined;
      if (t.status === 'completed' && t.result) return { event: 'completed', data: { task_id: id, result: t.result } };
      if (t.status === 'failed')
        return {
          event: 'failed',
          data: {
            task_id: id,
            error: t.error ?? 'failed',
            code: t.errorCode ?? 'internal_error',
            retriable: t.retriable ?? false,
          },
        };
      return { event: 'cancelled', data: { task_id: id } };
    };
    const off = s.events.subscribe(id, (e) => {
      sseWrite(reply, e);
      if (e.event === 'completed' || e.event === 'failed' || e.event === 'cancelled') finish();
    });
    const ping = setInterval(() => reply.raw.write(': ping\n\n'), 15_000);
    req.raw.on('close', () => {
      clearInterval(ping);
      off();
    });
    const already = terminalEvent();
    if (already) {
      sseWrite(reply, already);
      finish();
    }
  });

  app.get('/api/results/:id', { schema: { tags, params: zIdParams, querystring: zIndexQuery } }, async (req, reply) => {
    const { id } = req.params as z.infer<typeof zIdParams>;
    const { index, download } = req.query as z.infer<typeof zIndexQuery>;
    const task = s.tasks.owned(owner(req), id);
    const asset = s.tasks.outputs(task).find((a) => a.idx === index);
    if (!asset) throw notFound('Result');
    const size = await s.files.size(asset.path);
    const ext = EXT_NAME[asset.mime] ?? 'bin';
    const name = `mediagen-${task.params.model}-${task.params.seeds[index] ?? task.params.seed}${task.params.batch_size > 1 ? `-${index}` : ''}.${ext}`;
    reply.header('content-type', asset.mime);
    reply.header('accept-ranges', 'bytes');
    reply.header('cache-control', 'private, max-age=31536000, immutable');
    reply.header('content-disposition', `${download !== undefined ? 'attachment' : 'inline'}; filename="${name}"`);
    const range = parseRange(req.headers.range, size);
    if (range === null) {
      reply.header('content-range', `bytes */${size}`);
      return reply.status(416).send();
    }
    if (range) {
      reply.header('content-range', `bytes ${range.start}-${range.end}/${size}`);
      reply.header('content-length', String(range.end - range.start + 1));
      return reply.status(206).send(s.files.stream(asset.path, range));
    }
    reply.header('content-length', String(size));
    return reply.send(s.files.stream(asset.path));
  });

  app.get('/api/assets/:id', { schema: { tags: ['assets'], params: zIdParams } }, async (req, reply) => {
    const { id } = req.params as z.infer<typeof zIdParams>;
    const asset = s.store.assets.get(id);
    if (!asset || asset.ownerId !== owner(req) || asset.kind === 'thumbnail') throw notFound('Asset');
    reply.header('cache-control', 'private, max-age=31536000, immutable');
    return reply.type(asset.mime).send(s.files.stream(asset.path));
  });

  app.get('/api/preview/:id', { schema: { tags, params: zIdParams } }, async (req, reply) => {
    const { id } = req.params as z.infer<typeof zIdParams>;
    const task = s.tasks.owned(owner(req), id);
    reply.header('cache-control', 'no-store');
    if (task.status === 'completed') {
      const thumb = s.tasks.thumbnail(task);
      if (thumb) return reply.type('image/jpeg').send(await s.files.read(thumb.path));
    }
    const live = s.events.preview(id);
    if (!live) throw notFound('Preview');
    return reply.type(live.mime).send(live.image);
  });
}
