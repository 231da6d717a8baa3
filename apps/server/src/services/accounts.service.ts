import crypto from 'node:crypto';
import {
  canTransition,
  type AccountCreate,
  type AccountPatch,
  type AccountStatus,
  type AccountView,
  type ModelId,
} from '@mediagen/contract';
import { AppError, notFound } from '#domain/app-error.ts';
import { laneAccounts, type LaneAccount } from '#domain/admission.ts';
import type { BackendHealth, Engine } from '#ports/engine.ts';
import type { AccountRecord, Store } from '#ports/store.ts';

export interface AccountsDeps {
  store: Store;
  engine: Pick<Engine, 'checkHealth' | 'loadedModel' | 'setupScript' | 'onBackendReconnected'>;
  now: () => number;
  onReady: () => void;
  /**
   * Whether this gateway drives the account (holds its lease, ADR 0011): only the holder checks an account on its
   * own initiative and writes the outcome; the others read it from the database. Unset: every account (one gateway).
   */
  drives?: (accountId: string) => boolean;
  /** accounts were added, edited, removed or changed status here: other gateways re-read them */
  onChanged?: () => void;
  log: { info(o: object, m: string): void; warn(o: object, m: string): void };
}

/** GPU accounts: admin CRUD and the server-authoritative status machine (SPEC §6). */
export class AccountsService {
  private readonly checking = new Map<string, Promise<AccountRecord>>();
  private readonly runningTask = new Map<string, string>();
  /** the accounts as last read: admission and scheduling read them on every request, so not from the store */
  private cache: AccountRecord[] = [];

  private readonly offReconnect: () => void;

  constructor(private readonly d: AccountsDeps) {
    // a backend whose socket came back may have restarted with other nodes or files: look at once
    this.offReconnect = d.engine.onBackendReconnected((id) => {
      const a = this.cache.find((x) => x.id === id);
      if (a && a.status !== 'disabled' && a.status !== 'checking' && this.drives(id))
        void this.check(id).catch(() => undefined);
    });
  }

  close(): void {
    this.offReconnect();
  }

  /** This gateway checks the account on its own initiative (an admin's explicit check runs wherever it is asked). */
  drives(id: string): boolean {
    return this.d.drives?.(id) ?? true;
  }

  /** The models an account can run now: those its last health check found ready (all it serves, if it said nothing per model). */
  readyModels(a: AccountRecord): ModelId[] {
    if (a.status !== 'ready') return [];
    if (!a.readiness || a.readiness.length === 0) return a.models;
    return a.models.filter((m) => a.readiness?.some((r) => r.model === m && r.ready));
  }

  /** Accounts as admission and the scheduler see them. */
  lanes(): LaneAccount[] {
    return laneAccounts(this.cache.map((a) => ({ ...a, readyModels: this.readyModels(a) })));
  }

  /** The bash script that prepares this account's ComfyUI host for what its last check found missing. */
  async setupScript(id: string): Promise<string> {
    const a = await this.get(id);
    return this.d.engine.setupScript({ models: a.models, ...(a.readiness ? { readiness: a.readiness } : {}) });
  }

  /** Re-read the accounts (at start, after each write here, and on the health monitor's tick for other gateways' writes). */
  async refresh(): Promise<AccountRecord[]> {
    this.cache = await this.d.store.accounts.list();
    return this.cache;
  }

  setRunning(accountId: string, taskId: string | null): void {
    if (taskId) this.runningTask.set(accountId, taskId);
    else this.runningTask.delete(accountId);
  }

  view(a: AccountRecord): AccountView {
    return {
      id: a.id,
      name: a.name,
      base_url: a.baseUrl,
      lane: a.lane,
      models: a.models,
      status: a.status,
      status_reason: a.statusReason,
      has_auth_token: a.authToken !== null,
      vram_total: a.vramTotal,
      vram_free: a.vramFree,
      last_checked_at: a.lastCheckedAt ? new Date(a.lastCheckedAt).toISOString() : null,
      loaded_model: this.d.engine.loadedModel(a.id) ?? null,
      running_task_id: this.runningTask.get(a.id) ?? null,
      created_at: new Date(a.createdAt).toISOString(),
      ready_models: this.readyModels(a),
      readiness: (a.readiness ?? []).map((r) => ({
        model: r.model,
        ready: r.ready,
        reason: r.reason ?? null,
        missing_packs: r.missingPacks.map((p) => ({
          name: p.name,
          repository: p.repository ?? null,
          commit: p.commit ?? null,
          nodes: p.nodes,
        })),
        missing_nodes: r.missingNodes,
        missing_files: r.missingFiles.map((f) => ({
          folder: f.folder,
          file: f.file,
          size: f.size ?? null,
          url: f.url ?? null,
        })),
      })),
      warnings: a.warnings,
    };
  }

  list(): AccountRecord[] {
    return this.cache;
  }

  async get(id: string): Promise<AccountRecord> {
    const a = await this.d.store.accounts.get(id);
    if (!a) throw notFound('Account');
    return a;
  }

