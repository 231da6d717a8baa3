// The /ws endpoint of one GPU, as server.py's websocket_handler/send_json/send_bytes behave:
// sockets are keyed by clientId, a frame for an unknown id is dropped, a frame without a target
// (sid=None) goes to everybody, and only a client's first text frame may negotiate feature flags.
import crypto from 'node:crypto';
import type http from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';

export interface WsHubOptions {
  maxUploadBytes: number;
  queueRemaining(): number;
  /** the node the given client's running prompt is on, if any (re-sent on reconnect) */
  executingNodeFor(clientId: string): string | undefined;
  /** reproduce ComfyUI#16010: an old socket's close unregisters a newer one with the same id */
  reuseBug?: boolean;
}

/** Binary event types of protocol.py */
export const BINARY_EVENT = { PREVIEW_IMAGE: 1, TEXT: 3, PREVIEW_IMAGE_WITH_METADATA: 4 } as const;

export class WsHub {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });
  private readonly sockets = new Map<string, WebSocket>();
  private readonly previewMetadata = new Map<string, boolean>();

  constructor(private readonly o: WsHubOptions) {}

  get features(): { supports_preview_metadata: boolean; max_upload_size: number } {
    return { supports_preview_metadata: true, max_upload_size: this.o.maxUploadBytes };
  }

  get clientIds(): string[] {
    return [...this.sockets.keys()];
  }

  upgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer, clientId: string | null): void {
    this.wss.handleUpgrade(req, socket, head, (ws) =>
      this.onSocket(ws, clientId || crypto.randomBytes(16).toString('hex')),
    );
  }

  private onSocket(ws: WebSocket, sid: string): void {
    this.sockets.set(sid, ws);
    this.previewMetadata.delete(sid);
    let first = true;
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      const wasFirst = first;
      first = false;
      try {
        const msg = JSON.parse(String(data)) as { type?: unknown; data?: { supports_preview_metadata?: unknown } };
        if (wasFirst && msg?.type === 'feature_flags') {
          this.previewMetadata.set(sid, msg.data?.supports_preview_metadata === true);
          this.sendTo(ws, { type: 'feature_flags', data: this.features });
        }
      } catch {
        // ComfyUI only logs undecodable client messages
      }
    });
    ws.on('close', () => {
      if (this.o.reuseBug || this.sockets.get(sid) === ws) {
        this.sockets.delete(sid);
        this.previewMetadata.delete(sid);
      }
    });
    ws.on('error', () => undefined);
    this.sendTo(ws, {
      type: 'status',
      data: { status: { exec_info: { queue_remaining: this.o.queueRemaining() } }, sid },
    });
    const node = this.o.executingNodeFor(sid);
    if (node !== undefined) this.sendTo(ws, { type: 'executing', data: { node } });
  }

  private sendTo(ws: WebSocket, payload: unknown): void {
    if (ws.readyState === ws.OPEN)
      ws.send(typeof payload === 'string' || Buffer.isBuffer(payload) ? payload : JSON.stringify(payload));
  }

  /** send_json: to `sid`'s socket, or to everybody when sid is null; dropped when nobody has that id. */
  json(sid: string | null, type: string, data: unknown): void {
    const text = JSON.stringify({ type, data });
    if (sid === null) for (const ws of this.sockets.values()) this.sendTo(ws, text);
    else {
      const ws = this.sockets.get(sid);
      if (ws) this.sendTo(ws, text);
    }
  }

  binary(sid: string | null, frame: Buffer): void {
    if (sid === null) for (const ws of this.sockets.values()) this.sendTo(ws, frame);
    else {
      const ws = this.sockets.get(sid);
      if (ws) this.sendTo(ws, frame);
    }
  }

  supportsPreviewMetadata(sid: string | null): boolean {
    return sid !== null && this.previewMetadata.get(sid) === true;
  }

  broadcastStatus(): void {
    this.json(null, 'status', { status: { exec_info: { queue_remaining: this.o.queueRemaining() } } });
  }

  async close(): Promise<void> {
    for (const ws of this.wss.clients) ws.terminate();
    await new Promise<void>((r) => this.wss.close(() => r()));
  }
}

/** Event 1: uint32 type, uint32 format (1 = JPEG, 2 = PNG), image bytes. */
export function previewFrame(image: Buffer, format: 'jpeg' | 'png' = 'jpeg'): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(BINARY_EVENT.PREVIEW_IMAGE, 0);
  head.writeUInt32BE(format === 'jpeg' ? 1 : 2, 4);
  return Buffer.concat([head, image]);
}

/** Event 4: uint32 type, uint32 metadata length, JSON metadata, image bytes. */
export function previewFrameWithMetadata(image: Buffer, meta: Record<string, unknown>): Buffer {
  const json = Buffer.from(JSON.stringify(meta));
  const head = Buffer.alloc(8);
  head.writeUInt32BE(BINARY_EVENT.PREVIEW_IMAGE_WITH_METADATA, 0);
  head.writeUInt32BE(json.length, 4);
  return Buffer.concat([head, json, image]);
}
