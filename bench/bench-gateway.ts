/* A gateway process for the benches that compare stores and instances: main.ts with the limits raised, and an API key. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startGatewayProcess, type GatewayProcess } from '../apps/server/test/gateway-process.ts';
import { ADMIN_KEY, call } from './http-saturation.ts';

export interface BenchGateway {
  gw: GatewayProcess;
  /** the bench user's API key (made on the first gateway of a database, passed to the next ones) */
  key: string;
  stop(): Promise<void>;
}

export async function startBenchGateway(o: {
  comfyUrls: string[];
  /** postgres://… ; the SQLite file of a fresh DATA_DIR when absent */
  database?: string;
  /** the API key of a user made by another gateway on the same database */
  key?: string;
  /** a DATA_DIR shared with other gateways (media seen by all, as on a shared volume), kept on stop */
  dataDir?: string;
  readyAccounts?: number;
  env?: Record<string, string>;
}): Promise<BenchGateway> {
  const dataDir = o.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'bench-gw-'));
  const gw = await startGatewayProcess({
    dataDir,
    readyAccounts: o.readyAccounts ?? o.comfyUrls.length,
    env: {
      AUTH_MODE: 'key',
      ADMIN_KEY,
      COMFYUI_URLS: o.comfyUrls.join(','),
      LOG_LEVEL: 'warn',
      RATE_LIMIT_GENERATE_PER_MINUTE: '100000000',
      RATE_LIMIT_GENERATE_PER_IP_PER_MINUTE: '100000000',
      MAX_QUEUE: '10000000',
      MAX_QUEUED_PER_USER: '10000000',
      ...(o.database ? { DATABASE_URL: o.database } : {}),
      ...o.env,
    },
  });
  const stop = async (): Promise<void> => {
    await gw.stop('SIGTERM');
    if (!o.dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    return { gw, key: o.key ?? (await benchUserKey(gw.url)), stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function benchUserKey(url: string): Promise<string> {
  const login = await fetch(`${url}/api/admin/session`, { method: 'POST', headers: { 'x-admin-key': ADMIN_KEY } });
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
  const { access_key: key } = await call<{ access_key: string }>(`${url}/api/admin/users`, {
    method: 'POST',
    headers: { cookie, 'content-type': 'application/json', origin: url },
    body: JSON.stringify({ name: 'bench' }),
  });
  return key;
}
