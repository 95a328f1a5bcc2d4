/**
 * Pure generator of the `iptables-restore --noflush` input that istio-iptables
 * (`tools/istio-iptables/pkg/capture/run.go`, `Run()`) would apply, plus the policy-routing
 * commands it would run (`ConfigureRoutes`).
 *
 * Emission follows Istio's order: exclude-interfaces, virtual interfaces, drop-invalid, the base
 * chains, inbound (REDIRECT in nat or TPROXY in mangle), the OUTPUT jump, outbound port
 * exclusions, passthrough source, per-UID and per-GID rules, owner groups, DNS (nat + raw CT
 * zones), loopback/CIDR exclusions, outbound ports/CIDRs, then the TPROXY mangle tail.
 *
 * Rendering follows Istio's restore builder: tables in alphabetical order, each with `-N` for
 * every non-built-in chain that has rules (in order of its first rule), then `-N` for non-built-in
 * jump targets without rules, then the rules in emission order, then `COMMIT`.
 */
import { CaptureSettingError } from './errors.ts';
import { parseAddress, parsePrefix, type ParsedPrefix } from './net.ts';
import { validateCaptureSettings, type CaptureSettings } from './settings.ts';

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

/** Port of the istio-agent DNS proxy. */
export const AGENT_DNS_PORT = '15053';
/** TPROXY: mark on Envoy → app traffic (`constants.OutboundMark`). */
export const OUTBOUND_MARK = '1338';
/** Source address Envoy uses for inbound passthrough. */
const PASSTHROUGH_V4 = '127.0.0.6/32';
const PASSTHROUGH_V6 = '::6/128';
const LOOPBACK_V6 = '::1/128';

const BUILT_IN = new Set([
  'INPUT', 'OUTPUT', 'FORWARD', 'PREROUTING', 'POSTROUTING',
  'ACCEPT', 'DROP', 'RETURN', 'REJECT', 'REDIRECT', 'TPROXY', 'MARK', 'CONNMARK', 'CT', 'LOG', 'NFLOG',
  'DNAT', 'SNAT', 'MASQUERADE',
]);

/** What istio-iptables discovers about the pod at run time (not flags). */
export interface CaptureRuntime {
  /** The pod has an IPv6 address: also build ip6tables rules (`EnableIPv6`). Default false. */
  ipv6?: boolean;
  /**
   * Nameservers from /etc/resolv.conf, used for DNS capture when `--redirect-dns` is set
   * without `--capture-all-dns`. Split into IPv4/IPv6 as istio does. Default none.
   */
  dnsServers?: readonly string[];
}

export interface CaptureRules {
  /** iptables-restore input (IPv4). */
  ipv4: string;
  /** ip6tables-restore input; present only when the runtime says IPv6. */
  ipv6?: string;
  /** `ip` commands (argv) istio-iptables configures besides iptables: IPv6 `::6` address, TPROXY policy routing. */
  routes: string[][];
}

interface Rule {
  readonly table: string;
  readonly chain: string;
  /** Starts with `-A <chain>` or `-I <chain> <pos>`. */
  readonly params: readonly string[];
}

/** Marker replaced by the family's own address in a versioned rule. */
const V = Symbol('versioned');
type Param = string | typeof V;

