// Reading a prompt's end from /history: where a re-attached prompt stands, and the fallback for a result the
// socket delivered only in part.
import { EngineError } from '#ports/engine.ts';
import type { ComfyUiClient } from './comfyui-client.ts';
import { outputFiles, type HistoryEntry } from './comfyui-messages.ts';
import { backendRequestError } from './request-errors.ts';

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** Where a prompt is on the backend: finished (history), still queued/running, or unknown. */
export async function locatePrompt(
  client: ComfyUiClient,
  backendName: string,
  id: string,
): Promise<{ state: 'done'; entry: HistoryEntry } | { state: 'queued' | 'unknown' }> {
  try {
    const entry = await client.getHistory(id);
    if (entry) return { state: 'done', entry };
    const q = await client.getQueue();
    if (q.running.includes(id) || q.pending.includes(id)) return { state: 'queued' };
    const again = await client.getHistory(id); // it may have finished between the two reads
    return again ? { state: 'done', entry: again } : { state: 'unknown' };
  } catch (err) {
    throw new EngineError('backend_lost', `Backend ${backendName} does not answer: ${message(err)}`, true);
  }
}

/** Whether an entry holds files of the template's output node (of any node when the template names none). */
export function holdsOutputs(entry: HistoryEntry, outputNode: string | undefined): boolean {
  return (outputNode === undefined || outputNode in entry.outputs) && outputFiles(entry, outputNode).length > 0;
}

/**
 * An entry put together from the socket, unless it lacks the template's output (a cached output node replayed
 * without its files, or an older ComfyUI that replays nothing): then /history, which keeps cached outputs too.
 */
export async function completeEntry(
  client: ComfyUiClient,
  backendName: string,
  entry: HistoryEntry,
  id: string,
  outputNode: string | undefined,
): Promise<HistoryEntry> {
  if (holdsOutputs(entry, outputNode)) return entry;
  try {
    return (await client.getHistory(id)) ?? entry;
  } catch (err) {
    throw backendRequestError(err, backendName, 'reading the history');
  }
}
