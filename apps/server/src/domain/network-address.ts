// IP address classification for outbound requests to user-named hosts (webhooks): which addresses a
// server must never call on a user's behalf (server-side request forgery). Pure: text in, verdict out.

/** Why an address may not be called; `public` is the only callable class. */
export type AddressClass =
  | 'public'
  | 'unspecified'
  | 'loopback'
  | 'private'
  | 'link-local'
  | 'shared (CGNAT)'
  | 'multicast'
  | 'broadcast'
  | 'metadata'
  | 'documentation'
  | 'benchmarking'
  | 'reserved'
  | 'invalid';

/** Dotted-quad IPv4 (four decimal parts 0–255, no leading zeros) → 32-bit number. */
export function parseIpv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^(0|[1-9]\d{0,2})$/.test(p)) return undefined;
    const v = Number(p);
    if (v > 255) return undefined;
    n = n * 256 + v;
  }
  return n;
}

/** IPv6 text (with `::`, an IPv4 tail, an optional zone) → eight 16-bit groups. */
export function parseIpv6(text: string): number[] | undefined {
  let s = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  const zone = s.indexOf('%');
  if (zone >= 0) s = s.slice(0, zone);
  if (!s.includes(':')) return undefined;
  // an IPv4 tail (::ffff:1.2.3.4) becomes its two 16-bit groups
  const lastColon = s.lastIndexOf(':');
  const last = s.slice(lastColon + 1);
  if (last.includes('.')) {
    const v4 = parseIpv4(last);
    if (v4 === undefined) return undefined;
    s = `${s.slice(0, lastColon + 1)}${Math.floor(v4 / 65536).toString(16)}:${(v4 % 65536).toString(16)}`;
  }
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const group = (g: string): number | undefined => (/^[0-9a-f]{1,4}$/i.test(g) ? parseInt(g, 16) : undefined);
  const read = (h: string | undefined): number[] | undefined => {
    if (h === undefined || h === '') return [];
    const out: number[] = [];
    for (const g of h.split(':')) {
      const v = group(g);
      if (v === undefined) return undefined;
      out.push(v);
    }
    return out;
  };
  const head = read(halves[0]);
  const rest = halves.length === 2 ? read(halves[1]) : [];
  if (!head || !rest) return undefined;
  const given = head.length + rest.length;
  if (halves.length === 1) return given === 8 ? head : undefined;
  if (given > 7) return undefined;
  return [...head, ...new Array<number>(8 - given).fill(0), ...rest];
}

interface V4Range {
  base: number;
  bits: number;
  cls: AddressClass;
}
const v4 = (cidr: string, cls: AddressClass): V4Range => {
  const [ip, bits] = cidr.split('/');
  return { base: parseIpv4(ip ?? '') ?? 0, bits: Number(bits), cls };
};

/** IANA IPv4 special-purpose registry, most specific first (metadata endpoints before their ranges). */
const V4_RANGES: readonly V4Range[] = [
  v4('169.254.169.254/32', 'metadata'), // AWS, GCP, Azure, OpenStack …
  v4('169.254.170.2/32', 'metadata'), // AWS ECS task metadata
  v4('100.100.100.200/32', 'metadata'), // Alibaba Cloud
  v4('192.0.0.192/32', 'metadata'), // Oracle Cloud
  v4('255.255.255.255/32', 'broadcast'),
  v4('0.0.0.0/8', 'unspecified'),
  v4('10.0.0.0/8', 'private'),
  v4('100.64.0.0/10', 'shared (CGNAT)'),
  v4('127.0.0.0/8', 'loopback'),
  v4('169.254.0.0/16', 'link-local'),
  v4('172.16.0.0/12', 'private'),
  v4('192.0.0.0/24', 'reserved'), // IETF protocol assignments
  v4('192.0.2.0/24', 'documentation'),
  v4('192.31.196.0/24', 'reserved'), // AS112
  v4('192.52.193.0/24', 'reserved'), // AMT
  v4('192.88.99.0/24', 'reserved'), // 6to4 relay anycast
  v4('192.168.0.0/16', 'private'),
  v4('192.175.48.0/24', 'reserved'), // AS112 direct delegation
  v4('198.18.0.0/15', 'benchmarking'),
  v4('198.51.100.0/24', 'documentation'),
  v4('203.0.113.0/24', 'documentation'),
  v4('224.0.0.0/4', 'multicast'),
  v4('240.0.0.0/4', 'reserved'),
];

