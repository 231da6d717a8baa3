import fs from 'node:fs';
import { isIP } from 'node:net';
import path from 'node:path';
import { zModelId } from '@mediagen/contract';
import { z } from 'zod';

const zBool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const zList = z.string().transform((v) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
);

/** SPEC §10: every variable validated at start; a bad value stops the process with its name. */
export const zEnv = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z.string().optional(),
  /** connections each gateway keeps to PostgreSQL at most (DATABASE_URL=postgres://…) */
  PG_POOL_MAX: z.coerce.number().int().min(2).max(200).default(10),
  /** several gateways on PostgreSQL: an account whose driving gateway stopped renewing its lease moves after this */
  LEASE_TTL_SECONDS: z.coerce.number().min(1).max(600).default(15),
  /** where outputs, thumbnails and reference images live: `fs` (under DATA_DIR) or `s3://bucket/prefix` */
  MEDIA_STORE: z
    .string()
    .regex(/^(fs|s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/.*)?)$/, 'must be fs or s3://bucket/prefix')
    .default('fs'),
  /** another S3-protocol server (MinIO, R2…); unset: AWS */
  S3_ENDPOINT: z.url({ protocol: /^https?$/ }).optional(),
  S3_REGION: z.string().min(1).default('us-east-1'),
  /** bucket in the path (MinIO and most self-hosted servers) instead of the host name */
  S3_FORCE_PATH_STYLE: zBool.default(false),
  /** results answered with 302 to a presigned URL of the object store instead of streamed by the gateway */
  S3_PRESIGN: zBool.default(false),
  S3_PRESIGN_SECONDS: z.coerce.number().int().min(10).max(604_800).default(300),
  AUTH_MODE: z.enum(['open', 'key']).default('open'),
  ADMIN_KEY: z.string().min(16, 'must be at least 16 characters').optional(),
  COMFYUI_URLS: zList.pipe(z.array(z.url({ protocol: /^https?$/ }))).default([]),
  CORS_ORIGINS: zList.pipe(z.array(z.url())).default([]),
  PUBLIC_BASE_URL: z.url().optional(),
  MAX_UPLOAD_MB: z.coerce.number().positive().max(200).default(20),
  MAX_UPLOAD_PIXELS: z.coerce.number().int().positive().default(40_000_000),
  CREDITS_ENABLED: zBool.default(false),
  SENTRY_DSN: z.url().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SIM_TIME_SCALE: z.coerce.number().positive().max(100).default(1),
  WORKFLOWS_DIR: z.string().optional(),
  /** template variant per model, e.g. `flux:gguf` (flux.txt2img.gguf.json …); unnamed models use `default` */
  WORKFLOW_VARIANTS: zList
    .pipe(
      z.array(
        z
          .string()
          .regex(/^[a-z0-9_-]+:[a-z0-9_-]+$/, 'must be model:variant pairs, e.g. flux:gguf')
          .transform((pair) => pair.split(':') as [string, string]),
      ),
    )
    .pipe(z.array(z.tuple([zModelId, z.string()])))
    .transform((pairs) => Object.fromEntries(pairs) as Partial<Record<z.infer<typeof zModelId>, string>>)
    .default({}),
  POLICY_TERMS_FILE: z.string().optional(),
  WEB_DIST_DIR: z.string().optional(),
  ALLOWED_SIZES: zList
    .pipe(z.array(z.string().regex(/^\d+$/, 'must be whole numbers').transform(Number)))
    .default([512, 768, 1024]),
  MAX_QUEUE: z.coerce.number().int().positive().default(1000),
  DEGRADED_MAX_WAITING: z.coerce.number().int().min(0).default(25),
  DEGRADED_MAX_WAIT_SECONDS: z.coerce.number().positive().default(30),
  /** a queued job for a model no account is ready for (or being checked for) fails no_backend_available after this */
  NO_BACKEND_MAX_WAIT_SECONDS: z.coerce.number().positive().default(300),
  RATE_LIMIT_GENERATE_PER_MINUTE: z.coerce.number().int().positive().default(60),
  RATE_LIMIT_GENERATE_PER_IP_PER_MINUTE: z.coerce.number().int().positive().default(240),
  RATE_LIMIT_LOGIN_PER_MINUTE: z.coerce.number().int().positive().default(10),
  RETRY_LIMIT: z.coerce.number().int().min(0).max(10).default(2),
  /** proxies in front of the gateway: a hop count, or the proxies' addresses/CIDRs (X-Forwarded-* trusted only from them) */
  TRUST_PROXY: z
    .string()
    .transform((v, ctx) => {
      if (/^\d+$/.test(v)) return Number(v);
      const list = v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      for (const item of list) {
        const [addr, bits, extra] = item.split('/');
        const version = isIP(addr ?? '');
        const maxBits = version === 6 ? 128 : 32;
        if (
          version === 0 ||
          extra !== undefined ||
          (bits !== undefined && !(/^\d+$/.test(bits) && Number(bits) <= maxBits))
        ) {
          ctx.addIssue({ code: 'custom', message: `must be a hop count or IP addresses/CIDRs; "${item}" is neither` });
          return z.NEVER;
        }
      }
      return list;
    })
    .optional(),
  /** key mode: a Bearer token that may read /metrics (admins may too) */
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  /** queued jobs one user may have at once (429 user_queue_full beyond) */
  MAX_QUEUED_PER_USER: z.coerce.number().int().positive().default(20),
  /** open event streams one user may hold (429 too_many_streams beyond) */
  MAX_SSE_PER_USER: z.coerce.number().int().positive().default(20),
  /** stored media per user (uploads and outputs); unset = no quota */
  MAX_USER_STORAGE_MB: z.coerce.number().positive().optional(),
  /** below this much free space in DATA_DIR new jobs are refused (503 storage_full) */
  MIN_FREE_DISK_MB: z.coerce.number().min(0).default(200),
  /** a request must arrive whole (headers and body) within this; slow clients are dropped */
  REQUEST_TIMEOUT_SECONDS: z.coerce.number().positive().default(120),
  HEADERS_TIMEOUT_SECONDS: z.coerce.number().positive().default(15),
  KEEP_ALIVE_TIMEOUT_SECONDS: z.coerce.number().positive().default(10),
  /** webhooks may call plain http URLs (development; production receivers use https) */
  WEBHOOK_ALLOW_HTTP: zBool.default(false),
  /** hosts webhooks may call whatever their addresses (loopback, private networks); `*.example.com` for subdomains */
  WEBHOOK_ALLOWED_HOSTS: zList.default([]),
  /** tries per webhook message, the first included */
  WEBHOOK_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(30).default(10),
  /** the wait after the first failed try; each later one doubles (±20 % jitter), at most 6 h */
  WEBHOOK_RETRY_BASE_MS: z.coerce.number().int().min(10).max(3_600_000).default(30_000),
  /** output checks: `minors` withholds explicit output of a prompt naming a minor, `all` any explicit output */
  OUTPUT_CHECK: z.enum(['minors', 'all', 'off']).default('minors'),
  /** an output is explicit when Porn, Hentai or Sexy scores at least this (0..1) */
  OUTPUT_THRESHOLD: z.coerce.number().min(0.05).max(1).default(0.5),
  /** … or when the three together score at least this */
  OUTPUT_COMBINED_THRESHOLD: z.coerce.number().min(0.05).max(3).default(0.7),
  /** C2PA signing certificate chain (PEM) and its key; unset = a self-signed pair under DATA_DIR/c2pa */
  C2PA_CERT: z.string().optional(),
  C2PA_KEY: z.string().optional(),
  /** embed signed C2PA manifests in PNG, JPEG and MP4 outputs */
  C2PA_SIGN: zBool.default(true),
  /** outputs, thumbnails and references older than this many days are deleted; unset = kept */
  RETENTION_DAYS: z.coerce.number().int().min(1).max(36_500).optional(),
});

