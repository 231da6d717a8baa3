// What the composition root opens before it wires anything: the store, the media store, the admin key, the policy
// terms, the HTTP settings, and the simulator's accounts when no GPU is configured.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MODEL_IDS, modelsOfType, type ModelId } from '@mediagen/contract';
import type { MediaBinaries } from '@mediagen/binaries';
import type { Logger } from 'pino';
import { createDiskFileStore } from '#adapters/files/disk-file-store.ts';
import { createS3FileStore, parseS3Url } from '#adapters/files/s3-file-store.ts';
import { openPostgresPool } from '#adapters/store/postgres-db.ts';
import { openPostgresStore } from '#adapters/store/postgres-store.ts';
import { openSqliteStore } from '#adapters/store/sqlite-store.ts';
import { mergeTerms, type PolicyTerms } from '#domain/prompt-policy/index.ts';
import type { FileStore } from '#ports/file-store.ts';
import type { AccountRecord, Store } from '#ports/store.ts';
import type { HttpSettings } from './app.ts';
import type { Config } from './config.ts';
import { copyDatabaseBeforeMigrations } from './content-wiring.ts';
import { VERSION } from './version.ts';

const DEFAULT_TERMS = fileURLToPath(new URL('../policy/terms.json', import.meta.url));

export function loadPolicyTerms(extraFile: string | undefined): PolicyTerms {
  const base = JSON.parse(fs.readFileSync(DEFAULT_TERMS, 'utf8')) as PolicyTerms;
  if (!extraFile) return base;
  return mergeTerms(base, JSON.parse(fs.readFileSync(extraFile, 'utf8')) as Partial<PolicyTerms>);
}

export function loadAdminKey(config: Config): { value: string; generated: boolean } {
  if (config.ADMIN_KEY) return { value: config.ADMIN_KEY, generated: false };
  const file = path.join(config.dataDir, 'admin.key');
  if (fs.existsSync(file)) return { value: fs.readFileSync(file, 'utf8').trim(), generated: false };
  const value = crypto.randomBytes(24).toString('base64url');
  fs.mkdirSync(config.dataDir, { recursive: true });
  fs.writeFileSync(file, `${value}\n`, { mode: 0o600 });
  return { value, generated: true };
}

/** What the HTTP layer needs of the configuration. */
export function httpSettings(config: Config): HttpSettings {
  return {
    version: VERSION,
    corsOrigins: config.CORS_ORIGINS,
    maxUploadMb: config.MAX_UPLOAD_MB,
    rateLimits: {
      generatePerUserPerMinute: config.RATE_LIMIT_GENERATE_PER_MINUTE,
      generatePerIpPerMinute: config.RATE_LIMIT_GENERATE_PER_IP_PER_MINUTE,
      loginPerMinute: config.RATE_LIMIT_LOGIN_PER_MINUTE,
    },
    uploadDir: path.join(config.dataDir, 'tmp', 'uploads'),
    ...(config.TRUST_PROXY !== undefined ? { trustProxy: config.TRUST_PROXY } : {}),
    ...(config.PUBLIC_BASE_URL ? { publicOrigin: new URL(config.PUBLIC_BASE_URL).origin } : {}),
    timeouts: {
      requestMs: config.REQUEST_TIMEOUT_SECONDS * 1000,
      headersMs: config.HEADERS_TIMEOUT_SECONDS * 1000,
      keepAliveMs: config.KEEP_ALIVE_TIMEOUT_SECONDS * 1000,
    },
    maxStreamsPerUser: config.MAX_SSE_PER_USER,
  };
}

/** MEDIA_STORE: files under DATA_DIR, or an S3-protocol bucket several gateways share. */
export function openMediaStore(config: Config): FileStore {
  const s3 = parseS3Url(config.MEDIA_STORE);
  if (!s3) return createDiskFileStore(config.dataDir);
  return createS3FileStore({
    ...s3,
    region: config.S3_REGION,
    forcePathStyle: config.S3_FORCE_PATH_STYLE,
    ...(config.S3_ENDPOINT ? { endpoint: config.S3_ENDPOINT } : {}),
    ...(config.S3_PRESIGN ? { presignSeconds: config.S3_PRESIGN_SECONDS } : {}),
  });
}

