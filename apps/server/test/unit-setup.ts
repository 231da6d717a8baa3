// Setup file of the `unit` project (every workspace's unit tests, see vitest.config.ts): a unit test opens no
// socket and starts no process. Listening, connecting and spawning throw at once, and the attempt also fails the
// test afterwards, so code that swallows the error (a fetch in a try/catch, a `.catch(() => undefined)`) cannot
// hide it. Tests that need those belong in an `integration/` folder.
import childProcess from 'node:child_process';
import dgram from 'node:dgram';
import { syncBuiltinESMExports } from 'node:module';
import net from 'node:net';
import { afterEach } from 'vitest';

/** What the guard refused since the last check, shared with the guard's own test through globalThis. */
const REFUSED = Symbol.for('mediagen.unit-isolation.refused');

interface GuardState {
  [REFUSED]?: string[];
}

/** The refusals recorded so far in this test; taking them clears them (the guard's own test uses this). */
export function takeRefusals(): string[] {
  const state = globalThis as GuardState;
  const refused = state[REFUSED] ?? [];
  state[REFUSED] = [];
  return refused;
}

function refuse(what: string): never {
  const state = globalThis as GuardState;
  (state[REFUSED] ??= []).push(what);
  throw new Error(
    `unit tests open no sockets and start no processes (${what}); use the in-memory fakes in apps/server/test/fakes, ` +
      'or move the test into an integration/ folder',
  );
}

const PROCESS_FUNCTIONS = ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork'] as const;

function install(): void {
  net.Server.prototype.listen = function listen(): never {
    return refuse('net.Server.listen');
  };
  net.Socket.prototype.connect = function connect(): never {
    return refuse('net.Socket.connect');
  };
  dgram.Socket.prototype.bind = function bind(): never {
    return refuse('dgram.Socket.bind');
  };
  const writable = childProcess as unknown as Record<string, unknown>;
  for (const name of PROCESS_FUNCTIONS) {
    writable[name] = (): never => refuse(`child_process.${name}`);
  }
  // `import { spawn } from 'node:child_process'` reads the ESM view of the module: bring it up to date
  syncBuiltinESMExports();
}

install();

afterEach(() => {
  const refused = takeRefusals();
  if (refused.length > 0) {
    throw new Error(`this unit test tried to open a socket or start a process: ${refused.join(', ')}`);
  }
});