function inV4(n: number, r: V4Range): boolean {
  const size = 2 ** (32 - r.bits);
  return n >= r.base && n < r.base + size;
}

export function classifyIpv4(n: number): AddressClass {
  return V4_RANGES.find((r) => inV4(n, r))?.cls ?? 'public';
}

const v4Of = (g: readonly number[], at: number): number => (g[at] ?? 0) * 65536 + (g[at + 1] ?? 0);
const zeros = (g: readonly number[], from: number, to: number): boolean => g.slice(from, to).every((x) => x === 0);

/** Classify IPv6, following IPv4 embedded in mapped, compatible, NAT64 and 6to4 forms. */
export function classifyIpv6(g: readonly number[]): AddressClass {
  const [a = 0, b = 0, c = 0] = g;
  if (zeros(g, 0, 8)) return 'unspecified';
  if (zeros(g, 0, 7) && g[7] === 1) return 'loopback';
  // ::ffff:a.b.c.d (mapped), ::a.b.c.d (compatible, deprecated), ::ffff:0:a.b.c.d (SIIT translated)
  if (zeros(g, 0, 5) && (g[5] === 0xffff || g[5] === 0)) return classifyIpv4(v4Of(g, 6));
  if (zeros(g, 0, 4) && g[4] === 0xffff && g[5] === 0) return classifyIpv4(v4Of(g, 6));
  // NAT64 well-known prefix 64:ff9b::/96 reaches the embedded IPv4; 64:ff9b:1::/48 is local-use
  if (a === 0x64 && b === 0xff9b && zeros(g, 2, 6)) return classifyIpv4(v4Of(g, 6));
  if (a === 0x64 && b === 0xff9b && c === 1) return 'private';
  if (a === 0x0100 && zeros(g, 1, 4)) return 'reserved'; // discard-only 100::/64
  if (a === 0xfd00 && b === 0x0ec2 && zeros(g, 2, 7) && g[7] === 0x254) return 'metadata'; // AWS IMDS over IPv6
  if ((a & 0xfe00) === 0xfc00) return 'private'; // unique local fc00::/7
  if ((a & 0xffc0) === 0xfe80) return 'link-local';
  if ((a & 0xffc0) === 0xfec0) return 'private'; // site-local (deprecated)
  if ((a & 0xff00) === 0xff00) return 'multicast';
  if ((a & 0xe000) !== 0x2000) return 'reserved'; // only 2000::/3 is global unicast
  if (a === 0x2001 && b === 0x0db8) return 'documentation';
  if (a === 0x3fff && (b & 0xf000) === 0) return 'documentation'; // 3fff::/20
  if (a === 0x2001 && b === 0) return 'reserved'; // Teredo: tunnels to an obfuscated IPv4
  if (a === 0x2001 && b === 0x0002 && c === 0) return 'benchmarking';
  if (a === 0x2001 && (b & 0xffe0) === 0x0000) return 'reserved'; // 2001::/27 IETF protocol assignments
  if (a === 0x2002) return classifyIpv4(v4Of(g, 1)); // 6to4 carries an IPv4 in bits 16–47
  return 'public';
}

/** Classify an address as DNS or a URL gives it (IPv4 dotted quad, or IPv6 with or without brackets). */
export function classifyAddress(text: string): AddressClass {
  const n4 = parseIpv4(text);
  if (n4 !== undefined) return classifyIpv4(n4);
  const g6 = parseIpv6(text);
  if (g6) return classifyIpv6(g6);
  return 'invalid';
}

/** An IP literal (not a host name). */
export function isIpLiteral(host: string): boolean {
  return parseIpv4(host) !== undefined || parseIpv6(host) !== undefined;
}
