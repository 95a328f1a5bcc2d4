/**
 * Capture settings: everything the `istio-iptables` command (run as `pilot-agent istio-iptables …`
 * in the `istio-init` container) reads from its flags and environment, validated and normalised.
 *
 * Pure: `parseCaptureArgs` receives argv and an environment map; nothing is read from the process.
 * Two things istio-iptables discovers at run time are deliberately *not* settings (see `rules.ts`,
 * `CaptureRuntime`): whether the pod has an IPv6 address, and the DNS servers in /etc/resolv.conf.
 * The `-u` default (uid of `$ENVOY_USER`, else 1337) is taken as 1337, since looking up a user is I/O.
 */
import { CaptureSettingError } from './errors.ts';
import {
  isValidInterfaceName, isValidOwnerId, parseBool, parseCidrList, parseCidrSelection, parseDuration, parseInterfaceList,
  parseLoopbackCidr, parseMode, parseOwnerGroupsInclude, parseOwnerList, parsePort, parsePortList, parsePortSelection, parseUint32,
} from './values.ts';
import { parsePrefix } from './net.ts';

export { isValidInterfaceName, isValidOwnerId, splitList } from './values.ts';

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

// ---------------------------------------------------------------------------------------------
// Flag table.

type Key = keyof CaptureSettings;

