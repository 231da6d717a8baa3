/** how long a cancel waits for its task to start here: far longer than a claim's write takes to come back */
const KEEP_MS = 60_000;

/**
 * Cancels that reached this runner before the task they name did. A job is claimed by a write to the store and
 * only then joins the runner's running set; on PostgreSQL that write is a round trip (and the transition hooks
 * more), so a cancel arriving in between — the user's, or another gateway's signal — found nothing to abort and
 * was lost, and the job ran to its end. Remembered here, it aborts the run as soon as the run starts.
 */
export class EarlyCancels {
  private readonly asked = new Map<string, number>();

  constructor(private readonly now: () => number) {}

  remember(taskId: string): void {
    const at = this.now();
    for (const [id, t] of this.asked) if (at - t > KEEP_MS) this.asked.delete(id);
    this.asked.set(taskId, at);
  }

  /** true (once) when a cancel for this task came before it started here, recently enough to still stand */
  take(taskId: string): boolean {
    const at = this.asked.get(taskId);
    if (at === undefined) return false;
    this.asked.delete(taskId);
    return this.now() - at <= KEEP_MS;
  }
}
