import type { ClusterSignal, ClusterSignals } from '#ports/cluster-signals.ts';

/** One gateway: every change was made here and acted on here, so a signal has no one to reach. */
export function createSingleInstanceSignals(): ClusterSignals {
  const listeners = new Set<(s: ClusterSignal) => void>();
  return {
    send() {},
    on(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    async close() {
      listeners.clear();
    },
  };
}
