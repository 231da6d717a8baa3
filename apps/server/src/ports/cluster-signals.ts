/**
 * Signals between gateway instances that share one database. One gateway: nothing to tell anyone (the in-process
 * adapter drops them). Several gateways on PostgreSQL: carried by NOTIFY to every other instance, never back to
 * the sender (it has already acted on its own change).
 */
export type ClusterSignal =
  /** a running task was cancelled on an instance that does not drive it: the driving instance aborts it */
  | { kind: 'cancel'; taskId: string }
  /** a user's key changed, was revoked, the user was deleted, or a session ended: drop cached lookups */
  | { kind: 'auth-forget'; userId?: string; tokenHash?: string }
  /** accounts were added, edited, removed, or changed status: re-read them */
  | { kind: 'accounts-changed' }
  /** a lane was paused or resumed: re-read the lane settings */
  | { kind: 'lanes-changed' };

export interface ClusterSignals {
  send(signal: ClusterSignal): void;
  on(fn: (signal: ClusterSignal) => void): () => void;
  close(): Promise<void>;
}
