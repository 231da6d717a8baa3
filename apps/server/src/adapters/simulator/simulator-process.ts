import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import readline from 'node:readline';

const SIMULATOR_ENTRY = fileURLToPath(new URL('../../../../simulator/src/main.ts', import.meta.url));

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export interface SimulatorProcess {
  urls: string[];
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Starts the ComfyUI-protocol simulator as its own process (SPEC §7) and waits until every GPU port listens. */
export async function startSimulatorProcess(opts: {
  gpus: number;
  timeScale: number;
  env?: NodeJS.ProcessEnv;
  ports?: number[];
}): Promise<SimulatorProcess> {
  const ports = opts.ports ?? (await Promise.all(Array.from({ length: opts.gpus }, () => freePort())));
  const child = spawn(process.execPath, ['--import', 'tsx', SIMULATOR_ENTRY], {
    env: {
      ...process.env,
      ...opts.env,
      SIM_PORTS: ports.join(','),
      SIM_HOST: '127.0.0.1',
      SIM_TIME_SCALE: String(opts.timeScale),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const listening = new Set<number>();
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('simulator did not start within 30 s')), 30_000);
    child.once('exit', (code) => reject(new Error(`simulator exited with code ${code}`)));
    readline.createInterface({ input: child.stdout }).on('line', (line) => {
      try {
        const msg = JSON.parse(line) as { msg?: string; port?: number };
        if (msg.msg === 'simulator listening' && typeof msg.port === 'number') listening.add(msg.port);
      } catch {
        // not a JSON line: ignore
      }
      if (ports.every((p) => listening.has(p))) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  return {
    urls: ports.map((p) => `http://127.0.0.1:${p}`),
    child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 3000).unref();
      }),
  };
}
