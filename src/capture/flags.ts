// The istio-iptables flag table: every capture setting with its long and short flag, its environment
// variables and its value parser, in istio-iptables' own order.
import type { CaptureSettings } from './settings.ts';
import {
  parseBool,
  parseCidrList,
  parseCidrSelection,
  parseDuration,
  parseInterfaceList,
  parseLoopbackCidr,
  parseMode,
  parseOwnerGroupsInclude,
  parseOwnerList,
  parsePort,
  parsePortList,
  parsePortSelection,
  parseUint32,
} from './values.ts';

export type Key = keyof CaptureSettings;

export interface FlagSpec {
  readonly key: Key;
  /** Long name without `--`; undefined for env-only settings. */
  readonly long?: string;
  readonly short?: string;
  /** Environment variables, highest precedence first. */
  readonly env: readonly string[];
  readonly bool: boolean;
  readonly parse: (value: string, flag: string) => CaptureSettings[Key];
}

const spec = (
  key: Key,
  long: string | undefined,
  short: string | undefined,
  env: readonly string[],
  parse: (value: string, flag: string) => CaptureSettings[Key],
  bool = false,
): FlagSpec => ({ key, long, short, env, parse, bool });

const envOf = (long: string): string => long.toUpperCase().replace(/-/g, '_');

/** Every setting, in istio-iptables' own order. */
export const CAPTURE_FLAGS: readonly FlagSpec[] = [
  spec('proxyPort', 'envoy-port', 'p', [], parsePort),
  spec('inboundCapturePort', 'inbound-capture-port', 'z', [envOf('inbound-capture-port')], parsePort),
  spec('inboundTunnelPort', 'inbound-tunnel-port', 'e', [envOf('inbound-tunnel-port')], parsePort),
  spec('proxyUID', 'proxy-uid', 'u', [envOf('proxy-uid')], parseOwnerList),
  spec('proxyGID', 'proxy-gid', 'g', [envOf('proxy-gid')], parseOwnerList),
  spec('interceptionMode', 'istio-inbound-interception-mode', 'm', [envOf('istio-inbound-interception-mode')], parseMode),
  spec('inboundPorts', 'istio-inbound-ports', 'b', [envOf('istio-inbound-ports')], parsePortSelection),
  spec('inboundPortsExclude', 'istio-local-exclude-ports', 'd', [envOf('istio-local-exclude-ports')], parsePortList),
  spec('excludeInterfaces', 'istio-exclude-interfaces', 'c', [envOf('istio-exclude-interfaces')], parseInterfaceList),
  spec('outboundIPRanges', 'istio-service-cidr', 'i', [envOf('istio-service-cidr')], parseCidrSelection),
  spec('outboundIPRangesExclude', 'istio-service-exclude-cidr', 'x', [envOf('istio-service-exclude-cidr')], parseCidrList),
  spec('outboundPorts', 'istio-outbound-ports', 'q', [envOf('istio-outbound-ports')], parsePortList),
  spec('outboundPortsExclude', 'istio-local-outbound-ports-exclude', 'o', [envOf('istio-local-outbound-ports-exclude')], parsePortList),
  spec('rerouteVirtualInterfaces', 'kube-virt-interfaces', 'k', [envOf('kube-virt-interfaces')], parseInterfaceList),
  spec('tproxyMark', 'istio-inbound-tproxy-mark', 't', [envOf('istio-inbound-tproxy-mark')], parseUint32),
  spec('tproxyRouteTable', 'istio-inbound-tproxy-route-table', 'r', [envOf('istio-inbound-tproxy-route-table')], parseUint32),
  spec('dryRun', 'dry-run', 'n', ['DRY_RUN'], parseBool, true),
  spec('iptablesProbePort', 'iptables-probe-port', undefined, ['IPTABLES_PROBE_PORT'], parsePort),
  spec('probeTimeout', 'probe-timeout', undefined, ['PROBE_TIMEOUT'], parseDuration),
  spec('skipRuleApply', 'skip-rule-apply', undefined, ['SKIP_RULE_APPLY'], parseBool, true),
  spec('runValidation', 'run-validation', undefined, ['RUN_VALIDATION'], parseBool, true),
  spec('redirectDNS', 'redirect-dns', undefined, ['REDIRECT_DNS', 'ISTIO_META_DNS_CAPTURE'], parseBool, true),
  spec('dropInvalid', 'drop-invalid', undefined, ['DROP_INVALID', 'INVALID_DROP'], parseBool, true),
  spec('dualStack', 'dual-stack', undefined, ['DUAL_STACK', 'ISTIO_DUAL_STACK'], parseBool, true),
  spec('captureAllDNS', 'capture-all-dns', undefined, ['CAPTURE_ALL_DNS'], parseBool, true),
  spec('networkNamespace', 'network-namespace', undefined, ['NETWORK_NAMESPACE'], (v) => v),
  spec('cniMode', 'cni-mode', undefined, ['CNI_MODE'], parseBool, true),
  spec('reconcile', 'reconcile', undefined, ['RECONCILE'], parseBool, true),
  spec('cleanupOnly', 'cleanup-only', undefined, ['CLEANUP_ONLY'], parseBool, true),
  spec('forceApply', 'force-apply', undefined, ['FORCE_APPLY'], parseBool, true),
  spec('nativeNftables', 'native-nftables', undefined, ['NATIVE_NFTABLES'], parseBool, true),
  spec('forceIptablesBinary', 'force-iptables-binary', undefined, ['FORCE_IPTABLES_BINARY'], (v) => v),
  spec('hostIPv4LoopbackCidr', undefined, undefined, ['ISTIO_OUTBOUND_IPV4_LOOPBACK_CIDR'], parseLoopbackCidr),
  spec('ownerGroupsInclude', undefined, undefined, ['ISTIO_OUTBOUND_OWNER_GROUPS'], parseOwnerGroupsInclude),
  spec('ownerGroupsExclude', undefined, undefined, ['ISTIO_OUTBOUND_OWNER_GROUPS_EXCLUDE'], parseOwnerList),
  // pilot-agent's logging flags, which the injector appends to the istio-iptables arguments.
  spec('logOutputLevel', 'log_output_level', undefined, [], (v) => v),
  spec('logAsJson', 'log_as_json', undefined, [], parseBool, true),
];

export const BY_LONG = new Map(CAPTURE_FLAGS.filter((f) => f.long).map((f) => [f.long as string, f]));
export const BY_SHORT = new Map(CAPTURE_FLAGS.filter((f) => f.short).map((f) => [f.short as string, f]));

/** The name of the istio-iptables subcommand, accepted (and skipped) as the first argument. */
export const ISTIO_IPTABLES_COMMAND = 'istio-iptables';

/** How messages name a setting: its short flag when there is one, else the long flag, else its env var. */
export function flagName(key: Key): string {
  const f = CAPTURE_FLAGS.find((x) => x.key === key);
  if (!f) return key;
  if (f.short) return `-${f.short}`;
  if (f.long) return `--${f.long}`;
  return f.env[0] ?? key;
}
