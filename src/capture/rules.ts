/**
 * Pure generator of the `iptables-restore --noflush` input that istio-iptables
 * (`tools/istio-iptables/pkg/capture/run.go`, `Run()`) would apply, plus the policy-routing
 * commands it would run (`ConfigureRoutes`).
 *
 * Emission follows Istio's order: exclude-interfaces, virtual interfaces, drop-invalid, the base
 * chains, inbound (REDIRECT in nat or TPROXY in mangle), the OUTPUT jump, outbound port
 * exclusions, passthrough source, per-UID and per-GID rules, owner groups, DNS (`dns-rules.ts`: nat + raw CT
 * zones), loopback/CIDR exclusions, outbound ports/CIDRs, then the TPROXY mangle tail.
 *
 * Rendering (`rule-builder.ts`) follows Istio's restore builder: tables in alphabetical order, each with `-N` for
 * every non-built-in chain that has rules (in order of its first rule), then `-N` for non-built-in
 * jump targets without rules, then the rules in emission order, then `COMMIT`.
 */
import { CaptureSettingError } from './errors.ts';
import { type ParsedPrefix, parsePrefix } from './net.ts';
import type { CaptureSettings } from './settings.ts';
import { validateCaptureSettings } from './parse-args.ts';
import { setupDnsRedirect, splitDnsServers } from './dns-rules.ts';
import { CHAIN, RuleBuilder, renderRestore, V } from './rule-builder.ts';

/** TPROXY: mark on Envoy → app traffic (`constants.OutboundMark`). */
export const OUTBOUND_MARK = '1338';
/** Source address Envoy uses for inbound passthrough. */
const PASSTHROUGH_V4 = '127.0.0.6/32';
const PASSTHROUGH_V6 = '::6/128';
const LOOPBACK_V6 = '::1/128';

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

interface NetworkRange {
  wildcard: boolean;
  cidrs: string[];
  hasLoopback: boolean;
}

