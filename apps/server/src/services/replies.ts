import type { Readable } from 'node:stream';

// What a use case answers when a plain JSON body with the route's usual status is not enough: another
// status, headers or cookies, a file, an event stream. The HTTP layer turns these into responses.

const REPLY = Symbol('reply');

export interface CookieInstruction {
  name: string;
  /** null clears the cookie */
  value: string | null;
  maxAgeSeconds?: number;
  sameSite: 'lax' | 'strict';
}

export interface JsonReply<T = unknown> {
  [REPLY]: 'json';
  status: number;
  body: T;
  headers?: Record<string, string>;
  cookies?: CookieInstruction[];
}

export interface EmptyReply {
  [REPLY]: 'empty';
  status: number;
  headers?: Record<string, string>;
  cookies?: CookieInstruction[];
}

export interface FileReply {
  [REPLY]: 'file';
  contentType: string;
  /** undefined: streamed without a Content-Length (a zip made on the fly) */
  size: number | undefined;
  /** the bytes, or a byte range of them (inclusive), as a stream */
  open(range?: { start: number; end: number }): Readable;
  /** answer Range requests with 206 */
  ranges: boolean;
  cacheControl: string;
  /** Content-Disposition */
  disposition?: { type: 'inline' | 'attachment'; filename: string };
}

/** One Server-Sent Event: its `event:` name and its JSON `data:` (a TaskEvent, a UserStreamEvent). */
export interface SseEvent {
  event: string;
  data: unknown;
}

export interface EventsReply {
  [REPLY]: 'events';
  /** events written at once (the current state) */
  initial: SseEvent[];
  /** the stream ends after the initial events (the task had already ended) */
  finished: boolean;
  /** live events until `end` is called or the client leaves; returns the unsubscribe */
  subscribe(push: (e: SseEvent) => void, end: () => void): () => void;
}

export interface TextReply {
  [REPLY]: 'text';
  contentType: string;
  body: string;
}

export type Reply = JsonReply | EmptyReply | FileReply | EventsReply | TextReply;

export function isReply(value: unknown): value is Reply {
  return typeof value === 'object' && value !== null && REPLY in value;
}

export function replyKind(r: Reply): Reply[typeof REPLY] {
  return r[REPLY];
}

export function json<T>(
  status: number,
  body: T,
  extra: { headers?: Record<string, string>; cookies?: CookieInstruction[] } = {},
): JsonReply<T> {
  return { [REPLY]: 'json', status, body, ...extra };
}

export function empty(
  status = 204,
  extra: { headers?: Record<string, string>; cookies?: CookieInstruction[] } = {},
): EmptyReply {
  return { [REPLY]: 'empty', status, ...extra };
}

export function file(f: Omit<FileReply, typeof REPLY>): FileReply {
  return { [REPLY]: 'file', ...f };
}

export function events(e: Omit<EventsReply, typeof REPLY>): EventsReply {
  return { [REPLY]: 'events', ...e };
}

export function text(contentType: string, body: string): TextReply {
  return { [REPLY]: 'text', contentType, body };
}
