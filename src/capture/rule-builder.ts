// Rules for both IP families as istio-iptables' builder collects them (`-A`/`-I`, versioned rules), and
// their rendering as iptables-restore input (Istio's `buildRestore`); Istio's chain names.
export const CHAIN = {
  OUTPUT: 'ISTIO_OUTPUT',
  OUTPUT_DNS: 'ISTIO_OUTPUT_DNS',
  INBOUND: 'ISTIO_INBOUND',
  DIVERT: 'ISTIO_DIVERT',
  TPROXY: 'ISTIO_TPROXY',
  REDIRECT: 'ISTIO_REDIRECT',
  IN_REDIRECT: 'ISTIO_IN_REDIRECT',
  DROP: 'ISTIO_DROP',
} as const;

const BUILT_IN = new Set([
  'INPUT',
  'OUTPUT',
  'FORWARD',
  'PREROUTING',
  'POSTROUTING',
  'ACCEPT',
  'DROP',
  'RETURN',
  'REJECT',
  'REDIRECT',
  'TPROXY',
  'MARK',
  'CONNMARK',
  'CT',
  'LOG',
  'NFLOG',
  'DNAT',
  'SNAT',
  'MASQUERADE',
]);

export interface Rule {
  readonly table: string;
  readonly chain: string;
  /** Starts with `-A <chain>` or `-I <chain> <pos>`. */
  readonly params: readonly string[];
}

/** Marker replaced by the family's own address in a versioned rule. */
export const V = Symbol('versioned');
export type Param = string | typeof V;

export class RuleBuilder {
  readonly v4: Rule[] = [];
  readonly v6: Rule[] = [];
  constructor(private readonly ipv6: boolean) {}

  appendV4(table: string, chain: string, ...params: string[]): void {
    this.v4.push({ table, chain, params: ['-A', chain, ...params] });
  }
  appendV6(table: string, chain: string, ...params: string[]): void {
    if (this.ipv6) this.v6.push({ table, chain, params: ['-A', chain, ...params] });
  }
  append(table: string, chain: string, ...params: string[]): void {
    this.appendV4(table, chain, ...params);
    this.appendV6(table, chain, ...params);
  }
  /** Appends to both families, substituting `V` with the family's value. */
  appendVersioned(v4: string, v6: string, table: string, chain: string, ...params: Param[]): void {
    this.appendV4(table, chain, ...params.map((p) => (p === V ? v4 : p)));
    this.appendV6(table, chain, ...params.map((p) => (p === V ? v6 : p)));
  }
  insertV4(table: string, chain: string, pos: number, ...params: string[]): void {
    this.v4.push({ table, chain, params: ['-I', chain, String(pos), ...params] });
  }
  insertV6(table: string, chain: string, pos: number, ...params: string[]): void {
    if (this.ipv6) this.v6.push({ table, chain, params: ['-I', chain, String(pos), ...params] });
  }
  insert(table: string, chain: string, pos: number, ...params: string[]): void {
    this.insertV4(table, chain, pos, ...params);
    this.insertV6(table, chain, pos, ...params);
  }
}

/** Renders rules as iptables-restore input (Istio's `buildRestore`). */
export function renderRestore(rules: readonly Rule[]): string {
  const tables = new Map<string, string[]>();
  const lines = (t: string): string[] => {
    const l = tables.get(t) ?? [];
    tables.set(t, l);
    return l;
  };
  const seen = new Set<string>();
  for (const r of rules) {
    const key = `${r.chain}:${r.table}`;
    if (seen.has(key)) continue;
    seen.add(key);
    if (!BUILT_IN.has(r.chain)) lines(r.table).push(`-N ${r.chain}`);
  }
  for (const r of rules) {
    const n = r.params.length;
    if (n < 2 || r.params[n - 2] !== '-j') continue;
    const target = r.params[n - 1] as string;
    const key = `${target}:${r.table}`;
    if (seen.has(key)) continue;
    seen.add(key);
    if (!BUILT_IN.has(target)) lines(r.table).push(`-N ${target}`);
  }
  for (const r of rules) lines(r.table).push(r.params.join(' '));
  let out = '';
  for (const t of [...tables.keys()].sort()) {
    const l = tables.get(t) as string[];
    if (l.length === 0) continue;
    out += `* ${t}\n${l.join('\n')}\nCOMMIT\n`;
  }
  return out;
}
