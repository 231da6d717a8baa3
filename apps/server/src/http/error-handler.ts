import { errorBody, type ErrorCode } from '@mediagen/contract';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { AppError } from '#domain/app-error.ts';
import { isOutOfSpace } from '#services/storage-health.ts';

export interface ErrorReporter {
  capture(err: unknown, ctx: { requestId: string; url: string }): void;
}

function send(reply: FastifyReply, status: number, code: ErrorCode, message: string, err?: AppError): FastifyReply {
  if (err?.extra.retryAfterSeconds !== undefined) reply.header('retry-after', String(err.extra.retryAfterSeconds));
  return reply
    .status(status)
    .type('application/json')
    .send(errorBody(code, message, err?.details, err?.extra.userAction));
}

const FASTIFY_CODES: Record<string, { status: number; code: ErrorCode; message: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: 'payload_too_large', message: 'The request body is too large' },
  FST_REQ_FILE_TOO_LARGE: { status: 413, code: 'payload_too_large', message: 'An uploaded file is too large' },
  FST_FILES_LIMIT: { status: 413, code: 'payload_too_large', message: 'Too many files' },
  FST_PARTS_LIMIT: { status: 413, code: 'payload_too_large', message: 'Too many parts' },
  FST_FIELDS_LIMIT: { status: 413, code: 'payload_too_large', message: 'Too many fields' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    status: 415,
    code: 'unsupported_media_type',
    message: 'Send application/json or multipart/form-data',
  },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: 'invalid_request', message: 'The body must be a JSON object' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, code: 'invalid_request', message: 'Bad Content-Length' },
};

/** The single place where errors become HTTP answers (both error shapes of SPEC §3). */
export function installErrorHandler(app: FastifyInstance, reporter: ErrorReporter | undefined): void {
  app.setErrorHandler((err: FastifyError | AppError | Error, req: FastifyRequest, reply: FastifyReply) => {
    if (err instanceof AppError) return send(reply, err.status, err.code, err.message, err);
    if (hasZodFastifySchemaValidationErrors(err)) {
      const details = err.validation.map((v) => ({
        path:
          String(v.instancePath || '')
            .replace(/^\//, '')
            .replace(/\//g, '.') || '(request)',
        message: v.message ?? 'invalid',
      }));
      return send(
        reply,
        400,
        'invalid_request',
        'The request has fields of the wrong type',
        new AppError('invalid_request', 'x', details),
      );
    }
    const fe = err as FastifyError;
    const known = fe.code ? FASTIFY_CODES[fe.code] : undefined;
    if (known) return send(reply, known.status, known.code, known.message);
    if (fe.statusCode === 429) {
      const retry = Number(reply.getHeader('retry-after') ?? 60);
      return send(
        reply,
        429,
        'rate_limited',
        'Too many requests; slow down',
        new AppError('rate_limited', 'x', undefined, { retryAfterSeconds: Number.isFinite(retry) ? retry : 60 }),
      );
    }
    if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) {
      // JSON syntax errors and other client mistakes Fastify detects
      const code: ErrorCode =
        fe.statusCode === 413
          ? 'payload_too_large'
          : fe.statusCode === 415
            ? 'unsupported_media_type'
            : 'invalid_request';
      return send(reply, fe.statusCode === 413 || fe.statusCode === 415 ? fe.statusCode : 400, code, fe.message);
    }
    if (isOutOfSpace(err)) {
      return send(
        reply,
        503,
        'storage_full',
        'The server is out of storage',
        new AppError('storage_full', 'x', undefined, { retryAfterSeconds: 60 }),
      );
    }
    req.log.error({ err, reqId: req.id }, 'unexpected error');
    reporter?.capture(err, { requestId: String(req.id), url: req.url });
    return send(reply, 500, 'internal_error', `Internal error (request ${req.id})`);
  });
  app.setNotFoundHandler((req, reply) =>
    send(reply, 404, 'not_found', `No route ${req.method} ${req.url.split('?')[0]}`),
  );
}