export type Env = z.infer<typeof zEnv>;

export interface Config extends Env {
  dataDir: string;
  databaseFile: string;
  /** set when DATABASE_URL is postgres://… (or postgresql://…): the store is PostgreSQL, databaseFile is unused */
  postgresUrl: string | undefined;
  simulated: boolean;
}

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const raw = Object.fromEntries(Object.entries(env).filter(([k, v]) => v !== '' && k in zEnv.shape));
  const parsed = zEnv.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(env)'}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const dataDir = path.resolve(e.DATA_DIR);
  let databaseFile = path.join(dataDir, 'mediagen.db');
  let postgresUrl: string | undefined;
  if (e.DATABASE_URL && /^postgres(ql)?:\/\//.test(e.DATABASE_URL)) {
    if (!URL.canParse(e.DATABASE_URL)) {
      throw new ConfigError('Invalid configuration:\n  DATABASE_URL: not a valid postgres:// URL');
    }
    postgresUrl = e.DATABASE_URL;
  } else if (e.DATABASE_URL) {
    databaseFile = path.resolve(e.DATABASE_URL.replace(/^sqlite:(\/\/)?/, ''));
  }
  return { ...e, dataDir, databaseFile, postgresUrl, simulated: e.COMFYUI_URLS.length === 0 };
}

/** DATA_DIR must exist (or be creatable) and be writable: a clear start-up error, not a failed job later. */
export function assertDataDirUsable(config: Pick<Config, 'dataDir'>): void {
  const probe = path.join(config.dataDir, `.write-probe-${process.pid}`);
  try {
    fs.mkdirSync(config.dataDir, { recursive: true });
    fs.writeFileSync(probe, 'ok');
    fs.rmSync(probe, { force: true });
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new ConfigError(`Invalid configuration:\n  DATA_DIR: ${config.dataDir} is not a writable directory (${why})`);
  }
}
