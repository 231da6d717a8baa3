import type { QueueBounds } from '#ports/store.ts';

/** Whether a new job would take the queue past admission's bounds (counted inside the insert's transaction). */
export function overBounds(
  counts: { ownerQueued: number; queuedOfType: number; waitingVideo: number },
  bounds: QueueBounds,
): boolean {
  return (
    counts.ownerQueued >= bounds.ofOwner ||
    counts.queuedOfType >= bounds.ofType ||
    (bounds.waitingVideo !== undefined && counts.waitingVideo >= bounds.waitingVideo)
  );
}
