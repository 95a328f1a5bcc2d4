/**
 * The capture a pod will get, read from its injected init container: Istio's
 * (`istio-iptables …` run by pilot-agent) or ours (`sidecar-injector iptables …`, capture-native
 * template). For a preview: the settings, and the rules they give. Pure.
 */
import { generateRules, type CaptureRules, type CaptureRuntime } from './rules.ts';
import type { CaptureSettings } from './settings.ts';
import { parseCaptureArgs, type CaptureEnv } from './parse-args.ts';

/** The init containers that run the capture: istio-init, or istio-validation under Istio CNI. */
export const CAPTURE_CONTAINERS = ['istio-init', 'istio-validation'] as const;
/** The command the capture-native template gives istio-init. */
export const NATIVE_COMMAND = ['sidecar-injector', 'iptables'] as const;

/**
 * Settings from an init container's args (Istio's, starting with `istio-iptables`, or ours) and the
 * env values it sets (istio-iptables reads some settings from the environment, e.g. the proxy
 * metadata `ISTIO_META_DNS_CAPTURE`). Throws `CaptureSettingError` naming the bad flag.
 */
export function captureSettingsForPod(initContainerArgs: readonly string[], env: CaptureEnv = {}): CaptureSettings {
  return parseCaptureArgs(initContainerArgs, env);
}

interface ContainerLike {
  name?: unknown;
  command?: unknown;
  args?: unknown;
  env?: unknown;
}

export interface PodCapture {
  /** The init container the capture was read from. */
  container: string;
  /** `istio` (pilot-agent istio-iptables) or `native` (sidecar-injector iptables). */
  runner: 'istio' | 'native';
  settings: CaptureSettings;
  rules: CaptureRules;
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);

function envOf(c: ContainerLike): Record<string, string> {
  const out: Record<string, string> = {};
  if (!Array.isArray(c.env)) return out;
  // Only literal values: valueFrom is resolved by the kubelet, which a preview does not have.
  for (const e of c.env as Array<{ name?: unknown; value?: unknown }>)
    if (typeof e?.name === 'string' && typeof e.value === 'string') out[e.name] = e.value;
  return out;
}

/**
 * The capture of an injected pod, or undefined when it has none (no istio-init: CNI-less interception
 * mode NONE, or not injected). `runtime` stands for what the pod would discover (IPv6, nameservers).
 */
export function captureOfPod(pod: { spec?: { initContainers?: unknown } }, runtime: CaptureRuntime = {}): PodCapture | undefined {
  const inits = Array.isArray(pod.spec?.initContainers) ? (pod.spec.initContainers as ContainerLike[]) : [];
  const c = inits.find((x) => (CAPTURE_CONTAINERS as readonly unknown[]).includes(x?.name));
  if (!c) return undefined;
  const command = strings(c.command);
  const native = command.length >= 2 && command.at(-2)?.replace(/^.*\//, '') === NATIVE_COMMAND[0] && command.at(-1) === NATIVE_COMMAND[1];
  const settings = captureSettingsForPod(strings(c.args), envOf(c));
  return { container: String(c.name), runner: native ? 'native' : 'istio', settings, rules: generateRules(settings, runtime) };
}
