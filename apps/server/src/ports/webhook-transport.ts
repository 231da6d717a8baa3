/** A failed lookup: `not_found` is final (NXDOMAIN), `temporary` may succeed later. */
export class HostLookupError extends Error {
  constructor(
    readonly kind: 'not_found' | 'temporary',
    message: string,
  ) {
    super(message);
    this.name = 'HostLookupError';
  }
}

/** DNS, once per delivery: every address of a host (tests inject a double; nothing else resolves names). */
export interface HostResolver {
  /** throws HostLookupError */
  lookup(host: string): Promise<string[]>;
}

export interface WebhookRequest {
  /** the URL as the user gave it: its host goes in Host and TLS SNI */
  url: string;
  /** the address the connection is pinned to (checked before; never re-resolved) */
  address: string;
  headers: Readonly<Record<string, string>>;
  body: string;
  timeoutMs: number;
}

/** The receiver's answer, or why none came. Redirects are answers (never followed). */
export type WebhookAnswer = { status: number; location?: string } | { error: string };

/** Sends one webhook request over a connection to a pinned address. */
export interface WebhookTransport {
  post(r: WebhookRequest): Promise<WebhookAnswer>;
}
