import type { FastifyBaseLogger, FastifyLogFn } from 'fastify';
import type { Bindings, ChildLoggerOptions } from 'pino';

/**
 * Fastify makes a child logger for every request; almost no request logs anything, and a pino child costs a
 * serialisation of its bindings. This one becomes a real child when a line is logged.
 */
export class LazyChildLogger implements FastifyBaseLogger {
  private made: FastifyBaseLogger | undefined;

  constructor(
    private readonly parent: FastifyBaseLogger,
    private readonly bindings: Bindings,
    private readonly options: ChildLoggerOptions,
  ) {}

  /** whether the real child exists (tests) */
  get materialised(): boolean {
    return this.made !== undefined;
  }

  private real(): FastifyBaseLogger {
    this.made ??= this.parent.child(this.bindings, this.options);
    return this.made;
  }

  private method(name: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'): FastifyLogFn {
    const r = this.real();
    return r[name].bind(r);
  }

  get level(): string {
    return this.made?.level ?? this.parent.level;
  }

  set level(value: string) {
    this.real().level = value;
  }

  get fatal(): FastifyLogFn {
    return this.method('fatal');
  }
  get error(): FastifyLogFn {
    return this.method('error');
  }
  get warn(): FastifyLogFn {
    return this.method('warn');
  }
  get info(): FastifyLogFn {
    return this.method('info');
  }
  get debug(): FastifyLogFn {
    return this.method('debug');
  }
  get trace(): FastifyLogFn {
    return this.method('trace');
  }
  get silent(): FastifyLogFn {
    return this.method('silent');
  }

  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return this.real().child(bindings, options);
  }
}
