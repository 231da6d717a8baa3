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
});
