import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unzipSync } from 'fflate';
import { FakeEngine } from '../fake-engine.ts';
import { ADMIN_KEY, Client, json, startTestServer, waitFor, type TestServer } from '../test-server.ts';

const engine = new FakeEngine();
let server: TestServer;
let admin: Client;

const PONY = {
  type: 'image',
  model: 'pony',
  mode: 'txt2img',
  prompt: 'a lighthouse on a cliff at dawn',
  width: 512,
  height: 512,
  seed: 42,
};

interface Item {
  task_id: string;
  status: string;
  queue_position?: number;
  code?: string;
  error?: string;
  prompt: string;
}

async function newUser(name: string): Promise<Client> {
  const res = await admin.post('/api/admin/users', { name });
  const { access_key } = await json<{ access_key: string }>(res);
  return new Client(server.url, { 'x-api-key': access_key });
}

async function generate(c: Client, body: unknown): Promise<string> {
  const res = await c.post('/api/generate', body);
  expect(res.status).toBe(202);
  return (await json<{ task_id: string }>(res)).task_id;
}

async function statusOf(c: Client, id: string): Promise<string> {
  return (await json<{ status: string }>(await c.get(`/api/status/${id}`))).status;
}

/** Reads SSE events into `out` until the stream is cancelled. */
function collect(res: Response, out: Array<{ event: string; data: Record<string, unknown> }>): () => Promise<void> {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buf = '';
  const done = (async () => {
    for (;;) {
      const r = await reader.read().catch(() => ({ done: true, value: undefined }));
      if (r.done) return;
      buf += decoder.decode(r.value, { stream: true });
      let idx: number;
      while ((idx = buf.indexOf('\n\n')) >= 0) {
        const chunk = buf.slice(0, idx);
        buf = buf.slice(idx + 2);
        const ev = /^event: (.*)$/m.exec(chunk)?.[1];
        const data = /^data: (.*)$/m.exec(chunk)?.[1];
        if (ev && data) out.push({ event: ev, data: JSON.parse(data) as Record<string, unknown> });
      }
    }
  })();
  return async () => {
    await reader.cancel().catch(() => undefined);
    await done;
  };
}

beforeAll(async () => {
  server = await startTestServer({ overrides: { engine } });
  admin = new Client(server.url);
  await admin.post('/api/admin/session', undefined, { 'x-admin-key': ADMIN_KEY });
  await waitFor(async () => {
    const list = await json<{ items: Array<{ status: string }> }>(await admin.get('/api/admin/accounts'));
    return list.items.some((a) => a.status === 'ready') || undefined;
  });
});
afterAll(async () => {
  await server?.close();
});

describe('my tasks', () => {
  it('one stream per user carries API jobs as task items, then their end', async () => {
    engine.behaviour = () => ({ steps: 3, stepMs: 30 });
    const c = await newUser('stream-user');
    const res = await c.get('/api/tasks/events');
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    const events: Array<{ event: string; data: Record<string, unknown> }> = [];
    const stop = collect(res, events);
    await waitFor(() => events.some((e) => e.event === 'ready') || undefined);
    const started = Date.now();
    const id = await generate(c, PONY);
    await waitFor(() => events.some((e) => e.event === 'task' && e.data.task_id === id) || undefined, 1000, 10);
    expect(Date.now() - started).toBeLessThan(1000);
    await waitFor(
      () =>
        events.some((e) => e.event === 'task' && e.data.task_id === id && e.data.status === 'completed') || undefined,
    );
    await stop();
    const page = await json<{ items: Item[] }>(await c.get('/api/tasks'));
    expect(page.items[0]).toMatchObject({ task_id: id, status: 'completed', prompt: PONY.prompt });
    expect((await json<{ items: Item[] }>(await c.get('/api/tasks?status=queued'))).items).toEqual([]);
    expect((await c.get('/api/tasks?status=bogus')).status).toBe(400);
  });

  it('paused lane: jobs wait with honest positions; cancel all queued; retry; admin queue', async () => {
    engine.behaviour = () => ({ steps: 2, stepMs: 10 });
    const c = await newUser('queue-user');
    expect((await admin.post('/api/admin/lanes/shared/pause')).status).toBe(200);
    const a = await generate(c, PONY);
    const b = await generate(c, { ...PONY, prompt: 'second' });
    const list = await json<{ items: Item[] }>(await c.get('/api/tasks?status=queued'));
    expect(list.items.map((i) => [i.task_id, i.queue_position])).toEqual([
      [b, 2],
      [a, 1],
    ]);
    const jobs = await json<{ items: Array<{ task_id: string; user_name: string }>; paused_lanes: string[] }>(
      await admin.get('/api/admin/queue/jobs'),
    );
    expect(jobs.paused_lanes).toEqual(['shared']);
    expect(jobs.items.find((j) => j.task_id === a)?.user_name).toBe('queue-user');
    expect((await admin.post(`/api/admin/queue/jobs/${b}/front`)).status).toBe(204);
    expect((await json<{ queue_position: number }>(await c.get(`/api/status/${b}`))).queue_position).toBe(1);
    expect((await admin.post(`/api/admin/queue/jobs/${a}/cancel`)).status).toBe(204);
    const cancelled = (await json<{ items: Item[] }>(await c.get('/api/tasks'))).items.find((i) => i.task_id === a);
    expect(cancelled).toMatchObject({ status: 'cancelled', code: 'cancelled_by_admin' });
    expect(await json(await c.post('/api/tasks/cancel-queued'))).toEqual({ cancelled: 1 });
    expect(await statusOf(c, b)).toBe('cancelled');
    expect((await admin.post('/api/admin/lanes/shared/resume')).status).toBe(200);
    const again = await c.post(`/api/tasks/${b}/retry`);
    expect(again.status).toBe(202);
    const retried = (await json<{ task_id: string; seed: number }>(again)).task_id;
    expect(retried).not.toBe(b);
    await waitFor(async () => (await statusOf(c, retried)) === 'completed' || undefined);
    expect((await c.post(`/api/tasks/${retried}/retry`)).status).toBe(409);
  });

  it('availability names what would be admitted', async () => {
    const c = await newUser('avail-user');
    const a = await json<{ models: Array<{ model: string; available: boolean }> }>(await c.get('/api/availability'));
    expect(a.models.find((m) => m.model === 'pony')?.available).toBe(true);
  });
});

