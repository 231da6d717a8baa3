import { ERROR_STATUS, errorBody, type ErrorCode, type ErrorDetail, type Health } from '@mediagen/contract';

export interface MockRequest {
  method: string;
  path: string;
  url: URL;
  headers: Headers;
  body: unknown;
}

export type MockHandler = (req: MockRequest) => Response | Promise<Response> | undefined;

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
}

/** A response whose body is the contract's own error shape (both seed shapes in one). */
export function errorResponse(
  code: ErrorCode,
  message: string,
  details?: ErrorDetail[],
  headers: Record<string, string> = {},
): Response {
  return json(errorBody(code, message, details), ERROR_STATUS[code], headers);
}

/** Replaces globalThis.fetch (our I/O boundary) with a router; unmatched calls answer 404. */
export function mockFetch(handler: MockHandler): MockRequest[] {
  const calls: MockRequest[] = [];
  globalThis.fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const raw = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const url = new URL(raw, 'http://localhost');
    const text = typeof init?.body === 'string' ? init.body : undefined;
    const req: MockRequest = {
      method: (init?.method ?? 'GET').toUpperCase(),
      path: url.pathname,
      url,
      headers: new Headers(init?.headers),
      body: text ? JSON.parse(text) : undefined,
    };
    calls.push(req);
    return (await handler(req)) ?? errorResponse('not_found', `no mock for ${req.method} ${req.path}`);
  };
  return calls;
}

/** A whole /api/health body (the client parses it with the contract), with the fields a test cares about. */
export function healthBody(overrides: Partial<Health> = {}): Health {
  return {
    status: 'ok',
    reasons: [],
    version: '0.1.0',
    simulated: false,
    auth_mode: 'key',
    credits_enabled: false,
    uptime_seconds: 1,
    accounts: { total: 2, ready: 2 },
    queued: 0,
    media_tools: {
      ffmpeg: { version: 'ffmpeg version 5.1', source: 'path' },
      ffprobe: { version: 'ffprobe version 5.1', source: 'path' },
    },
    ...overrides,
  };
}
