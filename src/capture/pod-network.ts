/**
 * The pod facts istio-iptables discovers at run time (rules.ts `CaptureRuntime`), decided from plain data
 * that apply.ts reads: the namespace's interface addresses and /etc/resolv.conf. Pure.
 */
import { parseAddress } from './net.ts';
import type { CaptureRuntime } from './rules.ts';
import type { CaptureSettings } from './settings.ts';

export interface InterfaceAddress {
  address: string;
  /** Loopback (Node's `internal`). */
  internal: boolean;
}

const isLinkLocal = (addr: string): boolean => /^fe[89ab][0-9a-f]:/i.test(addr) || addr.startsWith('169.254.');

/**
 * Whether to write ip6tables rules too. istio-iptables does when the pod IP is IPv6 (or with
 * `--dual-stack` when it has one). Loopback and link-local addresses (every IPv6-enabled interface has
 * an fe80:: one) do not count; a pod with both families counts as IPv6 only with `--dual-stack`.
 */
export function podHasIPv6(addresses: readonly InterfaceAddress[], dualStack: boolean): boolean {
  const usable = addresses.filter((a) => !a.internal && !isLinkLocal(a.address)).map((a) => parseAddress(a.address.split('%')[0] as string));
  const v6 = usable.some((a) => a?.family === 6);
  const v4 = usable.some((a) => a?.family === 4);
  return dualStack ? v6 : v6 && !v4;
}

/** `nameserver` entries of a resolv.conf, in order. */
export function nameservers(resolvConf: string): string[] {
  const out: string[] = [];
  for (const line of resolvConf.split('\n')) {
    const m = /^\s*nameserver\s+(\S+)/.exec(line);
    if (m) out.push(m[1] as string);
  }
  return out;
}

/** The runtime facts for `settings`, from what was read (resolv.conf only matters for DNS capture). */
export function captureRuntime(settings: CaptureSettings, addresses: readonly InterfaceAddress[], resolvConf: string | undefined): CaptureRuntime {
  const runtime: CaptureRuntime = { ipv6: podHasIPv6(addresses, settings.dualStack) };
  if (settings.redirectDNS && !settings.captureAllDNS && resolvConf !== undefined) runtime.dnsServers = nameservers(resolvConf);
  return runtime;
}
