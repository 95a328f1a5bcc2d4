/**
 * A test helper (the injector never writes these arguments: its templates do): args.test.ts holds
 * parseCaptureArgs and this to a round trip over the argument lists Istio's template writes.
 *
 * Capture settings → the `istio-init` container's arguments, in the shape Istio's injection template
 * writes them: `istio-iptables -p … -z … -u … -m … -i … -x … -b … -d …`, then the optional
 * `-q`, `-o`, `-k`, `-c`, then `--log_output_level=…`, `--log_as_json`, then
 * `--run-validation`, `--skip-rule-apply`, `--force-apply`, `--native-nftables`.
 * Settings the template never sets (e.g. `-e`, `-g`, `--redirect-dns`) are written only when they
 * differ from istio-iptables' defaults, between `-c` and the logging flags.
 *
 * `parseCaptureArgs(toIstioIptablesArgs(s), toIstioIptablesEnv(s))` gives back `s`, and for the
 * argument lists the injector produces, `toIstioIptablesArgs(parseCaptureArgs(args))` gives back `args`.
 */
import { defaultCaptureSettings, type CaptureSettings } from '../../src/capture/settings.ts';
import { ISTIO_IPTABLES_COMMAND } from '../../src/capture/flags.ts';
import { validateCaptureSettings } from '../../src/capture/parse-args.ts';

const list = (v: readonly (string | number)[]): string => v.join(',');
const sameList = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

export function toIstioIptablesArgs(settings: CaptureSettings): string[] {
  validateCaptureSettings(settings);
  const s = settings;
  const d = defaultCaptureSettings();
  const args: string[] = [
    ISTIO_IPTABLES_COMMAND,
    '-p',
    String(s.proxyPort),
    '-z',
    String(s.inboundCapturePort),
    '-u',
    list(s.proxyUID),
    '-m',
    s.interceptionMode,
    '-i',
    s.outboundIPRanges === '*' ? '*' : list(s.outboundIPRanges),
    '-x',
    list(s.outboundIPRangesExclude),
    '-b',
    s.inboundPorts === '*' ? '*' : list(s.inboundPorts),
    '-d',
    list(s.inboundPortsExclude),
  ];
  if (s.outboundPorts.length > 0) args.push('-q', list(s.outboundPorts));
  if (s.outboundPortsExclude.length > 0) args.push('-o', list(s.outboundPortsExclude));
  if (s.rerouteVirtualInterfaces.length > 0) args.push('-k', list(s.rerouteVirtualInterfaces));
  if (s.excludeInterfaces.length > 0) args.push('-c', list(s.excludeInterfaces));

  // Not written by the injection template: only when not istio-iptables' default.
  if (!sameList(s.proxyGID, s.proxyUID)) args.push('-g', list(s.proxyGID));
  if (s.inboundTunnelPort !== d.inboundTunnelPort) args.push('-e', String(s.inboundTunnelPort));
  if (s.tproxyMark !== d.tproxyMark) args.push('-t', String(s.tproxyMark));
  if (s.tproxyRouteTable !== d.tproxyRouteTable) args.push('-r', String(s.tproxyRouteTable));
  if (s.dryRun) args.push('--dry-run');
  if (s.iptablesProbePort !== d.iptablesProbePort) args.push(`--iptables-probe-port=${s.iptablesProbePort}`);
  if (s.probeTimeout !== d.probeTimeout) args.push(`--probe-timeout=${s.probeTimeout}`);
  if (s.redirectDNS) args.push('--redirect-dns');
  if (s.dropInvalid) args.push('--drop-invalid');
  if (s.dualStack) args.push('--dual-stack');
  if (s.captureAllDNS) args.push('--capture-all-dns');
  if (s.networkNamespace !== '') args.push(`--network-namespace=${s.networkNamespace}`);
  if (s.cniMode) args.push('--cni-mode');
  if (s.reconcile) args.push('--reconcile');
  if (s.cleanupOnly) args.push('--cleanup-only');
  if (s.forceIptablesBinary !== '') args.push(`--force-iptables-binary=${s.forceIptablesBinary}`);

  if (s.logOutputLevel !== undefined) args.push(`--log_output_level=${s.logOutputLevel}`);
  if (s.logAsJson) args.push('--log_as_json');
  if (s.runValidation) args.push('--run-validation');
  if (s.skipRuleApply) args.push('--skip-rule-apply');
  if (s.forceApply) args.push('--force-apply');
  if (s.nativeNftables) args.push('--native-nftables');
  return args;
}

/**
 * The environment variables for the settings istio-iptables takes only from its environment
 * (`ISTIO_OUTBOUND_IPV4_LOOPBACK_CIDR`, `ISTIO_OUTBOUND_OWNER_GROUPS`,
 * `ISTIO_OUTBOUND_OWNER_GROUPS_EXCLUDE`), for the ones that differ from the defaults.
 */
export function toIstioIptablesEnv(settings: CaptureSettings): Record<string, string> {
  validateCaptureSettings(settings);
  const s = settings;
  const d = defaultCaptureSettings();
  const env: Record<string, string> = {};
  if (s.hostIPv4LoopbackCidr !== d.hostIPv4LoopbackCidr) env.ISTIO_OUTBOUND_IPV4_LOOPBACK_CIDR = s.hostIPv4LoopbackCidr;
  if (s.ownerGroupsInclude !== '*') env.ISTIO_OUTBOUND_OWNER_GROUPS = list(s.ownerGroupsInclude);
  if (s.ownerGroupsExclude.length > 0) env.ISTIO_OUTBOUND_OWNER_GROUPS_EXCLUDE = list(s.ownerGroupsExclude);
  return env;
}