/** Istio's `SeparateV4V6`. */
function separateV4V6(list: '*' | readonly string[], flag: string): [NetworkRange, NetworkRange] {
  if (list === '*')
    return [
      { wildcard: true, cidrs: [], hasLoopback: false },
      { wildcard: true, cidrs: [], hasLoopback: false },
    ];
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

/** What every stage of `generateRules` reads besides the settings. */
interface Emit {
  readonly b: RuleBuilder;
  readonly s: CaptureSettings;
  readonly tproxy: boolean;
  readonly loopV4: string;
  readonly mark: string;
  readonly tunnel: string;
  readonly redirectDNS: boolean;
}

/**
 * Generates the rules istio-iptables would apply for `settings` (validated first; throws
 * `CaptureSettingError`). Pure: the pod facts istio-iptables would discover come from `runtime`.
 * Each stage below appends in Istio's order (the numbers are the steps of the header's list).
 */
export function generateRules(settings: CaptureSettings, runtime: CaptureRuntime = {}): CaptureRules {
  validateCaptureSettings(settings);
  const s = settings;
  const ipv6 = runtime.ipv6 === true;
  const [dnsV4, dnsV6] = splitDnsServers(runtime.dnsServers ?? []);
  // DNS capture needs either capture-all or known nameservers; otherwise istio disables it.
  const redirectDNS = s.redirectDNS && (s.captureAllDNS || dnsV4.length > 0 || dnsV6.length > 0);
  const e: Emit = {
    b: new RuleBuilder(ipv6),
    s,
    tproxy: s.interceptionMode === 'TPROXY',
    loopV4: s.hostIPv4LoopbackCidr,
    mark: String(s.tproxyMark),
    tunnel: String(s.inboundTunnelPort),
    redirectDNS,
  };
  const [excludeV4, excludeV6] = separateV4V6(s.outboundIPRangesExclude, '-x');
  const [includeV4, includeV6] = separateV4V6(s.outboundIPRanges, '-i');

  excludedInterfaces(e);
  baseChains(e);
  const inboundSet = inboundCapture(e);
  outboundHead(e);
  proxyOwnerRules(e, includeV4.hasLoopback || includeV6.hasLoopback);
  ownerGroups(e);
  // 14. DNS.
  if (redirectDNS) setupDnsRedirect(e.b, s, dnsV4, dnsV6);
  // 15. Envoy-aware apps and container-to-container traffic on localhost.
  e.b.appendVersioned(e.loopV4, LOOPBACK_V6, 'nat', CHAIN.OUTPUT, '-d', V, '-j', 'RETURN');
  // 16. Outbound CIDR exclusions.
  for (const c of excludeV4.cidrs) e.b.appendV4('nat', CHAIN.OUTPUT, '-d', c, '-j', 'RETURN');
  for (const c of excludeV6.cidrs) e.b.appendV6('nat', CHAIN.OUTPUT, '-d', c, '-j', 'RETURN');
  // 17. Outbound ports always redirected.
  for (const p of s.outboundPorts) e.b.append('nat', CHAIN.OUTPUT, '-p', 'tcp', '--dport', String(p), '-j', CHAIN.REDIRECT);
  // 18. Outbound capture.
  outboundInclude(e.b, s, includeV4, 4);
  outboundInclude(e.b, s, includeV6, 6);
  if (e.tproxy) tproxyTail(e);

  const result: CaptureRules = { ipv4: renderRestore(e.b.v4), routes: routes(s, ipv6, inboundSet) };
  if (ipv6) result.ipv6 = renderRestore(e.b.v6);
  return result;
}

/** 1-3: interfaces never captured, virtual interfaces not inbound-captured, INVALID packets dropped. */
function excludedInterfaces({ b, s, tproxy }: Emit): void {
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
  for (const nic of s.rerouteVirtualInterfaces) b.insert('nat', 'PREROUTING', 1, '-i', nic, '-j', 'RETURN');
  // Drop INVALID packets instead of resetting the connection.
  if (s.dropInvalid) {
    b.append('mangle', 'PREROUTING', '-m', 'conntrack', '--ctstate', 'INVALID', '-j', CHAIN.DROP);
    b.append('mangle', CHAIN.DROP, '-j', 'DROP');
  }
}

/** 4-6: the base chains. */
function baseChains({ b, s, tunnel }: Emit): void {
  b.append('nat', CHAIN.INBOUND, '-p', 'tcp', '--dport', tunnel, '-j', 'RETURN');
  b.append('nat', CHAIN.REDIRECT, '-p', 'tcp', '-j', 'REDIRECT', '--to-ports', String(s.proxyPort));
  b.append('nat', CHAIN.IN_REDIRECT, '-p', 'tcp', '-j', 'REDIRECT', '--to-ports', String(s.inboundCapturePort));
}

/** 7: inbound capture (REDIRECT in nat, or TPROXY in mangle). Returns whether any inbound port is captured. */
function inboundCapture({ b, s, tproxy, loopV4, mark }: Emit): boolean {
  const inboundSet = s.inboundPorts === '*' || s.inboundPorts.length > 0;
  if (!inboundSet) return false;
  let table = 'nat';
  if (tproxy) {
    b.append('mangle', CHAIN.DIVERT, '-j', 'MARK', '--set-mark', mark);
    b.append('mangle', CHAIN.DIVERT, '-j', 'ACCEPT');
    b.appendVersioned(
      loopV4,
      LOOPBACK_V6,
      'mangle',
      CHAIN.TPROXY,
      '!',
      '-d',
      V,
      '-p',
      'tcp',
      '-j',
      'TPROXY',
      '--tproxy-mark',
      `${mark}/0xffffffff`,
      '--on-port',
      String(s.inboundCapturePort),
    );
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
    return true;
  }
  for (const p of s.inboundPorts) {
    const port = String(p);
    if (tproxy) {
      b.append('mangle', CHAIN.INBOUND, '-p', 'tcp', '--dport', port, '-m', 'conntrack', '--ctstate', 'RELATED,ESTABLISHED', '-j', CHAIN.DIVERT);
      b.append('mangle', CHAIN.INBOUND, '-p', 'tcp', '--dport', port, '-j', CHAIN.TPROXY);
    } else {
      b.append('nat', CHAIN.INBOUND, '-p', 'tcp', '--dport', port, '-j', CHAIN.IN_REDIRECT);
    }
  }
  return true;
}

/** 8-10: the OUTPUT jump, outbound port exclusions, the inbound passthrough source. */
function outboundHead({ b, s }: Emit): void {
  b.append('nat', 'OUTPUT', '-j', CHAIN.OUTPUT);
  // Outbound port exclusions come before the redirect-to-self rules.
  for (const p of s.outboundPortsExclude) {
    b.append('nat', CHAIN.OUTPUT, '-p', 'tcp', '--dport', String(p), '-j', 'RETURN');
    b.append('nat', CHAIN.OUTPUT, '-p', 'udp', '--dport', String(p), '-j', 'RETURN');
  }
  // The inbound passthrough cluster binds 127.0.0.6 / ::6.
  b.appendVersioned(PASSTHROUGH_V4, PASSTHROUGH_V6, 'nat', CHAIN.OUTPUT, '-o', 'lo', '-s', V, '-j', 'RETURN');
}

/** 11-12: per proxy UID, then per proxy GID (only the UID's redirect-to-self rule spares DNS). */
function proxyOwnerRules({ b, s, loopV4, tunnel, redirectDNS }: Emit, loopbackIncluded: boolean): void {
  const owners: Array<['--uid-owner' | '--gid-owner', string]> = [
    ...s.proxyUID.map((id): ['--uid-owner', string] => ['--uid-owner', id]),
    ...s.proxyGID.map((id): ['--gid-owner', string] => ['--gid-owner', id]),
  ];
  // With DNS capture, the UID's redirect-to-self spares port 53 too, and looped-back DNS is not returned.
  const spareDns = redirectDNS ? ['-p', 'tcp', '!', '--dport', '53'] : [];
  for (const [match, id] of owners) {
    const ports = redirectDNS && match === '--uid-owner' ? ['-m', 'multiport', '!', '--dports', `53,${tunnel}`] : ['!', '--dport', tunnel];
    const toSelf = ['-o', 'lo', '!', '-d', V, '-p', 'tcp', ...ports, '-m', 'owner', match, id, '-j', CHAIN.IN_REDIRECT] as const;
    b.appendVersioned(loopV4, LOOPBACK_V6, 'nat', CHAIN.OUTPUT, ...toSelf);
    if (!loopbackIncluded) b.append('nat', CHAIN.OUTPUT, '-o', 'lo', ...spareDns, '-m', 'owner', '!', match, id, '-j', 'RETURN');
    b.append('nat', CHAIN.OUTPUT, '-m', 'owner', match, id, '-j', 'RETURN');
  }
}

/** 13: the owner-group filter (nothing for the default `*` with no exclusions). */
function ownerGroups({ b, s }: Emit): void {
  if (s.ownerGroupsInclude === '*') {
    for (const g of s.ownerGroupsExclude) b.append('nat', CHAIN.OUTPUT, '-m', 'owner', '--gid-owner', g, '-j', 'RETURN');
  } else {
    const none = s.ownerGroupsInclude.flatMap((g) => ['-m', 'owner', '!', '--gid-owner', g]);
    b.append('nat', CHAIN.OUTPUT, ...none, '-j', 'RETURN');
  }
}

/** The TPROXY tail in mangle: mark and restore connections, keep Envoy's own and looped-back traffic out. */
function tproxyTail({ b, s, loopV4, mark }: Emit): void {
  b.append('mangle', 'PREROUTING', '-p', 'tcp', '-m', 'mark', '--mark', mark, '-j', 'CONNMARK', '--save-mark');
  b.append('mangle', 'OUTPUT', '-p', 'tcp', '-o', 'lo', '-m', 'mark', '--mark', mark, '-j', 'RETURN');
  for (const [match, ids] of [
    ['--uid-owner', s.proxyUID],
    ['--gid-owner', s.proxyGID],
  ] as const) {
    for (const id of ids) {
      b.appendVersioned(
        loopV4,
        LOOPBACK_V6,
        'mangle',
        'OUTPUT',
        '!',
        '-d',
        V,
        '-p',
        'tcp',
        '-o',
        'lo',
        '-m',
        'owner',
        match,
        id,
        '-j',
        'MARK',
        '--set-mark',
        OUTBOUND_MARK,
      );
    }
  }
  b.append('mangle', 'OUTPUT', '-p', 'tcp', '-m', 'connmark', '--mark', mark, '-j', 'CONNMARK', '--restore-mark');
  b.insert('mangle', CHAIN.INBOUND, 1, '-p', 'tcp', '-m', 'mark', '--mark', mark, '-j', 'RETURN');
  b.insertV4('mangle', CHAIN.INBOUND, 2, '-p', 'tcp', '-s', PASSTHROUGH_V4, '-i', 'lo', '-j', 'RETURN');
  b.insertV6('mangle', CHAIN.INBOUND, 2, '-p', 'tcp', '-s', PASSTHROUGH_V6, '-i', 'lo', '-j', 'RETURN');
  b.insert('mangle', CHAIN.INBOUND, 3, '-p', 'tcp', '-i', 'lo', '-m', 'mark', '!', '--mark', OUTBOUND_MARK, '-j', 'RETURN');
}

function outboundInclude(b: RuleBuilder, s: CaptureSettings, range: NetworkRange, family: 4 | 6): void {
  const append = (...p: string[]): void => (family === 4 ? b.appendV4('nat', CHAIN.OUTPUT, ...p) : b.appendV6('nat', CHAIN.OUTPUT, ...p));
  const insert = (...p: string[]): void => (family === 4 ? b.insertV4('nat', 'PREROUTING', 1, ...p) : b.insertV6('nat', 'PREROUTING', 1, ...p));
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