interface FlagSpec {
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

const BY_LONG = new Map(CAPTURE_FLAGS.filter((f) => f.long).map((f) => [f.long as string, f]));
const BY_SHORT = new Map(CAPTURE_FLAGS.filter((f) => f.short).map((f) => [f.short as string, f]));

/** The name of the istio-iptables subcommand, accepted (and skipped) as the first argument. */
export const ISTIO_IPTABLES_COMMAND = 'istio-iptables';

export type CaptureEnv = Readonly<Record<string, string | undefined>>;

/**
 * Parses istio-iptables arguments (cobra/pflag syntax: `-p 15001`, `-p15001`, `-p=15001`,
 * `--envoy-port 15001`, `--envoy-port=15001`, booleans `--dry-run` / `--dry-run=false` / `-n`)
 * and the environment (flag > env var > alias env var > default; empty env vars count as unset).
 * A leading `istio-iptables` token is skipped. Throws `CaptureSettingError` naming the flag.
 */
export function parseCaptureArgs(argv: readonly string[], env: CaptureEnv = {}): CaptureSettings {
  const given: Array<{ spec: FlagSpec; value: string; name: string }> = [];
  let i = argv[0] === ISTIO_IPTABLES_COMMAND ? 1 : 0;
  while (i < argv.length) {
    const arg = argv[i] as string;
    i++;
    if (arg === '--') {
      const rest = argv[i];
      if (rest !== undefined) throw new CaptureSettingError(rest, `unexpected argument ${JSON.stringify(rest)}`);
      break;
    }
    let name: string;
    let flag: FlagSpec | undefined;
    let inline: string | undefined;
    if (arg.startsWith('--')) {
      const body = arg.slice(2);
      const eq = body.indexOf('=');
      const long = eq >= 0 ? body.slice(0, eq) : body;
      inline = eq >= 0 ? body.slice(eq + 1) : undefined;
      name = `--${long}`;
      flag = BY_LONG.get(long);
    } else if (arg.startsWith('-') && arg.length > 1) {
      const short = arg.slice(1, 2);
      const rest = arg.slice(2);
      inline = rest === '' ? undefined : rest.startsWith('=') ? rest.slice(1) : rest;
      name = `-${short}`;
      flag = BY_SHORT.get(short);
      if (flag?.bool && inline !== undefined && !rest.startsWith('=')) {
        throw new CaptureSettingError(name, `unexpected text ${JSON.stringify(rest)} after boolean flag ${name}`);
      }
    } else {
      throw new CaptureSettingError(arg, `unexpected argument ${JSON.stringify(arg)}: istio-iptables takes only flags`);
    }
    if (!flag) throw new CaptureSettingError(name, `unknown flag ${name}`);
    let value: string;
    if (inline !== undefined) value = inline;
    else if (flag.bool) value = 'true';
    else {
      const next = argv[i];
      if (next === undefined) throw new CaptureSettingError(name, `flag ${name} needs an argument`);
      value = next;
      i++;
    }
    given.push({ spec: flag, value, name });
  }

  const out = defaultCaptureSettings() as unknown as Record<Key, unknown>;
  const fromFlags = new Set(given.map((g) => g.spec.key));
  // Environment first (lower precedence), only for settings not given as flags.
  for (const s of CAPTURE_FLAGS) {
    if (fromFlags.has(s.key)) continue;
    const envName = s.env.find((n) => env[n] !== undefined && env[n] !== '');
    if (envName !== undefined) out[s.key] = s.parse(env[envName] as string, envName);
  }
  // Then flags, in order (the last occurrence wins, as in pflag).
  for (const g of given) out[g.spec.key] = g.spec.parse(g.value, g.name);

  const settings = out as unknown as CaptureSettings;
  // `-u ""` means "unset" in istio-iptables (then $ENVOY_USER's uid, else 1337).
  if (settings.proxyUID.length === 0) settings.proxyUID = ['1337'];
  // `-g` defaults to the UIDs.
  const gidGiven = fromFlags.has('proxyGID') || (env.PROXY_GID !== undefined && env.PROXY_GID !== '');
  if (!gidGiven || settings.proxyGID.length === 0) settings.proxyGID = [...settings.proxyUID];
  validateCaptureSettings(settings);
  return settings;
}

/**
 * Checks a settings object (e.g. one built in code rather than parsed). Throws
 * `CaptureSettingError` naming the flag (short form when there is one, else the env var).
 */
export function validateCaptureSettings(s: CaptureSettings): void {
  const name = (key: Key): string => {
    const f = CAPTURE_FLAGS.find((x) => x.key === key);
    if (!f) return key;
    if (f.short) return `-${f.short}`;
    if (f.long) return `--${f.long}`;
    return f.env[0] ?? key;
  };
  const bad = (key: Key, why: string): never => {
    throw new CaptureSettingError(name(key), `invalid value for ${name(key)}: ${why}`);
  };
  const isPort = (p: unknown): boolean => Number.isInteger(p) && (p as number) >= 1 && (p as number) <= 65535;
  for (const key of ['proxyPort', 'inboundCapturePort', 'inboundTunnelPort', 'iptablesProbePort'] as const) {
    if (!isPort(s[key])) bad(key, `${String(s[key])} is not a port number (1-65535)`);
  }
  for (const key of ['inboundPortsExclude', 'outboundPorts', 'outboundPortsExclude'] as const) {
    for (const p of s[key]) if (!isPort(p)) bad(key, `${String(p)} is not a port number (1-65535)`);
  }
  if (s.inboundPorts !== '*') for (const p of s.inboundPorts) if (!isPort(p)) bad('inboundPorts', `${String(p)} is not a port number (1-65535)`);
  if (s.interceptionMode !== 'REDIRECT' && s.interceptionMode !== 'TPROXY') {
    bad('interceptionMode', `${JSON.stringify(s.interceptionMode)}: interception mode must be REDIRECT or TPROXY`);
  }
  const checkCidrs = (key: Key, list: readonly string[]): void => {
    for (const c of list) {
      const p = parsePrefix(c);
      if (!p) bad(key, `${JSON.stringify(c)} is not a CIDR (address/bits)`);
    }
  };
  if (s.outboundIPRanges !== '*') checkCidrs('outboundIPRanges', s.outboundIPRanges);
  checkCidrs('outboundIPRangesExclude', s.outboundIPRangesExclude);
  for (const key of ['excludeInterfaces', 'rerouteVirtualInterfaces'] as const) {
    for (const nic of s[key]) if (!isValidInterfaceName(nic)) bad(key, `${JSON.stringify(nic)} is not a valid network interface name`);
  }
  if (s.proxyUID.length === 0) bad('proxyUID', 'at least one uid is required');
  if (s.proxyGID.length === 0) bad('proxyGID', 'at least one gid is required');
  for (const key of ['proxyUID', 'proxyGID', 'ownerGroupsExclude'] as const) {
    for (const id of s[key]) if (!isValidOwnerId(id)) bad(key, `${JSON.stringify(id)} is not a uid/gid or a user/group name`);
  }
  if (s.ownerGroupsInclude !== '*') {
    // istio would emit a bare `-j RETURN` (capture nothing); an empty include list is refused instead.
    if (s.ownerGroupsInclude.length === 0) bad('ownerGroupsInclude', 'must be "*" or a non-empty list of groups');
    for (const id of s.ownerGroupsInclude) if (!isValidOwnerId(id)) bad('ownerGroupsInclude', `${JSON.stringify(id)} is not a gid or a group name`);
    if (s.ownerGroupsInclude.length > MAX_OWNER_GROUPS_INCLUDE) {
      bad(
        'ownerGroupsInclude',
        `number of owner groups whose outgoing traffic should be redirected to Envoy cannot exceed ${MAX_OWNER_GROUPS_INCLUDE}, got ${s.ownerGroupsInclude.length}`,
      );
    }
  }
  for (const key of ['tproxyMark', 'tproxyRouteTable'] as const) {
    const n = s[key];
    if (!Number.isInteger(n) || n < 1 || n > 4294967295) bad(key, `${String(n)} is out of range (1-4294967295)`);
  }
  const perInterface = s.outboundIPRanges === '*' ? 1 : s.outboundIPRanges.length;
  if (s.rerouteVirtualInterfaces.length * perInterface > MAX_VIRTUAL_INTERFACE_RULES) {
    bad('rerouteVirtualInterfaces', `${s.rerouteVirtualInterfaces.length} virtual interfaces times ${perInterface} outbound IP ranges (${name('outboundIPRanges')}) make ` +
      `${s.rerouteVirtualInterfaces.length * perInterface} rules, over the cap of ${MAX_VIRTUAL_INTERFACE_RULES} (MAX_VIRTUAL_INTERFACE_RULES): list fewer of either`);
  }
  parseLoopbackCidr(s.hostIPv4LoopbackCidr, name('hostIPv4LoopbackCidr'));
}
