import type { UsageStats } from '@mediagen/contract';
import type { Store } from '#ports/store.ts';

/** Admin usage figures (SPEC §6 GET /api/admin/stats) over the finished tasks of the last N days. */
export async function usageStats(store: Store, now: number, days = 14): Promise<UsageStats> {
  const since = now - days * 86_400_000;
  const rows = await store.tasks.finishedSince(since);
  const perKey = new Map<
    string,
    { day: string; model: string; completed: number; failed: number; cancelled: number }
  >();
  let queueSum = 0;
  let queueN = 0;
  let gpuSum = 0;
  let gpuN = 0;
  const totals = { completed: 0, failed: 0, cancelled: 0 };
  for (const r of rows) {
    const day = new Date(r.finishedAt).toISOString().slice(0, 10);
    const key = `${day}|${r.model}`;
    const entry = perKey.get(key) ?? { day, model: r.model, completed: 0, failed: 0, cancelled: 0 };
    entry[r.status] += 1;
    totals[r.status] += 1;
    perKey.set(key, entry);
    if (r.startedAt !== null) {
      queueSum += (r.startedAt - r.createdAt) / 1000;
      queueN += 1;
    }
    if (r.gpuMs !== null) {
      gpuSum += r.gpuMs / 1000;
      gpuN += 1;
    }
  }
  const decided = totals.completed + totals.failed;
  const round = (v: number): number => Math.round(v * 100) / 100;
  return {
    days,
    per_model_per_day: [...perKey.values()].sort((a, b) =>
      a.day === b.day ? a.model.localeCompare(b.model) : a.day.localeCompare(b.day),
    ),
    success_rate: decided > 0 ? round(totals.completed / decided) : null,
    mean_queue_seconds: queueN > 0 ? round(queueSum / queueN) : null,
    mean_gpu_seconds: gpuN > 0 ? round(gpuSum / gpuN) : null,
    totals,
  };
}
