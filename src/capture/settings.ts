/**
 * Capture settings: everything the `istio-iptables` command (run as `pilot-agent istio-iptables …`
 * in the `istio-init` container) reads from its flags and environment, and their defaults. The flag
 * table is `flags.ts`; parsing and validation are `parse-args.ts`.
 *
 * Two things istio-iptables discovers at run time are deliberately *not* settings (see `rules.ts`,
 * `CaptureRuntime`): whether the pod has an IPv6 address, and the DNS servers in /etc/resolv.conf.
 * The `-u` default (uid of `$ENVOY_USER`, else 1337) is taken as 1337, since looking up a user is I/O.
 */
import type { CidrSelection, InterceptionMode, PortSelection } from './values.ts';

export type { CidrSelection, InterceptionMode, PortSelection } from './values.ts';

export interface CaptureSettings {
  /** `-p` / `--envoy-port`: outbound redirect target. */
  proxyPort: number;
  /** `-z` / `--inbound-capture-port`: inbound redirect target. */
  inboundCapturePort: number;
  /** `-e` / `--inbound-tunnel-port`: HBONE port that bypasses inbound capture. */
  inboundTunnelPort: number;
  /** `-u` / `--proxy-uid`: UIDs (numbers or names) whose traffic is not redirected. */
  proxyUID: string[];
  /** `-g` / `--proxy-gid`: GIDs; defaults to the UIDs. */
  proxyGID: string[];
  /** `-m` / `--istio-inbound-interception-mode` (empty means REDIRECT). */
  interceptionMode: InterceptionMode;
  /** `-b` / `--istio-inbound-ports`. */
  inboundPorts: PortSelection;
  /** `-d` / `--istio-local-exclude-ports` (only used with `-b '*'`). */
  inboundPortsExclude: number[];
  /** `-c` / `--istio-exclude-interfaces`. */
  excludeInterfaces: string[];
  /** `-i` / `--istio-service-cidr`. */
  outboundIPRanges: CidrSelection;
  /** `-x` / `--istio-service-exclude-cidr`. */
  outboundIPRangesExclude: string[];
  /** `-q` / `--istio-outbound-ports`. */
  outboundPorts: number[];
  /** `-o` / `--istio-local-outbound-ports-exclude`. */
  outboundPortsExclude: number[];
  /** `-k` / `--kube-virt-interfaces`. */
  rerouteVirtualInterfaces: string[];
  /** `-t` / `--istio-inbound-tproxy-mark`. */
  tproxyMark: number;
  /** `-r` / `--istio-inbound-tproxy-route-table`. */
  tproxyRouteTable: number;
  /** `-n` / `--dry-run`. */
  dryRun: boolean;
  /** `--iptables-probe-port`. */
  iptablesProbePort: number;
  /** `--probe-timeout` (Go duration text). */
  probeTimeout: string;
  /** `--skip-rule-apply`. */
  skipRuleApply: boolean;
  /** `--run-validation`. */
  runValidation: boolean;
  /** `--redirect-dns` (env `REDIRECT_DNS`, also `ISTIO_META_DNS_CAPTURE`). */
  redirectDNS: boolean;
  /** `--drop-invalid` (env `DROP_INVALID`, also `INVALID_DROP`). */
  dropInvalid: boolean;
  /** `--dual-stack` (env `DUAL_STACK`, also `ISTIO_DUAL_STACK`). */
  dualStack: boolean;
  /** `--capture-all-dns`. */
  captureAllDNS: boolean;
  /** `--network-namespace`. */
  networkNamespace: string;
  /** `--cni-mode`. */
  cniMode: boolean;
  /** `--reconcile`. */
  reconcile: boolean;
  /** `--cleanup-only`. */
  cleanupOnly: boolean;
  /** `--force-apply`. */
  forceApply: boolean;
  /** `--native-nftables`. */
  nativeNftables: boolean;
  /** `--force-iptables-binary`. */
  forceIptablesBinary: string;
  /** Env `ISTIO_OUTBOUND_IPV4_LOOPBACK_CIDR` (an IPv4 loopback CIDR, mask 8..32). */
  hostIPv4LoopbackCidr: string;
  /** Env `ISTIO_OUTBOUND_OWNER_GROUPS`: groups whose outbound traffic is captured (`*` = all). */
  ownerGroupsInclude: '*' | string[];
  /** Env `ISTIO_OUTBOUND_OWNER_GROUPS_EXCLUDE` (only used with include `*`). */
  ownerGroupsExclude: string[];
  /** pilot-agent logging flag `--log_output_level` (the injector always passes one). */
  logOutputLevel: string | undefined;
  /** pilot-agent logging flag `--log_as_json`. */
  logAsJson: boolean;
}

export const MAX_OWNER_GROUPS_INCLUDE = 64;

/**
 * istio-iptables writes one PREROUTING rule for every virtual interface (-k) and every included outbound
 * range (-i): the product of two lists. A real pod has a few of each; two 32 KiB annotations would make
 * nine million rules (4 GB and tens of seconds to build, then an iptables-restore no kernel takes).
 */
export const MAX_VIRTUAL_INTERFACE_RULES = 1024;

/** Defaults of istio-iptables (`DefaultConfig()` and the flag defaults). */
export function defaultCaptureSettings(): CaptureSettings {
  return {
    proxyPort: 15001,
    inboundCapturePort: 15006,
    inboundTunnelPort: 15008,
    proxyUID: ['1337'],
    proxyGID: ['1337'],
    interceptionMode: 'REDIRECT',
    inboundPorts: [],
    inboundPortsExclude: [],
    excludeInterfaces: [],
    outboundIPRanges: [],
    outboundIPRangesExclude: [],
    outboundPorts: [],
    outboundPortsExclude: [],
    rerouteVirtualInterfaces: [],
    tproxyMark: 1337,
    tproxyRouteTable: 133,
    dryRun: false,
    iptablesProbePort: 15002,
    probeTimeout: '5s',
    skipRuleApply: false,
    runValidation: false,
    redirectDNS: false,
    dropInvalid: false,
    dualStack: false,
    captureAllDNS: false,
    networkNamespace: '',
    cniMode: false,
    reconcile: false,
    cleanupOnly: false,
    forceApply: false,
    nativeNftables: false,
    forceIptablesBinary: '',
    hostIPv4LoopbackCidr: '127.0.0.1/32',
    ownerGroupsInclude: '*',
    ownerGroupsExclude: [],
    logOutputLevel: undefined,
    logAsJson: false,
  };
}

export const DEFAULT_CAPTURE_SETTINGS: Readonly<CaptureSettings> = Object.freeze(defaultCaptureSettings());
