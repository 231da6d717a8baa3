// The client's transport duties against a tiny hand-made peer: things the simulator does not check
// (auth token placement, reconnect with a fresh clientId, hostile frames, timeouts).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { ComfyHttpError, ComfyUiClient, ComfyUnreachableError } from '#adapters/engines/comfyui/comfyui-client.ts';
import type { ComfyMessage } from '#adapters/engines/comfyui/comfyui-messages.ts';

interface Peer {
  url: string;
  requests: Array<{ method: string; url: string; auth?: string; body: string }>;
  sockets: Array<{ url: string; ws: WebSocket }>;
  close(): Promise<void>;
}

async function peer(
  handle: (req: http.IncomingMessage, body: string, res: http.ServerResponse) => void,
): Promise<Peer> {
  const requests: Peer['requests'] = [];
  const sockets: Peer['sockets'] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('latin1')));
    req.on('end', () => {
      requests.push({
        method: req.method ?? '',
        url: req.url ?? '',
        ...(req.headers.authorization ? { auth: req.headers.authorization } : {}),
        body,
      });
      handle(req, body, res);
    });
  });
  const wss = new WebSocketServer({ server });
  wss.on('connection', (ws, req) => {
    sockets.push({ url: req.url ?? '', ws });
    ws.send(JSON.stringify({ type: 'status', data: { status: { exec_info: { queue_remaining: 0 } }, sid: 'x' } }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    sockets,
    close: async () => {
      for (const c of wss.clients) c.terminate();
      await new Promise<void>((r) => wss.close(() => r()));
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

const json = (res: http.ServerResponse, status: number, body: unknown): void =>
  void res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));

describe('ComfyUiClient', () => {
  it('sends the token as a Bearer header over HTTP and as ?token= on /ws, and client_id + prompt_id with every prompt', async () => {
    const p = await peer((req, _body, res) => {
      if (req.url?.startsWith('/prompt')) return json(res, 200, { prompt_id: 'given', number: 3, node_errors: {} });
      if (req.url?.startsWith('/upload/image'))
        return json(res, 200, { name: 'up.png', subfolder: 'mediagen', type: 'input' });
      if (req.url?.startsWith('/view')) return void res.writeHead(200).end('bytes');
      return json(res, 200, {
        queue_running: [[2, 'run', {}, {}, []]],
        queue_pending: [
          [9, 'late', {}, {}, []],
          [4, 'early', {}, {}, []],
        ],
      });
    });
    cleanups.push(() => p.close());
    const c = new ComfyUiClient({ baseUrl: `${p.url}/`, authToken: 's3cret' });
    cleanups.push(() => c.close());
    expect(await c.waitConnected(2000)).toBe(true);
    expect(p.sockets[0]?.url).toBe(`/ws?clientId=${c.clientId}&token=s3cret`);

    expect(await c.submitPrompt({ '1': { class_type: 'X', inputs: {} } }, 'pid-1')).toEqual({
      promptId: 'given',
      number: 3,
      nodeErrors: {},
    });
    expect(JSON.parse(p.requests[0]!.body)).toEqual({
      prompt: { '1': { class_type: 'X', inputs: {} } },
      client_id: c.clientId,
      prompt_id: 'pid-1',
    });
    expect(await c.getQueue()).toEqual({ running: ['run'], pending: ['early', 'late'] });
    expect(await c.uploadImage(Buffer.from('png'), 'mediagen_t_reference.png')).toBe('mediagen/up.png');
    expect(p.requests.at(-1)?.body).toMatch(/name="image"; filename="mediagen_t_reference.png"/);
    expect((await c.view('a b.png', '', 'output')).toString()).toBe('bytes');
    await c.view('a b.png', '', 'output');
    const views = p.requests.filter((r) => r.url.startsWith('/view'));
    expect(views[0]?.url).toMatch(/^\/view\?filename=a\+b\.png&subfolder=&type=output&nocache=[0-9a-f]+$/);
    expect(views[0]?.url).not.toBe(views[1]?.url);
    expect(p.requests.every((r) => r.auth === 'Bearer s3cret')).toBe(true);
  });

  it('reconnects with backoff under a fresh clientId, and ignores unknown or malformed frames', async () => {
    const p = await peer((_req, _body, res) => json(res, 200, {}));
    cleanups.push(() => p.close());
    const c = new ComfyUiClient({ baseUrl: p.url, reconnectMinMs: 20 });
    cleanups.push(() => c.close());
    const seen: ComfyMessage[] = [];
    const states: boolean[] = [];
    c.onMessage((m) => seen.push(m));
    c.onConnection((up) => states.push(up));
    await c.waitConnected(2000);
    const firstId = c.clientId;
    const ws = p.sockets[0]!.ws;
    ws.send('{"type":"progress","data":{"value":"NaN"}}');
    ws.send('{"type":"some.custom.event","data":{"x":1}}');
    ws.send(Buffer.from([0, 0, 0, 9, 1, 2, 3, 4, 5]));
    ws.send(JSON.stringify({ type: 'execution_start', data: { prompt_id: 'p1', timestamp: 5 } }));
    // frames arrive in order: once execution_start is in, the three before it were read (and dropped)
    await vi.waitFor(() => expect(seen.map((m) => m.type)).toContain('execution_start'));
    expect(seen.map((m) => m.type)).toEqual(['status', 'execution_start']);
    ws.terminate();
    await vi.waitFor(() => expect(states).toEqual([true, false, true]));
    await vi.waitFor(() => expect(p.sockets).toHaveLength(2));
    expect(c.clientId).not.toBe(firstId);
    expect(p.sockets[1]?.url).toBe(`/ws?clientId=${c.clientId}`);
  });

  it('says whether the backend answered with an error or could not be reached at all', async () => {
    const p = await peer((req, _body, res) => {
      if (req.url?.startsWith('/history')) return json(res, 200, {});
      if (req.url?.startsWith('/system_stats')) return void setTimeout(() => json(res, 200, {}), 1000);
      return json(res, 400, { error: { type: 'prompt_outputs_failed_validation', message: 'bad' }, node_errors: {} });
    });
    cleanups.push(() => p.close());
    const c = new ComfyUiClient({ baseUrl: p.url });
    cleanups.push(() => c.close());
    expect(await c.getHistory('unknown')).toBeUndefined();
    await expect(c.submitPrompt({})).rejects.toMatchObject({
      name: 'ComfyHttpError',
      status: 400,
      body: { error: { message: 'bad' } },
    });
    await expect(c.systemStats(100)).rejects.toBeInstanceOf(ComfyUnreachableError);
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const dead = new ComfyUiClient({ baseUrl: `http://127.0.0.1:${port}` });
    cleanups.push(() => dead.close());
    const err = await dead.getQueue().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ComfyUnreachableError);
    expect(err).not.toBeInstanceOf(ComfyHttpError);
    expect((err as Error).message).toMatch(/GET \/queue failed: fetch failed \(ECONNREFUSED\)/);
  });
});
