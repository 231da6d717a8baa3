import { execFile, execFileSync, fork, spawn, spawnSync } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { takeRefusals } from './unit-setup.ts';

// The unit project's setup file refuses sockets and processes; these tests prove it does (each takes what it
// provoked, so the guard's after-each check stays quiet for it).

describe('unit isolation guard', () => {
  it('refuses to listen on a socket', () => {
    expect(() => net.createServer().listen(0, '127.0.0.1')).toThrow(/open no sockets/);
    expect(() => http.createServer().listen(0)).toThrow(/open no sockets/);
    expect(takeRefusals()).toEqual(['net.Server.listen', 'net.Server.listen']);
  });

  it('refuses outgoing connections, also through fetch, and remembers ones the caller swallowed', async () => {
    expect(() => net.connect(9, '127.0.0.1')).toThrow(/open no sockets/);
    await expect(fetch('http://127.0.0.1:65535/')).rejects.toThrow();
    const refused = takeRefusals();
    expect(refused.length).toBeGreaterThanOrEqual(2);
    expect(new Set(refused)).toEqual(new Set(['net.Socket.connect']));
  });

  it('refuses child processes, through named imports too', () => {
    expect(() => spawn('true')).toThrow(/start no processes/);
    expect(() => spawnSync('true')).toThrow(/start no processes/);
    expect(() => execFileSync('true')).toThrow(/start no processes/);
    expect(() => execFile('true')).toThrow(/start no processes/);
    expect(() => fork('noop.js')).toThrow(/start no processes/);
    expect(takeRefusals()).toEqual([
      'child_process.spawn',
      'child_process.spawnSync',
      'child_process.execFileSync',
      'child_process.execFile',
      'child_process.fork',
    ]);
  });

  // the after-each check fails a test whose attempt was swallowed: `fails` passes only because of that check
  it.fails('fails a test that swallowed the refusal', async () => {
    await fetch('http://127.0.0.1:65535/').catch(() => undefined);
  });
});
