import type { ReferenceImages } from '#services/reference-images.ts';

/** Housekeeping off the request path: retention, orphaned reference files and stale temporary uploads, at start and hourly. */
export class Maintenance {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly d: {
      images: Pick<ReferenceImages, 'collectOrphans'>;
      /** RETENTION_DAYS and per-user overrides (retention.ts) */
      retention?: { run(): Promise<{ tasks: number; references: number }> };
      log: { info(o: object, m: string): void; warn(o: object, m: string): void };
      everyMs?: number;
      /** a file younger than this may belong to a request still in flight */
      graceMs?: number;
    },
  ) {}

  async start(): Promise<void> {
    await this.run();
    this.timer = setInterval(() => void this.run(), this.d.everyMs ?? 3_600_000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async run(): Promise<void> {
    try {
      const expired = await this.d.retention?.run();
      if (expired && expired.tasks + expired.references > 0) this.d.log.info(expired, 'retention deleted old media');
    } catch (err) {
      this.d.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'retention failed');
    }
    try {
      const removed = await this.d.images.collectOrphans(this.d.graceMs ?? 3_600_000);
      if (removed > 0) this.d.log.info({ removed }, 'removed orphaned files');
    } catch (err) {
      this.d.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'orphan collection failed');
    }
  }
}
