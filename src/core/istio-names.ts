// The annotation and label names Istio defines for pods (istio/api's annotation and label lists, and those
// this injector's templates read), and the nearest one to a name that is not among them: a misspelt
// `sidecar.istio.io/injcet` is silently ignored by Istio, so `explain` and `/preview` say so, as
// `istioctl analyze` does (IST0108 UnknownAnnotation).
import { ANNOTATION } from './annotations.ts';

/** Istio's pod annotations beyond the ones the injector reads by name (ANNOTATION). */
const ISTIO_ANNOTATIONS = [
  'sidecar.istio.io/proxyImage',
  'sidecar.istio.io/bootstrapOverride',
  'sidecar.istio.io/userVolume',
  'sidecar.istio.io/userVolumeMount',
  'sidecar.istio.io/logLevel',
  'sidecar.istio.io/componentLogLevel',
  'sidecar.istio.io/agentLogLevel',
  'sidecar.istio.io/enableCoreDump',
  'sidecar.istio.io/capNetBindService',
  'sidecar.istio.io/discoveryAddress',
  'sidecar.istio.io/controlPlaneAuthPolicy',
  'sidecar.istio.io/statsInclusionPrefixes',
  'sidecar.istio.io/statsInclusionSuffixes',
  'sidecar.istio.io/statsInclusionRegexps',
  'sidecar.istio.io/statsHistogramBuckets',
  'sidecar.istio.io/extraStatTags',
  'readiness.status.sidecar.istio.io/applicationPorts',
  'prometheus.istio.io/scrape-targets',
  'prometheus.istio.io/secure-port',
  'proxy.istio.io/overrides',
  'ambient.istio.io/redirection',
  'ambient.istio.io/bypass-inbound-capture',
  'networking.istio.io/exportTo',
  'galley.istio.io/analyze-suppress',
  'install.operator.istio.io/chart-owner',
  'install.operator.istio.io/owner-generation',
  'install.operator.istio.io/version',
  'alpha.istio.io/identity',
  'istio.io/dry-run',
];

/** Istio's pod labels. */
const ISTIO_LABELS = [
  'sidecar.istio.io/inject',
  'istio.io/rev',
  'istio.io/dataplane-mode',
  'istio.io/use-waypoint',
  'istio.io/use-waypoint-namespace',
  'istio.io/waypoint-for',
  'istio.io/tag',
  'service.istio.io/canonical-name',
  'service.istio.io/canonical-revision',
  'security.istio.io/tlsMode',
  'topology.istio.io/network',
  'topology.istio.io/subzone',
  'topology.istio.io/cluster',
  'networking.istio.io/tunnel',
  'gateway.istio.io/managed',
  'istio.io/gateway-name',
];

export const KNOWN_ANNOTATIONS: ReadonlySet<string> = new Set([...Object.values(ANNOTATION), ...ISTIO_ANNOTATIONS]);
export const KNOWN_LABELS: ReadonlySet<string> = new Set(ISTIO_LABELS);

/**
 * Levenshtein distance, case-insensitive, stopping early past `max`: O(len x len) at most, and nothing for
 * names whose lengths differ by more than `max` (a long name costs nothing against short known ones).
 */
export function distanceWithin(a: string, b: string, max: number): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  if (Math.abs(x.length - y.length) > max) return max + 1;
  let prev = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const cur = [i];
    let best = i;
    for (let j = 1; j <= y.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (x[i - 1] === y[j - 1] ? 0 : 1));
      best = Math.min(best, cur[j]!);
    }
    if (best > max) return max + 1;
    prev = cur;
  }
  return prev[y.length]!;
}

/** The known name nearest to `name` (a few edits away, or the same name in another case), if any. */
export function nearestName(name: string, known: ReadonlySet<string>): string | undefined {
  const max = Math.max(2, Math.floor(name.length / 8));
  let best: string | undefined;
  let bestD = max + 1;
  for (const k of known) {
    const d = distanceWithin(name, k, max);
    if (d < bestD) {
      best = k;
      bestD = d;
    }
  }
  return best;
}

/** An Istio-looking name: `*.istio.io/…` or `istio.io/…`. */
export function isIstioName(name: string): boolean {
  const prefix = name.split('/')[0] ?? '';
  return name.includes('/') && (prefix === 'istio.io' || prefix.endsWith('.istio.io'));
}