  /** The only way a status changes; refuses any move the table does not allow (409). */
  async transition(id: string, to: AccountStatus, reason: string | null): Promise<AccountRecord> {
    const a = await this.get(id);
    if (a.status === to && to !== 'checking') return a;
    if (!canTransition(a.status, to)) {
      throw new AppError('invalid_transition', `An account cannot go from ${a.status} to ${to}`);
    }
    if (!(await this.d.store.accounts.update(id, { status: to, statusReason: reason }, a.status))) {
      throw new AppError('invalid_transition', `The account changed meanwhile; it is no longer ${a.status}`);
    }
    this.d.log.info({ accountId: id, from: a.status, to, reason }, 'account status changed');
    await this.refresh();
    this.d.onChanged?.();
    return this.get(id);
  }

  async create(input: AccountCreate): Promise<AccountRecord> {
    const a: AccountRecord = {
      id: crypto.randomUUID(),
      name: input.name,
      baseUrl: input.base_url.replace(/\/$/, ''),
      lane: input.lane,
      models: input.models,
      authToken: input.auth_token ?? null,
      status: 'pending',
      statusReason: 'waiting for the first health check',
      vramTotal: null,
      vramFree: null,
      lastCheckedAt: null,
      createdAt: this.d.now(),
      readiness: null,
      warnings: [],
      loras: [],
    };
    await this.d.store.accounts.insert(a);
    await this.refresh();
    this.d.onChanged?.();
    // several gateways: the one that takes its lease checks it (a new account is `pending`: due at once)
    if (this.drives(a.id)) void this.check(a.id).catch(() => undefined);
    return a;
  }

  async patch(id: string, p: AccountPatch): Promise<AccountRecord> {
    const a = await this.get(id);
    if (p.status !== undefined && p.status !== 'disabled' && p.status !== 'pending') {
      throw new AppError('invalid_transition', `Clients may set status only to disabled or pending, not ${p.status}`);
    }
    await this.d.store.accounts.update(id, {
      ...(p.name !== undefined ? { name: p.name } : {}),
      ...(p.lane !== undefined ? { lane: p.lane } : {}),
      ...(p.models !== undefined ? { models: p.models } : {}),
      ...(p.auth_token !== undefined ? { authToken: p.auth_token } : {}),
    });
    await this.refresh();
    this.d.onChanged?.();
    if (p.status === 'disabled') await this.transition(id, 'disabled', 'disabled by an administrator');
    if (p.status === 'pending') {
      if (a.status !== 'disabled')
        throw new AppError('invalid_transition', `An account cannot go from ${a.status} to pending`);
      await this.transition(id, 'pending', 're-enabled; waiting for a health check');
      if (this.drives(id)) void this.check(id).catch(() => undefined);
    } else if (p.models !== undefined && a.status !== 'disabled' && this.drives(id)) {
      // what it must serve changed: find out at once whether it can
      void this.check(id).catch(() => undefined);
    }
    return this.get(id);
  }

  async remove(id: string): Promise<void> {
    await this.get(id);
    await this.d.store.accounts.delete(id);
    await this.refresh();
    this.d.onChanged?.();
  }

  /** Health check: pending|ready|failed → checking → ready|failed. Concurrent calls share one check. */
  check(id: string, o: { resume?: boolean } = {}): Promise<AccountRecord> {
    const running = this.checking.get(id);
    if (running) return running;
    const job = this.runCheck(id, o.resume === true).finally(() => this.checking.delete(id));
    this.checking.set(id, job);
    return job;
  }

  /**
   * When this gateway starts driving accounts (at start, or leases taken over): one stored as `checking` was being
   * checked by a gateway that stopped or died meanwhile; that check will never finish, and nothing else moves an
   * account out of `checking`, so this gateway runs it again.
   */
  async resumeInterruptedChecks(accountIds?: string[]): Promise<void> {
    for (const a of await this.d.store.accounts.list())
      if (a.status === 'checking' && (accountIds ? accountIds.includes(a.id) : this.drives(a.id)))
        void this.check(a.id, { resume: true }).catch(() => undefined);
  }

  private async runCheck(id: string, resume: boolean): Promise<AccountRecord> {
    const a = await this.get(id);
    if (a.status === 'disabled')
      throw new AppError('invalid_transition', 'A disabled account is not checked; enable it first');
    if (!(resume && a.status === 'checking')) await this.transition(id, 'checking', 'health check running');
    const health = await this.d.engine
      .checkHealth(
        { id: a.id, name: a.name, baseUrl: a.baseUrl, ...(a.authToken ? { authToken: a.authToken } : {}) },
        a.models,
      )
      .catch((err: unknown): BackendHealth => ({
        ok: false,
        reason: `health check crashed: ${String(err)}`,
        missingNodes: [],
        missingModels: [],
        models: [],
        warnings: [],
      }));
    const current = await this.d.store.accounts.get(id);
    if (current?.status !== 'checking') return current ?? a; // disabled or deleted meanwhile
    await this.d.store.accounts.update(id, {
      lastCheckedAt: this.d.now(),
      readiness: health.models,
      warnings: health.warnings,
      ...(health.loras ? { loras: health.loras } : {}),
      ...('vramTotal' in health && health.vramTotal !== undefined ? { vramTotal: health.vramTotal } : {}),
      ...('vramFree' in health && health.vramFree !== undefined ? { vramFree: health.vramFree } : {}),
    });
    if (health.ok) {
      // ready, and the reason names the models it is not ready for, if any
      const ready = await this.transition(id, 'ready', health.reason ?? null);
      this.d.onReady();
      return ready;
    }
    this.d.log.warn({ accountId: id, reason: health.reason }, 'account health check failed');
    return this.transition(id, 'failed', health.reason ?? 'health check failed');
  }
}
