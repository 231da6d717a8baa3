import type { Logger } from 'pino';
import type { ErrorReporter } from '#http/error-handler.ts';

/** Sentry only when SENTRY_DSN is set; otherwise unexpected errors are logged with stack and request id. */
export async function createErrorReporter(dsn: string | undefined, log: Logger): Promise<ErrorReporter | undefined> {
  if (!dsn) return undefined;
  const Sentry = await import('@sentry/node');
  Sentry.init({ dsn, tracesSampleRate: 0 });
  log.info('error reporting to Sentry enabled');
  return {
    capture(err, ctx) {
      Sentry.captureException(err, { tags: { request_id: ctx.requestId }, extra: { url: ctx.url } });
    },
  };
}
