// ComfyUI's execution.PromptQueue for one GPU: a binary heap ordered like Python's heapq over
// `(number, prompt_id, …)` tuples (so GET /queue shows the same unsorted heap layout), the
// running item, and the in-memory history (oldest first, capped at 10,000 entries).
import type { Graph } from './graph-validation.ts';

export interface QueueItem {
  number: number;
  promptId: string;
  graph: Graph;
  extraData: Record<string, unknown>;
  outputs: string[];
  /** performance.now() when POST /prompt arrived: the backend's own time for a prompt starts there (benches) */
  receivedAt?: number;
}

export interface HistoryEntry {
  prompt: [number, string, Graph, Record<string, unknown>, string[]];
  outputs: Record<string, Record<string, unknown>>;
  status: { status_str: 'success' | 'error'; completed: boolean; messages: Array<[string, Record<string, unknown>]> };
  meta: Record<string, { node_id: string; display_node: string; parent_node: string | null; real_node_id: string }>;
}

export const MAXIMUM_HISTORY_SIZE = 10_000;
/** execution.py strips these Comfy.org credentials from history */
const SENSITIVE_EXTRA_DATA_KEYS = new Set(['api_key_comfy_org', 'auth_token_comfy_org']);

const less = (a: QueueItem, b: QueueItem): boolean =>
  a.number < b.number || (a.number === b.number && a.promptId < b.promptId);

export class PromptQueue {
  private heap: QueueItem[] = [];
  running: QueueItem | undefined;
  readonly history = new Map<string, HistoryEntry>();

  get pendingCount(): number {
    return this.heap.length;
  }

  /** pending + running, the `queue_remaining` of status messages */
  get remaining(): number {
    return this.heap.length + (this.running ? 1 : 0);
  }

  put(item: QueueItem): void {
    this.heap.push(item);
    this.siftDown(0, this.heap.length - 1);
  }

  /** Pops the lowest (number, prompt_id) and marks it running. */
  take(): QueueItem | undefined {
    const last = this.heap.pop();
    if (!last) return undefined;
    let item = last;
    if (this.heap.length > 0) {
      item = this.heap[0]!;
      this.heap[0] = last;
      this.siftUp(0);
    }
    this.running = item;
    return item;
  }

  taskDone(item: QueueItem, entry: Omit<HistoryEntry, 'prompt'>): void {
    const extra = Object.fromEntries(Object.entries(item.extraData).filter(([k]) => !SENSITIVE_EXTRA_DATA_KEYS.has(k)));
    this.history.set(item.promptId, {
      prompt: [item.number, item.promptId, item.graph, extra, item.outputs],
      ...entry,
    });
    while (this.history.size > MAXIMUM_HISTORY_SIZE) this.history.delete(this.history.keys().next().value!);
    if (this.running === item) this.running = undefined;
  }

  /** Removes the first pending item with this id (ComfyUI: pop + heapify). */
  delete(promptId: string): boolean {
    const i = this.heap.findIndex((q) => q.promptId === promptId);
    if (i < 0) return false;
    this.heap.splice(i, 1);
    for (let k = (this.heap.length >> 1) - 1; k >= 0; k--) this.siftUp(k);
    return true;
  }

  wipe(): void {
    this.heap = [];
  }

  pendingIds(): string[] {
    return [...this.heap].sort((a, b) => (less(a, b) ? -1 : less(b, a) ? 1 : 0)).map((q) => q.promptId);
  }

  /** GET /queue: pending is the raw heap array, not sorted, exactly as ComfyUI returns it. */
  view(): { queue_running: unknown[]; queue_pending: unknown[] } {
    const row = (q: QueueItem): unknown[] => [q.number, q.promptId, q.graph, q.extraData, q.outputs];
    return { queue_running: this.running ? [row(this.running)] : [], queue_pending: this.heap.map(row) };
  }

  /** GET /history semantics: with max_items and no offset, the newest N. */
  historyView(maxItems?: number, offset = -1): Record<string, HistoryEntry> {
    let start = offset;
    if (start < 0 && maxItems !== undefined) start = this.history.size - maxItems;
    const out: Record<string, HistoryEntry> = {};
    let i = 0;
    for (const [k, v] of this.history) {
      if (i >= start) {
        out[k] = v;
        if (maxItems !== undefined && Object.keys(out).length >= maxItems) break;
      }
      i += 1;
    }
    return out;
  }

  // heapq._siftdown / _siftup, ported so the heap layout matches CPython's
  private siftDown(start: number, pos: number): void {
    const h = this.heap;
    const item = h[pos]!;
    while (pos > start) {
      const parentPos = (pos - 1) >> 1;
      const parent = h[parentPos]!;
      if (!less(item, parent)) break;
      h[pos] = parent;
      pos = parentPos;
    }
    h[pos] = item;
  }

  private siftUp(pos: number): void {
    const h = this.heap;
    const end = h.length;
    const start = pos;
    const item = h[pos]!;
    let child = 2 * pos + 1;
    while (child < end) {
      const right = child + 1;
      if (right < end && !less(h[child]!, h[right]!)) child = right;
      h[pos] = h[child]!;
      pos = child;
      child = 2 * pos + 1;
    }
    h[pos] = item;
    this.siftDown(start, pos);
  }
}
