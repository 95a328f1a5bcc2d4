/**
 * Pure IP address / CIDR parsing with Go `net/netip` semantics, which is what istio-iptables uses:
 * strict syntax (no leading zeros in IPv4 octets or prefix lengths, no zones), and canonical text
 * (`Prefix.String()`): the address is *not* masked (`10.96.0.1/24` stays `10.96.0.1/24`), IPv6 is
 * lower-case with the longest run of zero groups compressed, IPv4-mapped IPv6 prints as `::ffff:a.b.c.d`.
 */

export type IpFamily = 4 | 6;

export interface ParsedAddress {
  readonly family: IpFamily;
  /** Canonical text, as Go's `netip.Addr.String()` writes it. */
  readonly text: string;
  /** Go's `Addr.IsLoopback()`: 127.0.0.0/8 (also IPv4-mapped) or ::1. */
  readonly loopback: boolean;
}

export interface ParsedPrefix extends ParsedAddress {
  readonly bits: number;
  /** Canonical `addr/bits`, as Go's `netip.Prefix.String()` writes it. */
  readonly cidr: string;
}

function parseIPv4Bytes(s: string): number[] | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  const out: number[] = [];
  for (const p of parts) {
    if (!/^[0-9]{1,3}$/.test(p)) return undefined;
    if (p.length > 1 && p.startsWith('0')) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    out.push(n);
  }
  return out;
}

function parseIPv6Bytes(s: string): number[] | undefined {
  if (s.includes('%')) return undefined; // zones are not allowed in prefixes
  let head = s;
  let tail = '';
  const dbl = s.indexOf('::');
  if (dbl >= 0) {
    if (s.indexOf('::', dbl + 1) >= 0) return undefined;
    head = s.slice(0, dbl);
    tail = s.slice(dbl + 2);
  }
  const parseGroups = (part: string, allowV4Tail: boolean): number[] | undefined => {
    if (part === '') return [];
    const groups = part.split(':');
    const bytes: number[] = [];
    for (let i = 0; i < groups.length; i++) {
      const g = groups[i] ?? '';
      if (allowV4Tail && i === groups.length - 1 && g.includes('.')) {
        const v4 = parseIPv4Bytes(g);
        if (!v4) return undefined;
        bytes.push(...v4);
        continue;
      }
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      const n = parseInt(g, 16);
      bytes.push(n >> 8, n & 0xff);
    }
    return bytes;
  };
  if (dbl < 0) {
    const bytes = parseGroups(head, true);
    return bytes && bytes.length === 16 ? bytes : undefined;
  }
  const h = parseGroups(head, false);
  const t = parseGroups(tail, true);
  if (!h || !t) return undefined;
  const missing = 16 - h.length - t.length;
  // The ellipsis must stand for at least one zero group.
  if (missing < 2) return undefined;
  return [...h, ...new Array<number>(missing).fill(0), ...t];
}

function isV4Mapped(b: readonly number[]): boolean {
  for (let i = 0; i < 10; i++) if (b[i] !== 0) return false;
  return b[10] === 0xff && b[11] === 0xff;
}

function formatIPv6(b: readonly number[]): string {
  if (isV4Mapped(b)) return `::ffff:${b.slice(12).join('.')}`;
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((b[i] ?? 0) << 8) | (b[i + 1] ?? 0));
  // Longest run (length >= 2) of zero groups; the first one wins a tie.
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i >= 2 && j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (g: number | undefined): string => (g ?? 0).toString(16);
  if (bestStart < 0) return groups.map(hex).join(':');
  const left = groups.slice(0, bestStart).map(hex).join(':');
  const right = groups
    .slice(bestStart + bestLen)
    .map(hex)
    .join(':');
  return `${left}::${right}`;
}

/** Parses an IP address (Go `netip.ParseAddr`, zones rejected). Returns undefined when invalid. */
export function parseAddress(input: string): ParsedAddress | undefined {
  const v4 = parseIPv4Bytes(input);
  if (v4) return { family: 4, text: v4.join('.'), loopback: v4[0] === 127 };
  if (!input.includes(':')) return undefined;
  const v6 = parseIPv6Bytes(input);
  if (!v6) return undefined;
  const mapped = isV4Mapped(v6);
  const loopback = mapped ? v6[12] === 127 : v6.slice(0, 15).every((x) => x === 0) && v6[15] === 1;
  return { family: 6, text: formatIPv6(v6), loopback };
}

/** Parses a CIDR (Go `netip.ParsePrefix`). Returns undefined when invalid. */
export function parsePrefix(input: string): ParsedPrefix | undefined {
  const slash = input.indexOf('/');
  if (slash < 0) return undefined;
  const addr = parseAddress(input.slice(0, slash));
  const bitsText = input.slice(slash + 1);
  if (!addr || !/^(0|[1-9][0-9]{0,2})$/.test(bitsText)) return undefined;
  const bits = Number(bitsText);
  if (bits > (addr.family === 4 ? 32 : 128)) return undefined;
  return { ...addr, bits, cidr: `${addr.text}/${bits}` };
}

/**
 * How iptables prints an address match (`-s`/`-d`): the network address with the host bits cleared and
 * an explicit length (`10.96.0.1/24` → `10.96.0.0/24`, `10.0.0.1` → `10.0.0.1/32`). Undefined when invalid.
 */
export function maskedCidr(input: string): string | undefined {
  const slash = input.indexOf('/');
  const addrText = slash < 0 ? input : input.slice(0, slash);
  const v4 = parseIPv4Bytes(addrText);
  const bytes = v4 ?? (addrText.includes(':') ? parseIPv6Bytes(addrText) : undefined);
  if (!bytes) return undefined;
  const max = v4 ? 32 : 128;
  const bitsText = slash < 0 ? String(max) : input.slice(slash + 1);
  if (!/^(0|[1-9][0-9]{0,2})$/.test(bitsText) || Number(bitsText) > max) return undefined;
  const bits = Number(bitsText);
  const masked = bytes.map((b, i) => {
    const keep = Math.max(0, Math.min(8, bits - i * 8));
    return b & ((0xff << (8 - keep)) & 0xff);
  });
  return `${v4 ? masked.join('.') : formatIPv6(masked)}/${bits}`;
}
