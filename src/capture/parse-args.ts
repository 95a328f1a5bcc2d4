// istio-iptables arguments and environment -> validated CaptureSettings. Pure: argv and an environment
// map come in; nothing is read from the process.
import { CaptureSettingError } from './errors.ts';
import { BY_LONG, BY_SHORT, CAPTURE_FLAGS, type FlagSpec, flagName, ISTIO_IPTABLES_COMMAND, type Key } from './flags.ts';
import { parsePrefix } from './net.ts';
import { type CaptureSettings, defaultCaptureSettings, MAX_OWNER_GROUPS_INCLUDE, MAX_VIRTUAL_INTERFACE_RULES } from './settings.ts';
import { isValidInterfaceName, isValidOwnerId, parseLoopbackCidr } from './values.ts';

export type CaptureEnv = Readonly<Record<string, string | undefined>>;

type Given = { spec: FlagSpec; value: string; name: string };

/** One argument as a flag: its name as written, its spec, and a value given inline (`--f=v`, `-pV`, `-p=V`). */
function flagOf(arg: string): { name: string; flag: FlagSpec | undefined; inline: string | undefined } {
  if (arg.startsWith('--')) {
    const body = arg.slice(2);
    const eq = body.indexOf('=');
    const long = eq >= 0 ? body.slice(0, eq) : body;
    return { name: `--${long}`, flag: BY_LONG.get(long), inline: eq >= 0 ? body.slice(eq + 1) : undefined };
  }
  if (arg.startsWith('-') && arg.length > 1) {
    const short = arg.slice(1, 2);
    const rest = arg.slice(2);
    const name = `-${short}`;
    const flag = BY_SHORT.get(short);
    const inline = rest === '' ? undefined : rest.startsWith('=') ? rest.slice(1) : rest;
    if (flag?.bool && inline !== undefined && !rest.startsWith('=')) {
      throw new CaptureSettingError(name, `unexpected text ${JSON.stringify(rest)} after boolean flag ${name}`);
    }
    return { name, flag, inline };
  }
  throw new CaptureSettingError(arg, `unexpected argument ${JSON.stringify(arg)}: istio-iptables takes only flags`);
}

/** The flags given, in order, with their values (a boolean flag without one is `true`). */
function readFlags(argv: readonly string[]): Given[] {
  const given: Given[] = [];
  let i = argv[0] === ISTIO_IPTABLES_COMMAND ? 1 : 0;
  while (i < argv.length) {
    const arg = argv[i] as string;
    i++;
    if (arg === '--') {
      const rest = argv[i];
      if (rest !== undefined) throw new CaptureSettingError(rest, `unexpected argument ${JSON.stringify(rest)}`);
      break;
    }
    const { name, flag, inline } = flagOf(arg);
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
  return given;
}

/**
 * Parses istio-iptables arguments (cobra/pflag syntax: `-p 15001`, `-p15001`, `-p=15001`,
 * `--envoy-port 15001`, `--envoy-port=15001`, booleans `--dry-run` / `--dry-run=false` / `-n`)
 * and the environment (flag > env var > alias env var > default; empty env vars count as unset).
 * A leading `istio-iptables` token is skipped. Throws `CaptureSettingError` naming the flag.
 */
export function parseCaptureArgs(argv: readonly string[], env: CaptureEnv = {}): CaptureSettings {
  const given = readFlags(argv);
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
  const name = flagName;
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
    bad(
      'rerouteVirtualInterfaces',
      `${s.rerouteVirtualInterfaces.length} virtual interfaces times ${perInterface} outbound IP ranges (${name('outboundIPRanges')}) make ` +
        `${s.rerouteVirtualInterfaces.length * perInterface} rules, over the cap of ${MAX_VIRTUAL_INTERFACE_RULES} (MAX_VIRTUAL_INTERFACE_RULES): list fewer of either`,
    );
  }
  parseLoopbackCidr(s.hostIPv4LoopbackCidr, name('hostIPv4LoopbackCidr'));
}
