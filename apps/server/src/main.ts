import { MissingBinaryError } from '@mediagen/binaries';
import pino from 'pino';
import { buildApp } from './app.ts';
import { assertDataDirUsable, ConfigError, loadConfig, type Config } from './config.ts';
import { createContainer, WEB_DIST } from './container.ts';
import { httpSettings } from './container-resources.ts';
import { createErrorReporter } from './error-reporting.ts';

function config(): Config {
  try {
    const c = loadConfig();
    assertDataDirUsable(c);
    return c;
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
}

const cfg = config();
const log = pino({
  level: cfg.LOG_LEVEL,
  redact: {
    paths: [
      'req.headers.cookie',
      'req.headers.authorization',
      'req.headers["x-api-key"]',
      'req.headers["x-admin-key"]',
      'access_key',
      'auth_token',
      'prompt',
      '*.prompt',
      '*.access_key',
      '*.auth_token',
    ],
    censor: '[redacted]',
  },
});
if (cfg.AUTH_MODE === 'open' && !['127.0.0.1', 'localhost', '::1'].includes(cfg.HOST)) {
  log.warn(
    { host: cfg.HOST },
    'AUTH_MODE=open on a non-loopback HOST: anyone who can reach this port can generate. Set AUTH_MODE=key.',
  );
}
const reporter = await createErrorReporter(cfg.SENTRY_DSN, log);
let container: Awaited<ReturnType<typeof createContainer>>;
try {
  container = await createContainer(cfg, log);
} catch (err) {
  if (err instanceof MissingBinaryError) {
    process.stderr.write(`MediaGen cannot start: ${err.message}\n`);
    process.exit(2);
  }
  throw err;
}
const { ffmpeg, ffprobe } = container.mediaBinaries;
log.info(
  {
    ffmpeg: { version: ffmpeg.version, source: ffmpeg.source },
    ffprobe: { version: ffprobe.version, source: ffprobe.source },
  },
  `media tools: ${ffmpeg.version} (${ffmpeg.source}), ${ffprobe.version} (${ffprobe.source})`,
);
await container.start();
const { app, hub } = await buildApp(container.services, httpSettings(cfg), {
  logger: log,
  ...(reporter ? { reporter } : {}),
  webDistDir: cfg.WEB_DIST_DIR ?? WEB_DIST,
  onRequestTimed: container.onRequestTimed,
  ...(container.rateCounter ? { rateCounter: container.rateCounter } : {}),
});
await app.listen({ port: cfg.PORT, host: cfg.HOST });
if (container.adminKey.generated) {
  // printed once, on the first start only; it is kept in DATA_DIR/admin.key
  process.stdout.write(`\nAdmin key (shown once, saved in ${cfg.dataDir}/admin.key): ${container.adminKey.value}\n\n`);
}
const address = `http://${cfg.HOST.includes(':') ? `[${cfg.HOST}]` : cfg.HOST}:${cfg.PORT}`;
log.info(
  { address, simulated: cfg.simulated, authMode: cfg.AUTH_MODE },
  `MediaGen listening on ${address}${cfg.simulated ? ' (simulator backend: no GPU configured)' : ''}`,
);

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, 'shutting down: no new requests, finishing writes; running jobs stay on their backends');
  const force = setTimeout(() => process.exit(1), 15_000);
  force.unref();
  hub.closeAll();
  await app.close();
  await container.stop();
  log.info('bye');
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
