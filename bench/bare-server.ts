/*
 * The baseline for the HTTP benches: bare Fastify (no plugins, one route returning a small JSON object the size
 * of a status answer) in a process of its own, so it does not share an event loop with the gateway it is
 * compared with. Prints its port on stdout.
 */
import Fastify from 'fastify';

const sample = {
  task_id: 'x'.repeat(36),
  job_id: 'x'.repeat(36),
  status: 'running',
  progress: 42,
  stage: 'sampling',
  created_at: new Date().toISOString(),
};
const app = Fastify();
app.get('/bare', async () => sample);
await app.listen({ port: 0, host: '127.0.0.1' });
process.stdout.write(`${(app.server.address() as { port: number }).port}\n`);
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
