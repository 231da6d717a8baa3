import { isIpLiteral } from '#domain/network-address.ts';
import { checkWebhookUrl, pickPinnedAddress, type WebhookTargetPolicy } from '#domain/webhook-target.ts';
import { HostLookupError, type HostResolver } from '#ports/webhook-transport.ts';

export type DeliveryTarget =
  | { ok: true; url: string; address: string }
  /** `final`: the target may not be called (or does not exist); otherwise the lookup may succeed later */
  | { ok: false; reason: string; final: boolean };

/**
 * Which webhook targets may be called (no server-side request forgery): the URL rules and address classes
 * of `domain/webhook-target.ts` applied to the URL and to every address its host resolves to.
 */
export class WebhookTargets {
  constructor(private readonly d: { policy: WebhookTargetPolicy; resolver: HostResolver }) {}

  /**
   * At submit time: why the URL is refused, or undefined. Refusals decidable now are final (bad URL, a
   * forbidden address, a name that does not exist); a lookup that merely fails now is left to delivery.
   */
  async refusal(url: string): Promise<string | undefined> {
    const t = await this.resolve(url);
    return t.ok || !t.final ? undefined : t.reason;
  }

  /** At delivery time: one lookup, every address checked, the first one pinned for the connection. */
  async resolve(url: string): Promise<DeliveryTarget> {
    const checked = checkWebhookUrl(url, this.d.policy);
    if (!checked.ok) return { ok: false, reason: checked.reason, final: true };
    const host = checked.value.host;
    let addresses: string[];
    try {
      addresses = isIpLiteral(host) ? [host] : await this.d.resolver.lookup(host);
    } catch (err) {
      if (err instanceof HostLookupError) return { ok: false, reason: err.message, final: err.kind === 'not_found' };
      throw err;
    }
    const pinned = pickPinnedAddress(checked.value, addresses);
    if (!pinned.ok) return { ok: false, reason: pinned.reason, final: true };
    return { ok: true, url: checked.value.url, address: pinned.value.address };
  }
}
