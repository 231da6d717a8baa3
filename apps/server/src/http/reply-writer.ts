import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '#domain/app-error.ts';
import { isReply, replyKind, type EventsReply, type FileReply, type Reply, type SseEvent } from '#services/replies.ts';
import { cookieOptions } from './request-auth.ts';
import type { SseHub } from './sse-hub.ts';

/** Parse a single `bytes=a-b` range; undefined = whole file; null = unsatisfiable. */
export function parseRange(
  header: string | undefined,
  size: number,
): { start: number; end: number } | undefined | null {
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

function sendFile(req: FastifyRequest, reply: FastifyReply, f: FileReply): FastifyReply {
  reply.header('content-type', f.contentType);
  reply.header('cache-control', f.cacheControl);
  if (f.disposition) reply.header('content-disposition', `${f.disposition.type}; filename="${f.disposition.filename}"`);
  if (!f.ranges || f.size === undefined) {
    if (f.size !== undefined) reply.header('content-length', String(f.size));
    return reply.send(f.open());
  }
  reply.header('accept-ranges', 'bytes');
  const range = parseRange(req.headers.range, f.size);
  if (range === null) {
    reply.header('content-range', `bytes */${f.size}`);
    return reply.status(416).send();
  }
  if (range) {
    reply.header('content-range', `bytes ${range.start}-${range.end}/${f.size}`);
    reply.header('content-length', String(range.end - range.start + 1));
    return reply.status(206).send(f.open(range));
  }
  reply.header('content-length', String(f.size));
  return reply.send(f.open());
}

function sseLine(e: SseEvent): string {
  return `event: ${e.event}\ndata: ${JSON.stringify(e.data)}\n\n`;
}

/** SSE on the raw response: keep the headers plugins set (CORS), stream without Fastify's serializer. */
function sendEvents(
  req: FastifyRequest,
  reply: FastifyReply,
  e: EventsReply,
  hub: SseHub,
  stream: { key: string; max: number },
): void {
  if (hub.count(stream.key) >= stream.max) {
    throw new AppError('too_many_streams', `At most ${stream.max} event streams may be open at once`, undefined, {
      retryAfterSeconds: 5,
    });
  }
  reply.hijack();
  reply.raw.writeHead(200, {
    ...(reply.getHeaders() as Record<string, string>),
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  reply.raw.write(`retry: 1000\n\n${e.initial.map(sseLine).join('')}`);
  if (e.finished) {
    reply.raw.end();
    return;
  }
  let closed = false;
  const end = (): void => {
    if (closed) return;
    closed = true;
    off();
    leave();
    reply.raw.end();
  };
  const leave = hub.add(reply.raw, stream.key);
  const off = e.subscribe((ev) => {
    if (!closed) reply.raw.write(sseLine(ev));
  }, end);
  req.raw.on('close', end);
}

/** A use case's Reply (or plain JSON body, answered with `defaultStatus`) → the HTTP answer. */
export function writeReply(
  req: FastifyRequest,
  reply: FastifyReply,
  result: unknown,
  o: { defaultStatus: number; secureCookies: boolean; hub: SseHub; stream: { key: string; max: number } },
): FastifyReply | undefined {
  if (!isReply(result)) return reply.status(o.defaultStatus).send(result);
  const r = result;
  switch (replyKind(r)) {
    case 'json':
    case 'empty': {
      const jr = r as Extract<Reply, { status: number }>;
      if (jr.headers) reply.headers(jr.headers);
      for (const c of jr.cookies ?? []) {
        if (c.value === null) reply.clearCookie(c.name, { path: '/' });
        else reply.setCookie(c.name, c.value, cookieOptions(o.secureCookies, c.maxAgeSeconds, c.sameSite));
      }
      reply.status(jr.status);
      return 'body' in jr ? reply.send(jr.body) : reply.send();
    }
    case 'file':
      return sendFile(req, reply, r as FileReply);
    case 'text': {
      const t = r as Extract<Reply, { body: string; contentType: string }>;
      return reply.type(t.contentType).send(t.body);
    }
    case 'events':
      sendEvents(req, reply, r as EventsReply, o.hub, o.stream);
      return undefined;
  }
}
