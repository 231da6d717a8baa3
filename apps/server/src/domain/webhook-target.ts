import { classifyAddress, isIpLiteral, type AddressClass } from './network-address.ts';

/** What an operator allows: plain http (development), and hosts exempt from the address rules. */
export interface WebhookTargetPolicy {
  allowHttp: boolean;
  /** host names or IP literals; `*.example.com` covers its subdomains */
  allowedHosts: readonly string[];
}

export type TargetVerdict<T> = { ok: true; value: T } | { ok: false; reason: string };

export interface WebhookTarget {
  /** normalised absolute URL (no fragment) */
  url: string;
  /** lower-case host name or IP literal, without brackets */
  host: string;
  /** the host is in WEBHOOK_ALLOWED_HOSTS: the address rules do not apply */
  allowlisted: boolean;
}

const stripBrackets = (h: string): string => (h.startsWith('[') && h.endsWith(']') ? h.slice(1, -1) : h);

export function hostAllowlisted(host: string, allowed: readonly string[]): boolean {
  const h = stripBrackets(host.toLowerCase()).replace(/\.$/, '');
  return allowed.some((entry) => {
    const e = stripBrackets(entry.trim().toLowerCase()).replace(/\.$/, '');
    if (e.startsWith('*.')) return h.endsWith(e.slice(1)) && h.length > e.length - 1;
    return e === h;
  });
}

/**
 * The rules a webhook URL must pass before any lookup: an absolute https URL (http only when allowed), no
 * credentials in it, a host. An IP literal is classified here too, so those refusals come at submit time.
 */
export function checkWebhookUrl(raw: string, policy: WebhookTargetPolicy): TargetVerdict<WebhookTarget> {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return { ok: false, reason: 'is not an absolute URL' };
  }
  if (u.protocol !== 'https:' && !(u.protocol === 'http:' && policy.allowHttp)) {
    return {
      ok: false,
      reason: policy.allowHttp ? 'must be an http or https URL' : 'must be an https URL (WEBHOOK_ALLOW_HTTP is off)',
    };
  }
  if (u.username || u.password) return { ok: false, reason: 'must not carry credentials (user:password@)' };
  const host = stripBrackets(u.hostname.toLowerCase());
  if (!host) return { ok: false, reason: 'has no host' };
  u.hash = '';
  const allowlisted = hostAllowlisted(host, policy.allowedHosts);
  if (!allowlisted && isIpLiteral(host)) {
    const cls = classifyAddress(host);
    if (cls !== 'public') return { ok: false, reason: refusedAddress(host, cls) };
  }
  if (!allowlisted && (host === 'localhost' || host.endsWith('.localhost'))) {
    return { ok: false, reason: `names ${host}, a loopback host (add it to WEBHOOK_ALLOWED_HOSTS to allow it)` };
  }
  return { ok: true, value: { url: u.toString(), host, allowlisted } };
}

export function refusedAddress(address: string, cls: AddressClass): string {
  return `resolves to ${address}, a ${cls} address that webhooks may not call (allow the host in WEBHOOK_ALLOWED_HOSTS)`;
}

/**
 * Every address a host resolves to must be callable (one bad answer is enough to refuse: a resolver may
 * rotate them); the first one is the address the connection is pinned to.
 */
export function pickPinnedAddress(
  target: WebhookTarget,
  addresses: readonly string[],
): TargetVerdict<{ address: string }> {
  if (addresses.length === 0) return { ok: false, reason: `${target.host} has no address` };
  if (!target.allowlisted) {
    for (const a of addresses) {
      const cls = classifyAddress(a);
      if (cls !== 'public') return { ok: false, reason: refusedAddress(a, cls) };
    }
  }
  return { ok: true, value: { address: addresses[0] ?? '' } };
}
