// DNS capture: nameservers by family, and Istio's `SetupDNSRedir` + `addDNSConntrackZones`.
import { parseAddress } from './net.ts';
import { CHAIN, type RuleBuilder } from './rule-builder.ts';
import type { CaptureSettings } from './settings.ts';

/** Port of the istio-agent DNS proxy. */
export const AGENT_DNS_PORT = '15053';
/** Splits nameservers into IPv4 and IPv6 (istio's `IPsSplitV4V6`; unparsable entries are skipped). */
export function splitDnsServers(servers: readonly string[]): [string[], string[]] {
  const v4: string[] = [];
  const v6: string[] = [];
  for (const s of servers) {
    const a = parseAddress(s.trim());
    if (!a) continue;
    (a.family === 4 ? v4 : v6).push(s.trim());
  }
  return [v4, v6];
}

/** Istio's `SetupDNSRedir` + `addDNSConntrackZones`. */
export function setupDnsRedirect(b: RuleBuilder, s: CaptureSettings, dnsV4: readonly string[], dnsV6: readonly string[]): void {
  const all = s.captureAllDNS;
  b.append('raw', 'OUTPUT', '-j', CHAIN.OUTPUT_DNS);
  if (all || dnsV4.length > 0) b.appendV4('nat', CHAIN.OUTPUT, '-j', CHAIN.OUTPUT_DNS);
  if (all || dnsV6.length > 0) b.appendV6('nat', CHAIN.OUTPUT, '-j', CHAIN.OUTPUT_DNS);
  // Istio spells the target's flag --to-ports for tcp and --to-port for udp; the rules are kept as it writes them
  for (const [proto, toPorts] of [
    ['tcp', '--to-ports'],
    ['udp', '--to-port'],
  ] as const) {
    const redirect = ['-j', 'REDIRECT', toPorts, AGENT_DNS_PORT];
    if (all) {
      b.append('nat', CHAIN.OUTPUT_DNS, '-p', proto, '--dport', '53', ...redirect);
      continue;
    }
    for (const d of dnsV4) b.appendV4('nat', CHAIN.OUTPUT_DNS, '-p', proto, '--dport', '53', '-d', `${d}/32`, ...redirect);
    for (const d of dnsV6) b.appendV6('nat', CHAIN.OUTPUT_DNS, '-p', proto, '--dport', '53', '-d', `${d}/128`, ...redirect);
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