/** PostgreSQL when DATABASE_URL names it, else SQLite in DATA_DIR. */
export async function openStore(config: Config, log: Logger, now: () => number): Promise<Store> {
  if (config.postgresUrl) return openPostgresStore(openPostgresPool(config.postgresUrl, config.PG_POOL_MAX), now);
  // an existing SQLite database with migrations to run is copied first (DATA_DIR/backups, the 5 newest kept)
  await copyDatabaseBeforeMigrations(config, log);
  return openSqliteStore(config.databaseFile, now, (err) =>
    log.error({ err }, 'WAL checkpoints moved back into the database connection'),
  );
}

export function newAccount(a: {
  id?: string;
  name: string;
  baseUrl: string;
  lane: AccountRecord['lane'];
  models: ModelId[];
  reason: string;
  at: number;
}): AccountRecord {
  return {
    id: a.id ?? crypto.randomUUID(),
    name: a.name,
    baseUrl: a.baseUrl,
    lane: a.lane,
    models: a.models,
    authToken: null,
    status: 'pending',
    statusReason: a.reason,
    vramTotal: null,
    vramFree: null,
    lastCheckedAt: null,
    createdAt: a.at,
    readiness: null,
    warnings: [],
    loras: [],
  };
}

/**
 * COMFYUI_URLS, on a database with no account yet. The ids derive from the URLs, so gateways that start together
 * on one PostgreSQL database and both find it empty insert the same rows: the second insert of each is refused by
 * the primary key, and the accounts exist once.
 */
export async function registerConfiguredAccounts(store: Store, urls: string[], now: () => number): Promise<void> {
  if (urls.length === 0 || (await store.accounts.list()).length > 0) return;
  for (const [i, url] of urls.entries()) {
    const baseUrl = url.replace(/\/$/, '');
    const h = crypto.createHash('sha256').update(`comfyui-url:${baseUrl}`).digest('hex');
    const id = `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
    const account = newAccount({
      id,
      name: `comfyui-${i + 1}`,
      baseUrl,
      lane: 'shared',
      models: [...MODEL_IDS],
      reason: 'from COMFYUI_URLS; waiting for the first health check',
      at: now(),
    });
    await store.accounts.insert(account).catch(async (err: unknown) => {
      if (!(await store.accounts.get(id))) throw err; // not another gateway's insert of the same row
    });
  }
}

/** The versions and sources of ffmpeg and ffprobe, as the system view shows them. */
export function mediaToolVersions(
  b: MediaBinaries,
): Record<'ffmpeg' | 'ffprobe', Pick<MediaBinaries['ffmpeg'], 'version' | 'source'>> {
  const tool = (t: MediaBinaries['ffmpeg']): Pick<MediaBinaries['ffmpeg'], 'version' | 'source'> => ({
    version: t.version,
    source: t.source,
  });
  return { ffmpeg: tool(b.ffmpeg), ffprobe: tool(b.ffprobe) };
}

/** npm start without a backend: a `video` lane and an `image` lane on the simulator's two GPUs, serving the registry's models by type. */
export async function registerSimulatorAccounts(store: Store, urls: string[], now: () => number): Promise<void> {
  const lanes = [
    {
      key: 'sim.video',
      name: 'Simulated GPU 1 (video)',
      lane: 'video' as const,
      models: modelsOfType('video').map((m) => m.id),
    },
    {
      key: 'sim.image',
      name: 'Simulated GPU 2 (image)',
      lane: 'image' as const,
      models: modelsOfType('image').map((m) => m.id),
    },
  ];
  for (const [i, spec] of lanes.entries()) {
    const url = urls[i];
    if (!url) continue;
    const id = await store.settings.get(spec.key);
    const existing = id ? await store.accounts.get(id) : undefined;
    if (existing) {
      await store.accounts.update(existing.id, { baseUrl: url });
      continue;
    }
    const account = newAccount({
      name: spec.name,
      baseUrl: url,
      lane: spec.lane,
      models: spec.models,
      reason: 'simulator started; waiting for the first health check',
      at: now(),
    });
    await store.accounts.insert(account);
    await store.settings.set(spec.key, account.id);
  }
}
