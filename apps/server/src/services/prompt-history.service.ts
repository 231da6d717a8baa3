import crypto from 'node:crypto';
import type { PromptHistoryItem } from '@mediagen/contract';
import { notFound } from '#domain/app-error.ts';
import type { Store, TaskRecord } from '#ports/store.ts';

/** How many prompts a user's history keeps. */
const PROMPT_HISTORY_SIZE = 200;

export function searchWords(q: string | undefined): string[] {
  return (q ?? '')
    .split(/\s+/)
    .map((w) => w.trim())
    .filter((w) => w.length > 0)
    .slice(0, 8);
}

interface PendingPrompt {
  id: string;
  ownerId: string;
  prompt: string;
  negativePrompt: string;
  at: number;
}

/**
 * Prompts a user sent (kept on the server: every device sees them), newest first, searchable. Accepted prompts are
 * written in batches (one durable write a second at most), never in the path of POST /api/generate.
 */
export class PromptHistoryService {
  private pending: PendingPrompt[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly d: {
      store: Store;
      now: () => number;
      log: { warn(o: object, m: string): void };
      /** how long accepted prompts gather before one write */
      flushMs?: number;
    },
  ) {}

  /** Remember the prompt of an accepted task (API jobs included). */
  recordTask(t: TaskRecord): void {
    if (t.params.prompt === '') return;
    this.pending.push({
      id: crypto.randomUUID(),
      ownerId: t.ownerId,
      prompt: t.params.prompt,
      negativePrompt: t.params.negative_prompt,
      at: this.d.now(),
    });
    if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), this.d.flushMs ?? 1000);
      this.timer.unref();
    }
  }

  /** Write what has gathered (also on shutdown). */
  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    try {
      await this.d.store.prompts.record(batch, PROMPT_HISTORY_SIZE);
    } catch (err) {
      this.d.log.warn({ err, prompts: batch.length }, 'prompt history not updated');
    }
  }

  async list(ownerId: string, q: string | undefined, limit: number): Promise<{ items: PromptHistoryItem[] }> {
    const rows = await this.d.store.prompts.list(ownerId, searchWords(q), limit);
    return {
      items: rows.map((r) => ({
        id: r.id,
        prompt: r.prompt,
        negative_prompt: r.negativePrompt,
        uses: r.uses,
        last_used_at: new Date(r.lastUsedAt).toISOString(),
      })),
    };
  }

  async remove(ownerId: string, id: string): Promise<void> {
    if (!(await this.d.store.prompts.delete(ownerId, id))) throw notFound('Prompt');
  }
}
