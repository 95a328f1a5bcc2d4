// Shared by the hostile-value tests: the hostile strings, the keys the injector reads besides those a
// template names, ordinary values that are valid for the keys the injector validates, and a flattened view
// of a pod for comparing structure and leaves.
import { ANNOTATION } from '../../src/core/annotations.ts';

export const HOSTILE = [
  'x"\n  privileged: true',
  "x'\nsecurityContext: {privileged: true}",
  'a: b',
  '{"privileged": true}',
  '- name: evil\n  image: evil',
  '{{ values.global.hub }}',
  '{{ .Values.global.hub }}',
  '{% raw %}x',
  '*alias',
  '&anchor x',
  '!!js/function x',
  '#comment',
  '---\nkind: Pod',
  'line1\r\nline2',
  '[1, 2]',
  '1,2\n- 3',
  '\\u0022',
  'x\u2028y',
];

/** Pieces of YAML and template syntax, joined at random into hostile values. */
export const HOSTILE_TOKENS = [
  ...['\n', '\r\n', '\r', '\t', ' ', ': ', ':', ' #', '#', '- ', '-', '? ', '"', "'", "''", '\\', '\\"', '\\n', '\\x41', '\\u263a'],
  ...['{', '}', '[', ']', ',', '&a ', '*a', '!!str ', '!', '|', '>', '%', '@', '`', '---', '...', '<<', 'true', 'null', '~', '1', '010'],
  ...['{{', '}}', '{{ .Values }}', '{{- end }}', '  evil: x', '\n  evil: x', '\n    evil: x', '\n- x', '", evil: "', "', evil: '"],
  ...['\u2028', '\u2029', '\u0085', '\u00a0', 'é', '😀', 'a', 'b.c', '/', '=', '{"a":1}', '["x"]'],
];

/**
 * A generated value worth testing: one with a character YAML or a template treats specially (an ordinary
 * word such as `true` or `TPROXY` may rightly switch a template's branch).
 */
export const hostileEnough = (v: string): boolean => /[\s"'{}[\]#&*!|>%@`\\:\u0085\u2028\u2029]/.test(v);

/** Annotations the injector reads in code (and feeds the templates through the data) besides those named in template text. */
export const ANNOTATIONS_READ_BY_CORE = [
  ANNOTATION.status,
  ANNOTATION.proxyConfig,
  ANNOTATION.overrides,
  ANNOTATION.nativeSidecar,
  ANNOTATION.proxyImageType,
  ANNOTATION.rewriteProbes,
  ANNOTATION.mergeMetrics,
  'sidecar.istio.io/userVolume',
  'sidecar.istio.io/userVolumeMount',
  'prometheus.io/port',
  'prometheus.io/path',
  'prometheus.io/scrape',
];
/**
 * Annotations whose value is data (JSON or YAML) the injector parses and validates, and that shape the pod
 * by design (volumes, proxy config, container overrides, a previous injection's status): for these the
 * property is that injected containers keep their command and privileges (hostile-annotations.test.ts).
 */
export const DATA_ANNOTATIONS: ReadonlySet<string> = new Set([
  ANNOTATION.status,
  ANNOTATION.proxyConfig,
  ANNOTATION.overrides,
  'sidecar.istio.io/userVolume',
  'sidecar.istio.io/userVolumeMount',
]);

export const LABELS_READ_BY_CORE = [
  'app',
  'version',
  'app.kubernetes.io/name',
  'app.kubernetes.io/version',
  'service.istio.io/canonical-name',
  'service.istio.io/canonical-revision',
  'service.istio.io/workload-name',
  'security.istio.io/tlsMode',
  'networking.istio.io/tunnel',
  'topology.istio.io/network',
];

/** Ordinary values (the first the reference) for keys where any word will not do; others get `benign`, `other`. */
export const VALUE_ALTERNATIVES: Record<string, string[]> = {
  [ANNOTATION.readinessFailure]: ['5', '6'],
  [ANNOTATION.readinessInitialDelay]: ['5', '6'],
  [ANNOTATION.readinessPeriod]: ['5', '6'],
  [ANNOTATION.statusPort]: ['15020', '15030'],
  [ANNOTATION.interceptionMode]: ['REDIRECT', 'TPROXY', 'NONE'],
  [ANNOTATION.proxyCPU]: ['100m', '200m'],
  [ANNOTATION.proxyCPULimit]: ['1', '2'],
  [ANNOTATION.proxyMemory]: ['128Mi', '256Mi'],
  [ANNOTATION.proxyMemoryLimit]: ['1Gi', '2Gi'],
  [ANNOTATION.excludeInboundPorts]: ['8081', '8082'],
  [ANNOTATION.includeInboundPorts]: ['8080', '8443'],
  [ANNOTATION.excludeOutboundPorts]: ['25', '26'],
  [ANNOTATION.includeOutboundPorts]: ['443', '444'],
  [ANNOTATION.includeOutboundIPRanges]: ['10.0.0.0/8', '10.1.0.0/16'],
  [ANNOTATION.excludeOutboundIPRanges]: ['10.1.0.0/16', '10.2.0.0/16'],
  [ANNOTATION.excludeInterfaces]: ['eth1', 'eth2'],
  [ANNOTATION.kubevirtInterfaces]: ['net1', 'net2'],
  [ANNOTATION.rerouteVirtualInterfaces]: ['net1', 'net2'],
  [ANNOTATION.proxyConfig]: ['concurrency: 2', 'concurrency: 3'],
  [ANNOTATION.overrides]: ['{"containers":[]}', '{}'],
  [ANNOTATION.mergeMetrics]: ['true', 'false'],
  [ANNOTATION.rewriteProbes]: ['true', 'false'],
  [ANNOTATION.nativeSidecar]: ['false', 'true'],
  [ANNOTATION.proxyImageType]: ['debug', 'distroless'],
  'sidecar.istio.io/proxyImage': ['benign', 'registry.example/proxy:1'],
  'sidecar.istio.io/capNetBindService': ['false', 'true'],
  'sidecar.istio.io/enableCoreDump': ['false', 'true'],
  'prometheus.io/scrape': ['true', 'false'],
  'prometheus.io/port': ['8080', '8081'],
  'prometheus.io/path': ['/metrics', '/m2'],
  'sidecar.istio.io/userVolume': ['{"v":{"emptyDir":{}}}', '{"v":{"emptyDir":{"medium":"Memory"}}}'],
  'sidecar.istio.io/userVolumeMount': ['{"v":{"mountPath":"/v"}}', '{"v":{"mountPath":"/w"}}'],
};

/** A value as its structure (every container's keys or length, by path) and its leaves by path. */
export interface Flat {
  structure: string;
  leaves: Map<string, unknown>;
}

export function flatten(value: unknown): Flat {
  const leaves = new Map<string, unknown>();
  const shape: string[] = [];
  // explicit stack, bounded by the pod's own size
  const stack: Array<[unknown, string]> = [[value, '']];
  while (stack.length > 0) {
    const [v, path] = stack.pop()!;
    if (Array.isArray(v)) {
      shape.push(`${path}[${v.length}]`);
      for (const [i, x] of v.entries()) stack.push([x, `${path}[${i}]`]);
    } else if (v !== null && typeof v === 'object') {
      const keys = Object.keys(v).sort();
      shape.push(`${path}{${keys.map((k) => JSON.stringify(k)).join(',')}}`);
      for (const k of keys) stack.push([(v as Record<string, unknown>)[k], `${path}.${JSON.stringify(k)}`]);
    } else leaves.set(path, v);
  }
  return { structure: shape.sort().join('\n'), leaves };
}
