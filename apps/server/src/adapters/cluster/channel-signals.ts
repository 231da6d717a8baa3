import type { Logger } from 'pino';
import { z } from 'zod';
import type { ClusterSignal, ClusterSignals } from '#ports/cluster-signals.ts';
import type { MessageChannel } from './message-channel.ts';

export const SIGNALS_TOPIC = 'mediagen_signals';

const zSignal = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('cancel'), taskId: z.string() }),
  z.object({ kind: z.literal('auth-forget'), userId: z.string().optional(), tokenHash: z.string().optional() }),
  z.object({ kind: z.literal('accounts-changed') }),
  z.object({ kind: z.literal('lanes-changed') }),
]);

/** Signals between gateways over the message channel (PostgreSQL NOTIFY), never delivered back to the sender. */
export function createChannelSignals(channel: MessageChannel, log: Logger): ClusterSignals {
  const listeners = new Set<(s: ClusterSignal) => void>();
  const off = channel.subscribe(SIGNALS_TOPIC, (payload) => {
    let signal: ClusterSignal;
    try {
      signal = zSignal.parse(JSON.parse(payload));
    } catch (err) {
      log.warn({ err }, 'ignored a malformed signal from another gateway');
      return;
    }
    for (const fn of [...listeners]) fn(signal);
  });
  return {
    send(signal) {
      channel.send(SIGNALS_TOPIC, JSON.stringify(signal));
    },
    on(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    async close() {
      off();
      listeners.clear();
    },
  };
}
