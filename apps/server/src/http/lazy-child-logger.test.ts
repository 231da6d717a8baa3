import Fastify from 'fastify';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { LazyChildLogger } from './lazy-child-logger.ts';

function capture() {
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino(
    { level: 'info' },
    { write: (s: string) => void lines.push(JSON.parse(s) as Record<string, unknown>) },
  );
  return { logger, lines };
}

describe('LazyChildLogger', () => {
  it('makes no child until a line is logged, then logs with the bindings', () => {
    const { logger, lines } = capture();
    const l = new LazyChildLogger(logger, { reqId: 'r-1' }, {});
    expect(l.level).toBe('info');
    expect(l.materialised).toBe(false);
    l.warn({ code: 7 }, 'something');
    expect(l.materialised).toBe(true);
    expect(lines).toEqual([expect.objectContaining({ reqId: 'r-1', code: 7, msg: 'something', level: 40 })]);
  });

  it("follows the parent's level until it has its own", () => {
    const { logger, lines } = capture();
    const l = new LazyChildLogger(logger, { reqId: 'r-2' }, {});
    l.debug('not at info');
    expect(lines).toHaveLength(0);
    l.level = 'debug';
    l.debug('now');
    expect(lines.map((x) => x.msg)).toEqual(['now']);
  });

  it("stays unmade through a Fastify request that logs nothing (Fastify's check of its methods included)", async () => {
    const { logger, lines } = capture();
    const made: LazyChildLogger[] = [];
    const app = Fastify({
      loggerInstance: logger,
      disableRequestLogging: true,
      childLoggerFactory: (parent, bindings, options) => {
        const l = new LazyChildLogger(parent, bindings, options);
        made.push(l);
        return l;
      },
    });
    app.get('/quiet', async () => ({ ok: true }));
    app.get('/loud', async (req) => {
      req.log.info('handled');
      return { ok: true };
    });
    expect((await app.inject('/quiet')).statusCode).toBe(200);
    expect((await app.inject('/loud')).statusCode).toBe(200);
    expect(made.map((l) => l.materialised)).toEqual([false, true]);
    expect(lines.map((x) => x.msg)).toEqual(['handled']);
    await app.close();
  });
});
