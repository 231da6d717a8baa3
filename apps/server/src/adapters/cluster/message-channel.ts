/**
 * Messages between the gateway instances that share one database, under the cluster adapters (events, signals).
 * In order per sender, never delivered back to the sender, any size. Not a port: services never see it; the task
 * bus and the signals are the ports built on it.
 */
export interface MessageChannel {
  /** queued and sent in order; never throws (a failure is logged, and the message lost) */
  send(topic: string, payload: string): void;
  subscribe(topic: string, fn: (payload: string) => void): () => void;
  /**
   * messages sent since `lostAt` (ms) may have been missed, re-read what matters: after the listening connection came
   * back, or when one message could not be read
   */
  onResync(fn: (lostAt: number) => void): () => void;
  /** resolves once messages are received (the first connection is up) */
  ready(): Promise<void>;
  close(): Promise<void>;
}