describe('prompt history and presets', () => {
  it('keeps prompts on the server, searchable in any script', async () => {
    engine.behaviour = () => ({ steps: 1, stepMs: 1 });
    const c = await newUser('history-user');
    await generate(c, { ...PONY, prompt: 'Кошка на крыше' });
    await generate(c, { ...PONY, prompt: 'a dog in the rain' });
    await generate(c, { ...PONY, prompt: 'a dog in the rain' });
    const all = await waitFor(async () => {
      const p = await json<{ items: Array<{ id: string; prompt: string; uses: number }> }>(await c.get('/api/prompts'));
      return p.items.length === 2 && p.items[0]?.uses === 2 ? p : undefined;
    });
    expect(all.items.map((i) => i.prompt)).toEqual(['a dog in the rain', 'Кошка на крыше']);
    const found = await json<{ items: Array<{ prompt: string }> }>(await c.get('/api/prompts?q=КОШКА'));
    expect(found.items.map((i) => i.prompt)).toEqual(['Кошка на крыше']);
    expect((await c.del(`/api/prompts/${all.items[0]?.id ?? ''}`)).status).toBe(204);
    expect((await json<{ items: unknown[] }>(await c.get('/api/prompts'))).items).toHaveLength(1);
  });

  it('named presets: save, replace by name, import, delete', async () => {
    const c = await newUser('preset-user');
    const saved = await json<{ id: string }>(await c.post('/api/presets', { name: 'Portrait', params: { steps: 30 } }));
    await c.post('/api/presets', { name: 'Portrait', params: { steps: 40 } });
    await c.post('/api/presets/import', { presets: [{ name: 'Wide', params: { width: 1024 } }] });
    const list = await json<{ items: Array<{ id: string; name: string; params: { steps?: number } }> }>(
      await c.get('/api/presets'),
    );
    expect(list.items.map((p) => p.name)).toEqual(['Portrait', 'Wide']);
    expect(list.items[0]).toMatchObject({ id: saved.id, params: { steps: 40 } });
    expect((await c.del(`/api/presets/${saved.id}`)).status).toBe(204);
    expect((await c.post('/api/presets', { name: '', params: {} })).status).toBe(400);
  });
});

describe('gallery to work in', () => {
  it('search, stars, trash and restore, bulk delete, zip', async () => {
    engine.behaviour = () => ({ steps: 1, stepMs: 1 });
    const c = await newUser('gallery-user');
    const ids: string[] = [];
    for (const prompt of ['red apple', 'green apple', 'blue sky']) ids.push(await generate(c, { ...PONY, prompt }));
    for (const id of ids) await waitFor(async () => (await statusOf(c, id)) === 'completed' || undefined);
    type Page = { items: Array<{ task_id: string; starred: boolean; prompt: string }> };
    expect((await json<Page>(await c.get('/api/gallery?q=APPLE'))).items.map((i) => i.prompt)).toEqual([
      'green apple',
      'red apple',
    ]);
    expect((await c.req('PUT', `/api/gallery/${ids[2]}/star`, { starred: true })).status).toBe(204);
    expect((await json<Page>(await c.get('/api/gallery?starred=true'))).items.map((i) => i.task_id)).toEqual([ids[2]]);
    const today = new Date().toISOString().slice(0, 10);
    expect((await json<Page>(await c.get(`/api/gallery?from=${today}&to=${today}`))).items).toHaveLength(3);
    expect((await json<Page>(await c.get('/api/gallery?to=2000-01-01'))).items).toHaveLength(0);

    const zip = await c.get(`/api/gallery/zip?ids=${ids.join(',')}`);
    expect(zip.headers.get('content-type')).toBe('application/zip');
    const files = unzipSync(new Uint8Array(await zip.arrayBuffer()));
    expect(Object.keys(files)).toHaveLength(3);
    expect(
      Buffer.from(Object.values(files)[0] ?? [])
        .subarray(1, 4)
        .toString(),
    ).toBe('PNG');

    expect((await c.del(`/api/gallery/${ids[0]}`)).status).toBe(204);
    expect(await json(await c.post('/api/gallery/delete', { ids: [ids[1], 'nope'] }))).toEqual({ ids: [ids[1]] });
    expect((await json<Page>(await c.get('/api/gallery'))).items.map((i) => i.task_id)).toEqual([ids[2]]);
    const trash = await json<{ items: Array<{ task_id: string; purge_at: string }>; retention_days: number }>(
      await c.get('/api/gallery/trash'),
    );
    expect(trash.retention_days).toBe(7);
    expect(trash.items.map((i) => i.task_id).sort()).toEqual([ids[0], ids[1]].sort());
    expect((await c.get(`/api/preview/${ids[0]}`)).status).toBe(200); // the trash shows thumbnails
    expect((await c.post(`/api/gallery/${ids[0]}/restore`)).status).toBe(204);
    expect((await c.post(`/api/gallery/${ids[0]}/restore`)).status).toBe(404);
    expect((await json<Page>(await c.get('/api/gallery'))).items).toHaveLength(2);
    expect((await c.post(`/api/gallery/${ids[0]}/last-frame`)).status).toBe(409); // an image has none
  });
});
