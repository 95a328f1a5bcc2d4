// Prometheus metrics merge: the pod's own scrape settings move into ISTIO_PROMETHEUS_ANNOTATIONS on the
// proxy, and the pod is annotated to be scraped at the agent's status port, which merges both.
import { ANNOTATION, parseGoBool } from '../annotations.ts';
import { clip } from '../clip.ts';
import { InjectionError } from '../errors.ts';
import type { Container, Pod } from '../types.ts';

const KEYS = ['prometheus.io/scrape', 'prometheus.io/path', 'prometheus.io/port', 'prometheus.istio.io/scrape-targets'];
const RESERVED_PORTS: ReadonlySet<string> = new Set(['15000', '15001', '15004', '15006', '15008', '15020', '15021', '15053', '15090']);

// Prometheus label-name sanitising: `prometheus.io/scrape`, `prometheus-io/scrape` and `prometheus.io.scrape` are one key
const sanitize = (k: string): string => k.replace(/[^a-zA-Z0-9_]/g, '_');
const WANTED: ReadonlySet<string> = new Set(KEYS.map(sanitize));

/** The pod's annotation keys that mean each Prometheus key, by sanitised name (one pass over the annotations). */
function prometheusKeys(pod: Pod): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const k of Object.keys(pod.metadata.annotations ?? {})) {
    if (!k.startsWith('prometheus')) continue; // every sanitised form of KEYS starts so
    const s = sanitize(k);
    if (WANTED.has(s)) (out.get(s) ?? out.set(s, []).get(s)!).push(k);
  }
  return out;
}

function annotationValue(pod: Pod, keys: Map<string, string[]>, key: string): string | undefined {
  const k = keys.get(sanitize(key))?.[0];
  return k === undefined ? undefined : pod.metadata.annotations![k];
}

export function prometheusAnnotation(pod: Pod, key: string): string | undefined {
  return annotationValue(pod, prometheusKeys(pod), key);
}

export function clearPrometheusAnnotations(pod: Pod): void {
  for (const ks of prometheusKeys(pod).values()) for (const k of ks) delete pod.metadata.annotations![k];
}

export interface PrometheusInput {
  statusPort: number;
  meshEnablesMerge: boolean;
  proxy: Container | undefined;
}

/** Returns a note for the decision trace, or undefined when nothing changed. */
export function applyPrometheusMerge(pod: Pod, input: PrometheusInput): string | undefined {
  const keys = prometheusKeys(pod);
  const scrape = annotationValue(pod, keys, 'prometheus.io/scrape');
  if (scrape !== undefined && parseGoBool(scrape) === false) return 'prometheus merge skipped: the pod sets prometheus.io/scrape=false';
  const ann = pod.metadata.annotations?.[ANNOTATION.mergeMetrics];
  const enabled = ann !== undefined ? parseGoBool(ann) === true : input.meshEnablesMerge;
  if (!enabled) return `prometheus merge disabled by ${ann !== undefined ? `annotation ${ANNOTATION.mergeMetrics}` : 'mesh enablePrometheusMerge'}`;
  const target = String(input.statusPort);
  const port = annotationValue(pod, keys, 'prometheus.io/port');
  if (port === target) return undefined; // already ours
  if (port !== undefined && (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535 || RESERVED_PORTS.has(port))) {
    const why = RESERVED_PORTS.has(port) ? 'is a port the proxy reserves' : 'is not a port number';
    throw new InjectionError('INVALID_PROMETHEUS', `invalid value '${clip(port)}' for annotation 'prometheus.io/port': ${why}`, 'prometheus.io/port');
  }
  // Go's PrometheusScrapeConfiguration: scrape, path, port always written; scrapeTargets only when set
  const path = annotationValue(pod, keys, 'prometheus.io/path');
  const targets = annotationValue(pod, keys, 'prometheus.istio.io/scrape-targets');
  const scrapeConfig: Record<string, string> = { scrape: scrape ?? '', path: path ?? '', port: port ?? '' };
  if (targets !== undefined) scrapeConfig.scrapeTargets = targets;
  if (input.proxy && (scrape ?? path ?? port ?? targets) !== undefined) {
    input.proxy.env = [
      ...(input.proxy.env ?? []).filter((e) => e.name !== 'ISTIO_PROMETHEUS_ANNOTATIONS'),
      { name: 'ISTIO_PROMETHEUS_ANNOTATIONS', value: JSON.stringify(scrapeConfig) },
    ];
  }
  clearPrometheusAnnotations(pod);
  pod.metadata.annotations = {
    ...(pod.metadata.annotations ?? {}),
    'prometheus.io/port': target,
    'prometheus.io/path': '/stats/prometheus',
    'prometheus.io/scrape': 'true',
  };
  return `prometheus.io annotations point at the agent (port ${target}), which merges the app's metrics`;
}
