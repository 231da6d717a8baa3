import http from 'node:http';

export interface ReceivedWebhook {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  at: number;
  answered: number;
}

/**
 * A local webhook receiver on 127.0.0.1 (test code only): records every request and answers with the
 * next status of `script` (then `fallback`).
 */
export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  script: number[] = [];
  fallback = 204;
  private server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const answered = this.script.shift() ?? this.fallback;
      this.received.push({
        path: req.url ?? '/',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        at: Date.now(),
        answered,
      });
      res.writeHead(answered, answered >= 300 && answered < 400 ? { location: 'http://127.0.0.1:9/elsewhere' } : {});
      res.end();
    });
  });

  url = '';

  async start(port = 0): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(port, '127.0.0.1', resolve));
    const addr = this.server.address();
    this.url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
    return this;
  }

  on(path: string): ReceivedWebhook[] {
    return this.received.filter((r) => r.path === path);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
