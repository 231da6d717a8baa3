import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createChannelSignals } from '#adapters/cluster/channel-signals.ts';
import { MemoryMessageHub } from '#test/fakes/memory-message-channel.ts';
import { RecordingRunnerControl } from '#test/fakes/service-kit.ts';
import { RunningTaskControl } from './running-task-control.ts';

function twoGateways() {
  const hub = new MemoryMessageHub();
  const log = pino({ level: 'silent' });
  const gateway = () => {
    const runner = Object.assign(new RecordingRunnerControl(), { woken: 0, wake: () => undefined });
    const control = new RunningTaskControl({ runner, signals: createChannelSignals(hub.endpoint(), log) });
    return { runner, control };
  };
  return { hub, a: gateway(), b: gateway() };
}
const delivered = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('cancel of a running task, wherever it runs', () => {
  it('a task this gateway runs is aborted here, and no one else is told', async () => {
    const { hub, a, b } = twoGateways();
    a.runner.running.add('t1');
    expect(a.control.cancelRunning('t1')).toBe(true);
    await delivered();
    expect(hub.sent).toEqual([]);
    expect(b.runner.cancelled).toEqual([]);
  });

  it('a task another gateway runs: a cancel signal, and that gateway aborts it', async () => {
    const { a, b } = twoGateways();
    b.runner.running.add('t1');
    expect(a.control.cancelRunning('t1')).toBe(false);
    await delivered();
    expect(b.runner.cancelled).toEqual(['t1']);
    expect(a.runner.cancelled).toEqual(['t1']); // asked itself first, never again on its own signal
  });

  it('after close, a signal no longer reaches the runner', async () => {
    const { a, b } = twoGateways();
    b.control.close();
    a.control.cancelRunning('t1');
    await delivered();
    expect(b.runner.cancelled).toEqual([]);
  });
});
