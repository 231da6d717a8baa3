import {
  ADMIN_COOKIE,
  DEFAULT_MAX_BATCH,
  MODEL_LIST,
  type AuthMode,
  type Health,
  type ModelsInfo,
  type UnsupportedParam,
} from '@mediagen/contract';
import { AppError } from '#domain/app-error.ts';
import type { Store } from '#ports/store.ts';
import type { AccountsService } from './accounts.service.ts';
import { constantTimeEqual } from './auth.service.ts';
import type { RequestContext } from './request-context.ts';

export interface MediaToolInfo {
  version: string;
  source: 'env' | 'path' | 'npm';
}

export interface SystemDeps {
  store: Store;
  accounts: Pick<AccountsService, 'list'>;
  now: () => number;
  version: string;
  simulated: boolean;
  authMode: AuthMode;
  creditsEnabled: boolean;
  sizes: readonly number[];
  maxUploadMb: number;
  mediaTools: { ffmpeg: MediaToolInfo; ffprobe: MediaToolInfo };
  /** extra reasons the instance is degraded (storage trouble, …) */
  problems?: () => string[];
  metrics: { text(): Promise<string> };
  /** key mode: /metrics needs this Bearer token or an admin session */
  metricsToken?: string;
  isAdminSession(token: string): Promise<boolean>;
  /** what the templates declare they cannot honour (the UI disables those fields, with the reason) */
  unsupported?: () => UnsupportedParam[];
}

/** The registry for clients, health, metrics. */
export class SystemService {
  private readonly started: number;

  constructor(private readonly d: SystemDeps) {
    this.started = d.now();
  }

  models(): ModelsInfo {
    return {
      models: MODEL_LIST.map((m) => ({ ...m, modes: [...m.modes] })),
      sizes: [...this.d.sizes],
      max_batch: DEFAULT_MAX_BATCH,
      max_upload_mb: this.d.maxUploadMb,
      unsupported: this.d.unsupported?.() ?? [],
    };
  }

  async health(): Promise<Health> {
    const accounts = this.d.accounts.list();
    const ready = accounts.filter((a) => a.status === 'ready').length;
    const reasons = [...(this.d.problems?.() ?? [])];
    if (accounts.length > 0 && ready === 0) reasons.push('no GPU backend is ready');
    return {
      status: reasons.length > 0 ? 'degraded' : 'ok',
      reasons,
      version: this.d.version,
      simulated: this.d.simulated,
      auth_mode: this.d.authMode,
      credits_enabled: this.d.creditsEnabled,
      uptime_seconds: Math.round((this.d.now() - this.started) / 1000),
      accounts: { total: accounts.length, ready },
      queued: await this.d.store.tasks.countQueued(),
      media_tools: this.d.mediaTools,
    };
  }

  /** Prometheus text; in key mode only for the METRICS_TOKEN bearer or an admin session (it names models and load). */
  async metrics(ctx: RequestContext): Promise<string> {
    if (this.d.authMode === 'key') {
      const bearer = /^\s*Bearer\s+(\S+)\s*$/i.exec(ctx.header('authorization') ?? '')?.[1];
      const byToken =
        bearer !== undefined && this.d.metricsToken !== undefined && constantTimeEqual(bearer, this.d.metricsToken);
      const adminCookie = ctx.cookie(ADMIN_COOKIE);
      if (!byToken && !(adminCookie && (await this.d.isAdminSession(adminCookie)))) {
        throw new AppError('unauthorized', 'Metrics need METRICS_TOKEN as a Bearer token, or an admin session');
      }
    }
    return this.d.metrics.text();
  }
}
