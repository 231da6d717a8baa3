import dns from 'node:dns';
import net from 'node:net';
import { HostLookupError, type HostResolver } from '#ports/webhook-transport.ts';

const FINAL = new Set(['ENOTFOUND', 'ENODATA', 'EAI_NONAME', 'EAI_NODATA']);

/** The system resolver (getaddrinfo, as the connection would use), every address, bounded in time. */
export function createDnsHostResolver(timeoutMs = 3000): HostResolver {
  return {
    async lookup(host) {
      if (net.isIP(host)) return [host];
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new HostLookupError('temporary', `looking up ${host} took over ${timeoutMs} ms`)),
          timeoutMs,
        );
      });
      try {
        const answers = await Promise.race([dns.promises.lookup(host, { all: true, verbatim: true }), timeout]);
        return answers.map((a) => a.address);
      } catch (err) {
        if (err instanceof HostLookupError) throw err;
        const code = (err as NodeJS.ErrnoException).code ?? 'error';
        if (FINAL.has(code)) throw new HostLookupError('not_found', `${host} does not resolve (${code})`);
        throw new HostLookupError('temporary', `looking up ${host} failed (${code})`);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