class RuleBuilder {
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
function renderRestore(rules: readonly Rule[]): string {
  const tables = new Map<string, string[]>();
  const lines = (t: string): string[] => {
    let l = tables.get(t);
    if (!l) tables.set(t, (l = []));
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

interface NetworkRange {
  wildcard: boolean;
  cidrs: string[];
  hasLoopback: boolean;
}

/** Istio's `SeparateV4V6`. */
function separateV4V6(list: '*' | readonly string[], flag: string): [NetworkRange, NetworkRange] {
  if (list === '*') return [{ wildcard: true, cidrs: [], hasLoopback: false }, { wildcard: true, cidrs: [], hasLoopback: false }];
  const v4: NetworkRange = { wildcard: false, cidrs: [], hasLoopback: false };
  const v6: NetworkRange = { wildcard: false, cidrs: [], hasLoopback: false };
  for (const c of list) {
    const p: ParsedPrefix | undefined = parsePrefix(c);
    if (!p) throw new CaptureSettingError(flag, `invalid value for ${flag}: ${JSON.stringify(c)} is not a CIDR`);
    const r = p.family === 4 ? v4 : v6;
    r.cidrs.push(p.cidr);
    if (p.loopback) r.hasLoopback = true;
  }
  return [v4, v6];
}

/** Splits nameservers into IPv4 and IPv6 (istio's `IPsSplitV4V6`; unparsable entries are skipped). */
function splitDnsServers(servers: readonly string[]): [string[], string[]] {
  const v4: string[] = [];
  const v6: string[] = [];
  for (const s of servers) {
    const a = parseAddress(s.trim());
    if (!a) continue;
    (a.family === 4 ? v4 : v6).push(s.trim());
  }
  return [v4, v6];
}

/**
 * Generates the rules istio-iptables would apply for `settings` (validated first; throws
 * `CaptureSettingError`). Pure: the pod facts istio-iptables would discover come from `runtime`.
 */
export function generateRules(settings: CaptureSettings, runtime: CaptureRuntime = {}): CaptureRules {
  validateCaptureSettings(settings);
  const s = settings;
  const ipv6 = runtime.ipv6 === true;
  const b = new RuleBuilder(ipv6);
  const tproxy = s.interceptionMode === 'TPROXY';
  const loopV4 = s.hostIPv4LoopbackCidr;
  const mark = String(s.tproxyMark);
  const tunnel = String(s.inboundTunnelPort);
  const [dnsV4, dnsV6] = splitDnsServers(runtime.dnsServers ?? []);

  const [excludeV4, excludeV6] = separateV4V6(s.outboundIPRangesExclude, '-x');
  const [includeV4, includeV6] = separateV4V6(s.outboundIPRanges, '-i');
  // DNS capture needs either capture-all or known nameservers; otherwise istio disables it.
  const redirectDNS = s.redirectDNS && (s.captureAllDNS || dnsV4.length > 0 || dnsV6.length > 0);

  // 1. Interfaces never captured.
  for (const nic of s.excludeInterfaces) {
    b.append('nat', 'PREROUTING', '-i', nic, '-j', 'RETURN');
    b.append('nat', 'OUTPUT', '-o', nic, '-j', 'RETURN');
  }
  if (tproxy) {
    for (const nic of s.excludeInterfaces) {
      b.append('mangle', 'PREROUTING', '-i', nic, '-j', 'RETURN');
      b.append('mangle', 'OUTPUT', '-o', nic, '-j', 'RETURN');
    }
  }
  // 2. Virtual interfaces are not inbound-captured.
  for (const nic of s.rerouteVirtualInterfaces) b.insert('nat', 'PREROUTING', 1, '-i', nic, '-j', 'RETURN');
  // 3. Drop INVALID packets instead of resetting the connection.
  if (s.dropInvalid) {
    b.append('mangle', 'PREROUTING', '-m', 'conntrack', '--ctstate', 'INVALID', '-j', CHAIN.DROP);
    b.append('mangle', CHAIN.DROP, '-j', 'DROP');
  }
  // 4-6. Base chains.
  b.append('nat', CHAIN.INBOUND, '-p', 'tcp', '--dport', tunnel, '-j', 'RETURN');
  b.append('nat', CHAIN.REDIRECT, '-p', 'tcp', '-j', 'REDIRECT', '--to-ports', String(s.proxyPort));
  b.append('nat', CHAIN.IN_REDIRECT, '-p', 'tcp', '-j', 'REDIRECT', '--to-ports', String(s.inboundCapturePort));

  // 7. Inbound capture.
  const inboundSet = s.inboundPorts === '*' || s.inboundPorts.length > 0;
  if (inboundSet) {
    let table = 'nat';
    if (tproxy) {
      b.append('mangle', CHAIN.DIVERT, '-j', 'MARK', '--set-mark', mark);
      b.append('mangle', CHAIN.DIVERT, '-j', 'ACCEPT');
      b.appendVersioned(loopV4, LOOPBACK_V6, 'mangle', CHAIN.TPROXY,
        '!', '-d', V, '-p', 'tcp', '-j', 'TPROXY', '--tproxy-mark', `${mark}/0xffffffff`, '--on-port', String(s.inboundCapturePort));
      table = 'mangle';
    }
    b.append(table, 'PREROUTING', '-p', 'tcp', '-j', CHAIN.INBOUND);
    if (s.inboundPorts === '*') {
      for (const port of s.inboundPortsExclude) b.append(table, CHAIN.INBOUND, '-p', 'tcp', '--dport', String(port), '-j', 'RETURN');
      if (tproxy) {
        b.append('mangle', CHAIN.INBOUND, '-p', 'tcp', '-m', 'conntrack', '--ctstate', 'RELATED,ESTABLISHED', '-j', CHAIN.DIVERT);
        b.append('mangle', CHAIN.INBOUND, '-p', 'tcp', '-j', CHAIN.TPROXY);
      } else {
        b.append('nat', CHAIN.INBOUND, '-p', 'tcp', '-j', CHAIN.IN_REDIRECT);
      }
    } else {
      for (const p of s.inboundPorts) {
        const port = String(p);
        if (tproxy) {
          b.append('mangle', CHAIN.INBOUND, '-p', 'tcp', '--dport', port, '-m', 'conntrack', '--ctstate', 'RELATED,ESTABLISHED', '-j', CHAIN.DIVERT);
          b.append('mangle', CHAIN.INBOUND, '-p', 'tcp', '--dport', port, '-j', CHAIN.TPROXY);
        } else {
          b.append('nat', CHAIN.INBOUND, '-p', 'tcp', '--dport', port, '-j', CHAIN.IN_REDIRECT);
        }
      }
    }
  }

  // 8. All outbound traffic goes through ISTIO_OUTPUT.
  b.append('nat', 'OUTPUT', '-j', CHAIN.OUTPUT);
  // 9. Outbound port exclusions (before the redirect-to-self rules).
  for (const p of s.outboundPortsExclude) {
    b.append('nat', CHAIN.OUTPUT, '-p', 'tcp', '--dport', String(p), '-j', 'RETURN');
    b.append('nat', CHAIN.OUTPUT, '-p', 'udp', '--dport', String(p), '-j', 'RETURN');
  }
  // 10. Inbound passthrough cluster binds 127.0.0.6 / ::6.
  b.appendVersioned(PASSTHROUGH_V4, PASSTHROUGH_V6, 'nat', CHAIN.OUTPUT, '-o', 'lo', '-s', V, '-j', 'RETURN');

  const loopbackIncluded = includeV4.hasLoopback || includeV6.hasLoopback;
  // 11. Per UID.
  for (const uid of s.proxyUID) {
    if (redirectDNS) {
      b.appendVersioned(loopV4, LOOPBACK_V6, 'nat', CHAIN.OUTPUT, '-o', 'lo', '!', '-d', V, '-p', 'tcp',
        '-m', 'multiport', '!', '--dports', `53,${tunnel}`, '-m', 'owner', '--uid-owner', uid, '-j', CHAIN.IN_REDIRECT);
    } else {
      b.appendVersioned(loopV4, LOOPBACK_V6, 'nat', CHAIN.OUTPUT, '-o', 'lo', '!', '-d', V, '-p', 'tcp',
        '!', '--dport', tunnel, '-m', 'owner', '--uid-owner', uid, '-j', CHAIN.IN_REDIRECT);
    }
    if (!loopbackIncluded) {
      if (redirectDNS) {
        b.append('nat', CHAIN.OUTPUT, '-o', 'lo', '-p', 'tcp', '!', '--dport', '53', '-m', 'owner', '!', '--uid-owner', uid, '-j', 'RETURN');
      } else {
        b.append('nat', CHAIN.OUTPUT, '-o', 'lo', '-m', 'owner', '!', '--uid-owner', uid, '-j', 'RETURN');
      }
    }
    b.append('nat', CHAIN.OUTPUT, '-m', 'owner', '--uid-owner', uid, '-j', 'RETURN');
  }
  // 12. Per GID.
  for (const gid of s.proxyGID) {
    b.appendVersioned(loopV4, LOOPBACK_V6, 'nat', CHAIN.OUTPUT, '-o', 'lo', '!', '-d', V, '-p', 'tcp',
      '!', '--dport', tunnel, '-m', 'owner', '--gid-owner', gid, '-j', CHAIN.IN_REDIRECT);
    if (!loopbackIncluded) {
      if (redirectDNS) {
        b.append('nat', CHAIN.OUTPUT, '-o', 'lo', '-p', 'tcp', '!', '--dport', '53', '-m', 'owner', '!', '--gid-owner', gid, '-j', 'RETURN');
      } else {
        b.append('nat', CHAIN.OUTPUT, '-o', 'lo', '-m', 'owner', '!', '--gid-owner', gid, '-j', 'RETURN');
      }
    }
    b.append('nat', CHAIN.OUTPUT, '-m', 'owner', '--gid-owner', gid, '-j', 'RETURN');
  }
  // 13. Owner-group filter (nothing for the default `*` with no exclusions).
  if (s.ownerGroupsInclude === '*') {
    for (const g of s.ownerGroupsExclude) b.append('nat', CHAIN.OUTPUT, '-m', 'owner', '--gid-owner', g, '-j', 'RETURN');
  } else {
    const none = s.ownerGroupsInclude.flatMap((g) => ['-m', 'owner', '!', '--gid-owner', g]);
    b.append('nat', CHAIN.OUTPUT, ...none, '-j', 'RETURN');
  }
  // 14. DNS.
  if (redirectDNS) setupDnsRedirect(b, s, dnsV4, dnsV6);
  // 15. Envoy-aware apps and container-to-container traffic on localhost.
  b.appendVersioned(loopV4, LOOPBACK_V6, 'nat', CHAIN.OUTPUT, '-d', V, '-j', 'RETURN');
  // 16. Outbound CIDR exclusions.
  for (const c of excludeV4.cidrs) b.appendV4('nat', CHAIN.OUTPUT, '-d', c, '-j', 'RETURN');
  for (const c of excludeV6.cidrs) b.appendV6('nat', CHAIN.OUTPUT, '-d', c, '-j', 'RETURN');
  // 17. Outbound ports always redirected.
  for (const p of s.outboundPorts) b.append('nat', CHAIN.OUTPUT, '-p', 'tcp', '--dport', String(p), '-j', CHAIN.REDIRECT);
  // 18. Outbound capture.
  outboundInclude(b, s, includeV4, 4);
  outboundInclude(b, s, includeV6, 6);

  // TPROXY tail (mangle).
  if (tproxy) {
    b.append('mangle', 'PREROUTING', '-p', 'tcp', '-m', 'mark', '--mark', mark, '-j', 'CONNMARK', '--save-mark');
    b.append('mangle', 'OUTPUT', '-p', 'tcp', '-o', 'lo', '-m', 'mark', '--mark', mark, '-j', 'RETURN');
    for (const uid of s.proxyUID) {
      b.appendVersioned(loopV4, LOOPBACK_V6, 'mangle', 'OUTPUT', '!', '-d', V, '-p', 'tcp', '-o', 'lo',
        '-m', 'owner', '--uid-owner', uid, '-j', 'MARK', '--set-mark', OUTBOUND_MARK);
    }
    for (const gid of s.proxyGID) {
      b.appendVersioned(loopV4, LOOPBACK_V6, 'mangle', 'OUTPUT', '!', '-d', V, '-p', 'tcp', '-o', 'lo',
        '-m', 'owner', '--gid-owner', gid, '-j', 'MARK', '--set-mark', OUTBOUND_MARK);
    }
    b.append('mangle', 'OUTPUT', '-p', 'tcp', '-m', 'connmark', '--mark', mark, '-j', 'CONNMARK', '--restore-mark');
    b.insert('mangle', CHAIN.INBOUND, 1, '-p', 'tcp', '-m', 'mark', '--mark', mark, '-j', 'RETURN');
    b.insertV4('mangle', CHAIN.INBOUND, 2, '-p', 'tcp', '-s', PASSTHROUGH_V4, '-i', 'lo', '-j', 'RETURN');
    b.insertV6('mangle', CHAIN.INBOUND, 2, '-p', 'tcp', '-s', PASSTHROUGH_V6, '-i', 'lo', '-j', 'RETURN');
    b.insert('mangle', CHAIN.INBOUND, 3, '-p', 'tcp', '-i', 'lo', '-m', 'mark', '!', '--mark', OUTBOUND_MARK, '-j', 'RETURN');
  }

  const result: CaptureRules = { ipv4: renderRestore(b.v4), routes: routes(s, ipv6, inboundSet) };
  if (ipv6) result.ipv6 = renderRestore(b.v6);
  return result;
}

function outboundInclude(b: RuleBuilder, s: CaptureSettings, range: NetworkRange, family: 4 | 6): void {
  const append = (...p: string[]): void => (family === 4 ? b.appendV4('nat', CHAIN.OUTPUT, ...p) : b.appendV6('nat', CHAIN.OUTPUT, ...p));
  const insert = (...p: string[]): void =>
    family === 4 ? b.insertV4('nat', 'PREROUTING', 1, ...p) : b.insertV6('nat', 'PREROUTING', 1, ...p);
  if (range.wildcard) {
    append('-j', CHAIN.REDIRECT);
    for (const nic of s.rerouteVirtualInterfaces) insert('-i', nic, '-j', CHAIN.REDIRECT);
  } else {
    for (const cidr of range.cidrs) {
      for (const nic of s.rerouteVirtualInterfaces) insert('-i', nic, '-d', cidr, '-j', CHAIN.REDIRECT);
      append('-d', cidr, '-j', CHAIN.REDIRECT);
    }
  }
}

/** Istio's `SetupDNSRedir` + `addDNSConntrackZones`. */
function setupDnsRedirect(b: RuleBuilder, s: CaptureSettings, dnsV4: readonly string[], dnsV6: readonly string[]): void {
  const all = s.captureAllDNS;
  b.append('raw', 'OUTPUT', '-j', CHAIN.OUTPUT_DNS);
  if (all || dnsV4.length > 0) b.appendV4('nat', CHAIN.OUTPUT, '-j', CHAIN.OUTPUT_DNS);
  if (all || dnsV6.length > 0) b.appendV6('nat', CHAIN.OUTPUT, '-j', CHAIN.OUTPUT_DNS);
  if (all) {
    b.append('nat', CHAIN.OUTPUT_DNS, '-p', 'tcp', '--dport', '53', '-j', 'REDIRECT', '--to-ports', AGENT_DNS_PORT);
  } else {
    for (const d of dnsV4) b.appendV4('nat', CHAIN.OUTPUT_DNS, '-p', 'tcp', '--dport', '53', '-d', `${d}/32`, '-j', 'REDIRECT', '--to-ports', AGENT_DNS_PORT);
    for (const d of dnsV6) b.appendV6('nat', CHAIN.OUTPUT_DNS, '-p', 'tcp', '--dport', '53', '-d', `${d}/128`, '-j', 'REDIRECT', '--to-ports', AGENT_DNS_PORT);
  }
  if (all) {
    b.append('nat', CHAIN.OUTPUT_DNS, '-p', 'udp', '--dport', '53', '-j', 'REDIRECT', '--to-port', AGENT_DNS_PORT);
  } else {
    for (const d of dnsV4) b.appendV4('nat', CHAIN.OUTPUT_DNS, '-p', 'udp', '--dport', '53', '-d', `${d}/32`, '-j', 'REDIRECT', '--to-port', AGENT_DNS_PORT);
    for (const d of dnsV6) b.appendV6('nat', CHAIN.OUTPUT_DNS, '-p', 'udp', '--dport', '53', '-d', `${d}/128`, '-j', 'REDIRECT', '--to-port', AGENT_DNS_PORT);
  }
  // Conntrack zones: istio <-> upstream resolvers in zone 1, app <-> istio in zone 2.
  for (const uid of s.proxyUID) {
    b.append('raw', CHAIN.OUTPUT_DNS, '-p', 'udp', '--dport', '53', '-m', 'owner', '--uid-owner', uid, '-j', 'CT', '--zone', '1');
    b.append('raw', CHAIN.OUTPUT_DNS, '-p', 'udp', '--sport', AGENT_DNS_PORT, '-m', 'owner', '--uid-owner', uid, '-j', 'CT', '--zone', '2');
  }
  for (const gid of s.proxyGID) {
    b.append('raw', CHAIN.OUTPUT_DNS, '-p', 'udp', '--dport', '53', '-m', 'owner', '--gid-owner', gid, '-j', 'CT', '--zone', '1');
    b.append('raw', CHAIN.OUTPUT_DNS, '-p', 'udp', '--sport', AGENT_DNS_PORT, '-m', 'owner', '--gid-owner', gid, '-j', 'CT', '--zone', '2');
  }
  if (all) {
    b.append('raw', 'PREROUTING', '-j', CHAIN.INBOUND);
    b.append('raw', CHAIN.OUTPUT_DNS, '-p', 'udp', '--dport', '53', '-j', 'CT', '--zone', '2');
    b.append('raw', CHAIN.INBOUND, '-p', 'udp', '--sport', '53', '-j', 'CT', '--zone', '1');
  } else {
    if (dnsV4.length > 0) b.appendV4('raw', 'PREROUTING', '-j', CHAIN.INBOUND);
    for (const d of dnsV4) {
      b.appendV4('raw', CHAIN.OUTPUT_DNS, '-p', 'udp', '--dport', '53', '-d', `${d}/32`, '-j', 'CT', '--zone', '2');
      b.appendV4('raw', CHAIN.INBOUND, '-p', 'udp', '--sport', '53', '-s', `${d}/32`, '-j', 'CT', '--zone', '1');
    }
    if (dnsV6.length > 0) b.appendV6('raw', 'PREROUTING', '-j', CHAIN.INBOUND);
    for (const d of dnsV6) {
      b.appendV6('raw', CHAIN.OUTPUT_DNS, '-p', 'udp', '--dport', '53', '-d', `${d}/128`, '-j', 'CT', '--zone', '2');
      b.appendV6('raw', CHAIN.INBOUND, '-p', 'udp', '--sport', '53', '-s', `${d}/128`, '-j', 'CT', '--zone', '1');
    }
  }
}

/**
 * Istio's `ConfigureRoutes` as `ip` commands: the `::6` loopback address when IPv6, and for TPROXY
 * with inbound capture, `ip rule add fwmark <mark> lookup <table>` and
 * `ip route add local default dev lo table <table>` per family.
 */
function routes(s: CaptureSettings, ipv6: boolean, inboundSet: boolean): string[][] {
  const out: string[][] = [];
  if (ipv6) out.push(['ip', '-6', 'addr', 'add', '::6/128', 'dev', 'lo']);
  if (inboundSet && s.interceptionMode === 'TPROXY') {
    const mark = String(s.tproxyMark);
    const table = String(s.tproxyRouteTable);
    const families: Array<['-4' | '-6', string]> = [['-4', '0.0.0.0/0']];
    if (ipv6) families.push(['-6', '::/0']);
    for (const [f] of families) out.push(['ip', f, 'rule', 'add', 'fwmark', mark, 'lookup', table]);
    for (const [f, dst] of families) out.push(['ip', f, 'route', 'add', 'local', dst, 'dev', 'lo', 'table', table]);
  }
  return out;
}
