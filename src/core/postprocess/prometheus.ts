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

interface ScrapeTarget {
  port: string;
  path: string;
}

/** istiod's ParseScrapeTargets: `port:path,…`, entries trimmed, an empty path is /metrics; undefined when an entry has no port (istiod ignores the annotation then). */
function parseScrapeTargets(raw: string): ScrapeTarget[] | undefined {
  const out: ScrapeTarget[] = [];
  for (const entry of raw.split(',').map((e) => e.trim())) {
    if (entry === '') continue;
    const colon = entry.indexOf(':');
    const port = (colon < 0 ? entry : entry.slice(0, colon)).trim();
    if (port === '') return undefined;
    const path = colon < 0 ? '' : entry.slice(colon + 1).trim();
    out.push({ port, path: path || '/metrics' });
  }
  return out;
}

/** Go's strconv.Atoi then the range and reserved-port checks istiod makes, or why the port is refused. */
function scrapePortProblem(port: string, target: string): string | undefined {
  const n = /^[+-]?\d{1,18}$/.test(port) ? Number(port) : Number.NaN;
  if (!(n >= 1 && n <= 65535)) return 'is not a port number (1-65535)';
  const canonical = String(n);
  if (canonical === target) return `conflicts with the agent's port ${target}`;
  if (RESERVED_PORTS.has(canonical)) return 'is a port the proxy reserves';
  return undefined;
}

function refuse(annotation: string, value: string, why: string): never {
  throw new InjectionError('INVALID_PROMETHEUS', `invalid value '${clip(value)}' for annotation '${annotation}': ${why}`, annotation);
}

/** Go's encoding/json escapes <, > and & in strings (HTML safety); the agent reads either, but the pod must be istiod's. */
const goJson = (v: unknown): string => JSON.stringify(v).replace(/[<>&]/g, (c) => `\\u00${c.charCodeAt(0).toString(16)}`);

/** Returns a note for the decision trace, or undefined when nothing changed. */
export function applyPrometheusMerge(pod: Pod, input: PrometheusInput): string | undefined {
  const keys = prometheusKeys(pod);
  const scrape = annotationValue(pod, keys, 'prometheus.io/scrape');
  if (scrape !== undefined && parseGoBool(scrape) === false) return 'prometheus merge skipped: the pod sets prometheus.io/scrape=false';
  const ann = pod.metadata.annotations?.[ANNOTATION.mergeMetrics];
  const enabled = ann !== undefined ? parseGoBool(ann) === true : input.meshEnablesMerge;
  if (!enabled) return `prometheus merge disabled by ${ann !== undefined ? `annotation ${ANNOTATION.mergeMetrics}` : 'mesh enablePrometheusMerge'}`;
  const target = String(input.statusPort);
  let port = annotationValue(pod, keys, 'prometheus.io/port');
  if (port === target) return undefined; // already ours
  let path = annotationValue(pod, keys, 'prometheus.io/path');
  const rawTargets = annotationValue(pod, keys, 'prometheus.istio.io/scrape-targets');
  const targets = rawTargets === undefined ? [] : (parseScrapeTargets(rawTargets) ?? []);
  if (targets.length > 0) {
    // the first target stands in for port and path, for agents that know no targets
    port = targets[0]!.port;
    path = targets[0]!.path;
    for (const t of targets) {
      const why = scrapePortProblem(t.port, target);
      if (why) refuse('prometheus.istio.io/scrape-targets', rawTargets!, `target port ${clip(t.port)} ${why}`);
    }
  } else if (port !== undefined && port !== '') {
    const why = scrapePortProblem(port, target);
    if (why) refuse('prometheus.io/port', port, why);
  }
  const scrapeConfig: Record<string, unknown> = { scrape: scrape ?? '', path: path ?? '', port: port ?? '' };
  if (targets.length > 0) scrapeConfig.targets = targets;
  if (input.proxy && (scrapeConfig.scrape !== '' || scrapeConfig.path !== '' || scrapeConfig.port !== '' || targets.length > 0)) {
    input.proxy.env = [
      ...(input.proxy.env ?? []).filter((e) => e.name !== 'ISTIO_PROMETHEUS_ANNOTATIONS'),
      { name: 'ISTIO_PROMETHEUS_ANNOTATIONS', value: goJson(scrapeConfig) },
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
