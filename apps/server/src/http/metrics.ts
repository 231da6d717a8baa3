import client from 'prom-client';
import type { TaskEvent } from '@mediagen/contract';

/** Prometheus metrics: HTTP timings, task outcomes, queue depth. One registry per app instance. */
export function createMetrics(queueDepth: () => Promise<number>, runningJobs: () => number) {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry });
  const http = new client.Histogram({
    name: 'mediagen_http_request_duration_seconds',
    help: 'HTTP request duration',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
    registers: [registry],
  });
  const tasks = new client.Counter({
    name: 'mediagen_tasks_total',
    help: 'Tasks that ended, by outcome',
    labelNames: ['outcome'],
    registers: [registry],
  });
  new client.Gauge({
    name: 'mediagen_queue_depth',
    help: 'Queued tasks',
    registers: [registry],
    async collect() {
      this.set(await queueDepth());
    },
  });
  new client.Gauge({
    name: 'mediagen_running_jobs',
    help: 'Jobs running on backends',
    registers: [registry],
    collect() {
      this.set(runningJobs());
    },
  });
  return {
    registry,
    observeHttp(route: string, method: string, status: number, seconds: number): void {
      http.observe({ route, method, status: String(status) }, seconds);
    },
    onTaskEvent(e: TaskEvent): void {
      if (e.event === 'completed' || e.event === 'failed' || e.event === 'cancelled') tasks.inc({ outcome: e.event });
    },
    text: () => registry.metrics(),
    contentType: registry.contentType,
  };
}
