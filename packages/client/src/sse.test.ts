import { describe, expect, it } from 'vitest';
import { readSse, type SseMessage } from './sse.ts';

function stream(chunks: string[]): ReadableStream<Uint8Array> {
  const enc = new TextEncoder();
  return new ReadableStream({
    start(c) {
      for (const chunk of chunks) c.enqueue(enc.encode(chunk));
      c.close();
    },
  });
}

async function all(chunks: string[]): Promise<SseMessage[]> {
  const out: SseMessage[] = [];
  for await (const m of readSse(stream(chunks))) out.push(m);
  return out;
}

describe('readSse', () => {
  it('reads events, multi-line data, ids and comments, across chunk boundaries and line endings', async () => {
    expect(
      await all([
        ': hello\n\nevent: progress\nda',
        'ta: {"a":1}\n\n',
        'event: preview\r\ndata: line1\r\ndata: line2\r',
        '\n\r\nid: 7\ndata:x\n\n',
        'data: unterminated',
      ]),
    ).toEqual([
      { event: 'progress', data: '{"a":1}' },
      { event: 'preview', data: 'line1\nline2' },
      { event: 'message', data: 'x', id: '7' },
    ]);
  });

  it('stops when aborted', async () => {
    const ctrl = new AbortController();
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(new TextEncoder().encode('data: 1\n\n'));
      },
    });
    const seen: string[] = [];
    const reading = (async () => {
      for await (const m of readSse(body, ctrl.signal)) {
        seen.push(m.data);
        ctrl.abort();
      }
    })();
    await reading;
    expect(seen).toEqual(['1']);
  });
});
