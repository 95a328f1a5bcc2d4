// What a user should know before applying an object, beyond the decision: a Job whose classic sidecar
// keeps its pod running forever, annotations and labels Istio does not know (misspelt: silently ignored),
// Istio annotations on the workload instead of its pod template, and container ports the proxy takes.
// Pure; `explain` and `/preview` show them as the item's warnings.
import { ANNOTATION } from './annotations.ts';
import { clip, clipJson } from './clip.ts';
import { isIstioName, KNOWN_ANNOTATIONS, KNOWN_LABELS, nearestName } from './istio-names.ts';
import { isObject, type Pod } from './types.ts';

/** The ports the sidecar listens on (Istio's "Ports used by Istio"): an app container on one of them fails to start or loses its traffic. */
export const PROXY_PORTS: ReadonlyMap<number, string> = new Map([
  [15000, 'Envoy admin'],
  [15001, 'outbound capture'],
  [15004, 'debug'],
  [15006, 'inbound capture'],
  [15008, 'HBONE mTLS tunnel'],
  [15020, 'merged Prometheus telemetry and the agent'],
  [15021, 'health checks'],
  [15053, 'DNS proxy'],
  [15090, 'Envoy Prometheus telemetry'],
]);

export interface WarningInput {
  /** The object's kind: Job and CronJob pods run to completion. */
  kind: string;
  /** The object's own annotations (a workload's, not its pod template's). */
  objectAnnotations?: unknown;
  pod: Pod;
  /** Injected, and with which sidecar shape (undefined: not injected). */
  native?: boolean;
  statusPort: number;
  /** Annotation keys the templates read (known too, though not Istio's). */
  templateKeys: ReadonlySet<string>;
}

const RUNS_TO_COMPLETION = new Set(['Job', 'CronJob']);

function completionWarning(i: WarningInput): string[] {
  if (i.native !== false) return [];
  const restart = i.pod.spec?.restartPolicy;
  const completes = RUNS_TO_COMPLETION.has(i.kind) || (i.kind === 'Pod' && (restart === 'Never' || restart === 'OnFailure'));
  if (!completes) return [];
  const what = i.kind === 'Pod' ? `a pod with restartPolicy ${restart}` : `a ${i.kind}'s pod`;
  return [
    `${what} with a classic sidecar never completes: istio-proxy keeps running after the other containers exit. ` +
      `Use native sidecars (--native-sidecars true, or the pod annotation ${ANNOTATION.nativeSidecar}: "true"; Kubernetes 1.29 or later) ` +
      `or opt the pod out with ${ANNOTATION.inject}: "false"`,
  ];
}

// a pod that carries thousands of made-up istio.io names gets the first few named and the rest counted, so
// the warnings (and the nearest-name search behind each) stay small whatever the pod holds
const MAX_NAMED_UNKNOWN = 10;

function unknownNames(names: Iterable<string>, known: (n: string) => boolean, knownSet: ReadonlySet<string>, what: string): string[] {
  const out: string[] = [];
  let more = 0;
  for (const name of names) {
    if (!isIstioName(name) || known(name)) continue;
    if (out.length === MAX_NAMED_UNKNOWN) {
      more++;
      continue;
    }
    const near = nearestName(name, knownSet);
    out.push(`unknown ${what} ${clipJson(clip(name, 100))}: Istio ignores it${near ? `; did you mean ${near}?` : ''}`);
  }
  if (more > 0) out.push(`... and ${more} more unknown ${what}s`);
  return out;
}

function nameWarnings(i: WarningInput): string[] {
  const anns = isObject(i.pod.metadata?.annotations) ? Object.keys(i.pod.metadata.annotations) : [];
  const onPod = new Set(anns);
  const labels = isObject(i.pod.metadata?.labels) ? Object.keys(i.pod.metadata.labels) : [];
  const knownAnn = (n: string) => KNOWN_ANNOTATIONS.has(n) || i.templateKeys.has(n);
  const out = [
    ...unknownNames(anns, knownAnn, KNOWN_ANNOTATIONS, 'annotation'),
    ...unknownNames(labels, (n) => KNOWN_LABELS.has(n) || KNOWN_ANNOTATIONS.has(n), KNOWN_LABELS, 'label'),
  ];
  if (i.kind !== 'Pod' && isObject(i.objectAnnotations)) {
    for (const name of Object.keys(i.objectAnnotations)) {
      if (knownAnn(name) && !onPod.has(name))
        out.push(`annotation ${name} is on the ${i.kind}, not on its pod template: the injector reads the pod's annotations only`);
    }
  }
  return out;
}

function portWarnings(i: WarningInput): string[] {
  if (i.native === undefined) return [];
  const taken = new Map(PROXY_PORTS);
  if (i.statusPort > 0) taken.set(i.statusPort, taken.get(i.statusPort) ?? 'the agent status port');
  const out: string[] = [];
  const spec = i.pod.spec ?? {};
  for (const c of [...(Array.isArray(spec.initContainers) ? spec.initContainers : []), ...(Array.isArray(spec.containers) ? spec.containers : [])]) {
    if (!isObject(c) || c.name === 'istio-proxy' || !Array.isArray(c.ports)) continue;
    for (const p of c.ports) {
      const port = isObject(p) ? p.containerPort : undefined;
      const use = typeof port === 'number' ? taken.get(port) : undefined;
      if (use)
        out.push(
          `container ${clipJson(clip(String(c.name), 100))} uses port ${port}, which the sidecar takes (${use}): move the app to another port`,
        );
    }
  }
  return out;
}

/** Every warning for one object, in a stable order. */
export function podWarnings(i: WarningInput): string[] {
  return [...completionWarning(i), ...nameWarnings(i), ...portWarnings(i)];
}
