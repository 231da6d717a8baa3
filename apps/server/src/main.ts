import pino from 'pino';
import { buildApp } from './app.ts';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { createContainer, WEB_DIST } from './container.ts';
import { createErrorReporter } from './error-reporting.ts';

function config(): Config {
  try {
    return loadConfig();
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
const container = await createContainer(cfg, log);
await container.start();
const app = await buildApp(container.services, {
  logger: log,
  ...(reporter ? { reporter } : {}),
  webDistDir: cfg.WEB_DIST_DIR ?? WEB_DIST,
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
  log.info({ signal }, 'shutting down: no new requests, finishing writes');
  const force = setTimeout(() => process.exit(1), 15_000);
  force.unref();
  await app.close();
  await container.stop();
  log.info('bye');
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
