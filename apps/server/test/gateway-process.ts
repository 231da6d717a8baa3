import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort } from '../src/adapters/simulator/simulator-process.ts';
import { databaseEnvFor } from './test-databases.ts';
import { json, waitFor } from './test-server.ts';

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));

export interface GatewayProcess {
  url: string;
  port: number;
  child: ChildProcess;
  /** resolves with the exit code (or signal) once the process is gone */
  exited: Promise<number | NodeJS.Signals | null>;
  /** SIGTERM (a drain) or SIGKILL (a crash), then wait for the exit */
  stop(signal?: 'SIGTERM' | 'SIGKILL'): Promise<number | NodeJS.Signals | null>;
}

/** `main.ts` as its own process (real start-up, signals and shutdown), on a free port or the one given. */
export async function startGatewayProcess(o: {
  dataDir: string;
  env?: Record<string, string>;
  port?: number;
  /** wait until /api/health reports this many ready accounts (default 0: just answering) */
  readyAccounts?: number;
  /** extra node flags (e.g. `--cpu-prof` when profiling a bench) */
  nodeArgs?: string[];
}): Promise<GatewayProcess> {
  const port = o.port ?? (await freePort());
  const database = await databaseEnvFor(o.dataDir);
  const child = spawn(process.execPath, [...(o.nodeArgs ?? []), '--import', 'tsx', MAIN], {
    env: {
      ...process.env,
      DATA_DIR: o.dataDir,
      PORT: String(port),
      HOST: '127.0.0.1',
      AUTH_MODE: 'open',
      LOG_LEVEL: 'warn',
      ADMIN_KEY: 'gateway-process-admin-key-01',
      ...database,
      ...o.env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<number | NodeJS.Signals | null>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal)),
  );
  const url = `http://127.0.0.1:${port}`;
  await waitFor(
    async () => {
      if (child.exitCode !== null) throw new Error(`the gateway exited with code ${child.exitCode}`);
      try {
        const h = await json<{ accounts: { ready: number } }>(await fetch(`${url}/api/health`));
        return h.accounts.ready >= (o.readyAccounts ?? 0) || undefined;
      } catch {
        return undefined;
      }
    },
    60_000,
    100,
  ).catch(async (err: unknown) => {
    // never ready: no process is left behind to keep the test runner from exiting
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
    throw err;
  });
  return {
    url,
    port,
    child,
    exited,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
