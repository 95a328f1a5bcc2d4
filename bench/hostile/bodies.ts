// The hostile request bodies of issue 12's table, at the sizes the issue measured them. /inject bodies are
// the bench's ordinary Deployment pod (reviews.ts) with one hostile field each.
import { pod, review } from '../reviews.ts';

type Obj = Record<string, unknown>;

/** An AdmissionReview of the ordinary pod with extra annotations and metadata fields. */
export function admission(id: string, annotations: Record<string, string> = {}, metadata: Obj = {}): string {
  const object = pod('checkout', { containers: 1, envVars: 6, probes: false });
  const meta = object.metadata as Obj;
  meta.annotations = { ...(meta.annotations as Obj), ...annotations };
  Object.assign(meta, metadata);
  return review(`hostile-${id}-7b1d2c3e-0000-4000-8000-000000000000`, object);
}

/** A Pod as a user would paste it into /preview. */
export const smallPod = (name: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name },
  spec: { containers: [{ name: 'app', image: 'nginx' }] },
});

/** 6 MiB of empty YAML documents: `---\n` repeated (exactly the body cap). */
export const emptyDocuments = () => '---\n'.repeat((6 * 2 ** 20) / 4);

/** A `List` of 4,000 small pods (about 391 KB). */
export const podList = (n = 4000) =>
  JSON.stringify({ apiVersion: 'v1', kind: 'List', items: Array.from({ length: n }, (_, i) => smallPod(`p${i}`)) });

/** A Pod whose top-level mapping also has 16,000 other keys (about 213 KB of YAML). */
export function wideMapping(n = 16_000): string {
  const keys = Array.from({ length: n }, (_, i) => `k${String(i).padStart(5, '0')}: v`);
  return `apiVersion: v1\nkind: Pod\nmetadata:\n  name: wide\nspec:\n  containers:\n  - name: app\n    image: nginx\n${keys.join('\n')}\n`;
}

/** proxy.istio.io/config with 16,000 proxyMetadata entries: legal, and about 213 KB. */
export function proxyMetadataConfig(n = 16_000): string {
  return `proxyMetadata:\n${Array.from({ length: n }, (_, i) => `  META_${String(i).padStart(5, '0')}: "v"`).join('\n')}\n`;
}

/** `sidecar,` 20,000 times. */
export const manyTemplates = () => 'sidecar,'.repeat(20_000);

/** 4 MB that no quantity parser accepts (proxyCPU must be a Kubernetes quantity). */
export const invalidQuantity = () => 'x'.repeat(4_000_000);

/**
 * An already-injected pod's annotations (the injector reads proxy.istio.io/overrides only when it
 * re-injects) whose saved istio-proxy container holds a value nested 100,000 levels deep.
 */
export const deepOverrides = (depth = 100_000): Record<string, string> => ({
  'sidecar.istio.io/status': JSON.stringify({ initContainers: ['istio-init'], containers: ['istio-proxy'], volumes: [], imagePullSecrets: [] }),
  'proxy.istio.io/overrides': `{"containers":[{"name":"istio-proxy","x":${'['.repeat(depth)}${']'.repeat(depth)}}]}`,
});

/**
 * The classic "billion laughs": nine levels of nine aliases each, 9^9 strings when expanded, in a Pod's
 * labels (under 1 KB of YAML).
 */
export function aliasBomb(): string {
  const lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let i = 1; i <= 9; i++) lines.push(`a${i}: &a${i} [${Array.from({ length: 9 }, () => `*a${i - 1}`).join(',')}]`);
  return `apiVersion: v1\nkind: Pod\nmetadata:\n  name: bomb\nspec:\n  containers:\n  - name: app\n    image: nginx\nbomb:\n${lines.map((l) => `  ${l}`).join('\n')}\n`;
}

// ---- at the caps: the largest input each cap still accepts (sizes follow the constants in src) ----

/** Strings `item(0)`, `item(1)`, … joined by `sep`, as many as fit in `max` characters. */
export function fill(max: number, item: (i: number) => string, sep = ','): string {
  const parts: string[] = [];
  let length = 0;
  for (let i = 0; i < max; i++) {
    const next = item(i);
    if (length + next.length + (i > 0 ? sep.length : 0) > max) break;
    length += next.length + (i > 0 ? sep.length : 0);
    parts.push(next);
  }
  return parts.join(sep);
}

const pad = (s: string, n: number, c = 'x') => (s.length >= n ? s : s + c.repeat(n - s.length));
const probeOn = (port: number, path: string) => ({ httpGet: { path, port }, periodSeconds: 10 });

/**
 * A distinct heavy pod: `containers` containers, each with two ports, liveness and readiness probes and
 * `env` env vars; names, images and values differ per pod, so no render is reused.
 */
export function heavyPod(i: number, containers: number, env: number): Obj {
  const id = String(i).padStart(4, '0');
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `heavy-${id}`, labels: { app: `heavy-${id}` } },
    spec: {
      containers: Array.from({ length: containers }, (_, c) => ({
        name: `c${c}`,
        image: `registry.example.com/team-${id}/svc-${c}:1.${i}.${c}`,
        ports: [
          { name: 'http', containerPort: 8000 + c },
          { name: 'grpc', containerPort: 9000 + c },
        ],
        livenessProbe: probeOn(8000 + c, `/healthz/${id}`),
        readinessProbe: probeOn(8000 + c, `/ready/${id}`),
        env: Array.from({ length: env }, (_, e) => ({ name: `SETTING_${e}`, value: `pod-${id}-container-${c}-value-${e}` })),
      })),
    },
  };
}

export const heavyList = (pods: number, containers: number, env: number) =>
  JSON.stringify({ apiVersion: 'v1', kind: 'List', items: Array.from({ length: pods }, (_, i) => heavyPod(i, containers, env)) });

/** `objects` small pods as documents, then empty documents (a comment each) up to `documents`, in about `bytes`. */
export function manyDocuments(documents: number, objects: number, bytes: number): string {
  const pods = Array.from(
    { length: objects },
    (_, i) => `---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: d${i}\nspec:\n  containers:\n  - name: app\n    image: nginx\n`,
  ).join('');
  const each = Math.floor((bytes - pods.length) / (documents - objects)) - 6; // `---\n# ` + newline
  return pods + `---\n# ${'c'.repeat(Math.max(0, each))}\n`.repeat(documents - objects);
}

/** A Pod with `keys` more top-level keys, each padded so the whole is about `bytes`. */
export function paddedMapping(keys: number, bytes: number): string {
  const width = Math.max(8, Math.floor(bytes / keys) - 5); // `: v\n` and a margin
  const lines = Array.from({ length: keys }, (_, i) => `${pad(`k${String(i).padStart(7, '0')}`, width, 'k')}: v`);
  return `apiVersion: v1\nkind: Pod\nmetadata:\n  name: wide\nspec:\n  containers:\n  - name: app\n    image: nginx\n${lines.join('\n')}\n`;
}

/** A Pod whose key `deep` holds `branches` lists, each nested `depth` levels (the Pod's mapping is one more). */
export const deepBranches = (depth: number, branches: number): string =>
  `apiVersion: v1\nkind: Pod\nmetadata:\n  name: deep\nspec:\n  containers:\n  - name: app\n    image: nginx\ndeep: [${Array.from({ length: branches }, () => `${'['.repeat(depth - 1)}${']'.repeat(depth - 1)}`).join(',')}]\n`;

/** A mapping of `keys` scalars under an anchor, and a list of `aliases` aliases of it: aliases × keys values. */
export function manyAliases(aliases: number, keys: number): string {
  const anchored = Array.from({ length: keys }, (_, i) => `k${i}: v${i}`).join(', ');
  return `apiVersion: v1\nkind: Pod\nmetadata:\n  name: aliases\nspec:\n  containers:\n  - name: app\n    image: nginx\nbase: &base {${anchored}}\ncopies: [${Array.from({ length: aliases }, () => '*base').join(', ')}]\n`;
}

/** proxy.istio.io/config with `entries` proxyMetadata entries, each as long as `maxChars` and `maxSeparators` allow. */
export function proxyMetadataAtCap(entries: number, maxChars: number, maxSeparators: number): string {
  if (entries * 2 + 1 > maxSeparators) throw new Error(`${entries} entries need ${entries * 2 + 1} separators, over ${maxSeparators}`);
  const head = 'proxyMetadata:\n';
  const line = Math.floor((maxChars - head.length) / entries); // `  KEY: "value"\n`
  const value = line - 'META_000: ""\n'.length - 2;
  return head + Array.from({ length: entries }, (_, i) => `  META_${String(i).padStart(3, '0')}: "${'v'.repeat(value)}"\n`).join('');
}

/** The ordinary admission's pod, as an object to change before wrapping it in a review. */
export const plainPod = () => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'big', namespace: 'shop', labels: { app: 'big' } as Record<string, string> },
  spec: { containers: [] as Obj[] },
});

/** A review of a pod with one container and `count` env vars, values padded to make the body about `bytes`. */
export function envPod(count: number, bytes: number): string {
  const p = plainPod();
  const value = Math.max(1, Math.floor(bytes / count) - '{"name":"E_00000","value":""},'.length);
  p.spec.containers.push({
    name: 'app',
    image: 'nginx',
    env: Array.from({ length: count }, (_, i) => ({ name: `E_${String(i).padStart(5, '0')}`, value: pad(`${i}`, value, 'v') })),
  });
  return review('hostile-cap-env-7b1d2c3e-0000-4000-8000-000000000000', p);
}

/** `count` containers each with two ports, two probes and `env` env vars, values padded to about `bytes`. */
export function manyContainers(count: number, env: number, bytes: number): string {
  const p = plainPod();
  const value = Math.max(1, Math.floor((bytes / count - 420) / env) - '{"name":"S_00","value":""},'.length);
  for (let c = 0; c < count; c++) {
    p.spec.containers.push({
      name: `c${c}`,
      image: `registry.example.com/app/c${c}:1.0`,
      ports: [
        { name: 'http', containerPort: 8080, protocol: 'TCP' },
        { name: 'admin', containerPort: 9090, protocol: 'TCP' },
      ],
      livenessProbe: probeOn(8080, '/healthz'),
      readinessProbe: probeOn(8080, '/ready'),
      env: Array.from({ length: env }, (_, e) => ({ name: `S_${String(e).padStart(2, '0')}`, value: pad(`${c}-${e}`, value, 'v') })),
    });
  }
  return review('hostile-cap-containers-7b1d2c3e-0000-4000-8000-000000000000', p);
}

/** `count` containers with one HTTP probe each, probe paths padded to about `bytes`. */
export function probedContainers(count: number, bytes: number): string {
  const p = plainPod();
  const path = Math.max(2, Math.floor(bytes / count) - 150);
  for (let c = 0; c < count; c++)
    p.spec.containers.push({ name: `c${c}`, image: 'nginx', livenessProbe: probeOn(8080 + (c % 1000), pad(`/h${c}/`, path)) });
  return review('hostile-cap-probes-7b1d2c3e-0000-4000-8000-000000000000', p);
}

/** A pod with `count` labels, values (at most 63 characters, as Kubernetes allows) padded to about `bytes`. */
export function manyLabels(count: number, bytes: number): string {
  const p = plainPod();
  p.spec.containers.push({ name: 'app', image: 'nginx' });
  const key = Math.min(63, Math.max(8, Math.floor((bytes / count - '"example.com/":"",'.length) / 2)));
  for (let i = 0; i < count; i++) p.metadata.labels[`example.com/${pad(`l${i}-`, key, 'k')}`] = pad(`v${i}-`, key, 'v');
  return review('hostile-cap-labels-7b1d2c3e-0000-4000-8000-000000000000', p);
}

/**
 * An already-injected pod's proxy.istio.io/overrides at the deepest accepted nesting: as many lists
 * nested `maxDepth` deep in all (the document's own three levels counted) as fit in `maxChars`.
 */
export function deepestOverrides(maxDepth: number, maxChars: number): Record<string, string> {
  const head = '{"containers":[{"name":"istio-proxy","x":[';
  const d = maxDepth - 4; // {, [, { and x's own list
  const branch = `${'['.repeat(d)}${']'.repeat(d)}`;
  return {
    ...deepOverrides(0),
    'proxy.istio.io/overrides': `${head}${fill(maxChars - head.length - 4, () => branch)}]}]}`,
  };
}

/**
 * Every annotation the injector and its templates read, each as long as `maxChars` allows with a valid value
 * where one can be long (port, CIDR and interface lists, log levels, user volumes); the rest valid and short.
 */
export function everyAnnotationAtCap(maxChars: number, templates: string, proxyConfig: string): Record<string, string> {
  const ports = fill(maxChars, (i) => String(1 + (i % 65535)));
  const cidrs = fill(maxChars, (i) => `10.${(i >> 8) & 255}.${i & 255}.0/24`);
  const ifaces = fill(maxChars, (i) => `veth${i}`);
  const levels = fill(maxChars, (i) => `${['misc', 'upstream', 'connection', 'http', 'router'][i % 5]}:${['debug', 'info', 'warn'][i % 3]}`);
  const volumes = Math.floor(maxChars / '"uv0000":{"mountPath":"/var/run/uv/0000","readOnly":true},'.length);
  const names = Array.from({ length: volumes }, (_, i) => `uv${String(i).padStart(4, '0')}`);
  return {
    'inject.istio.io/templates': templates,
    'proxy.istio.io/config': proxyConfig,
    'traffic.sidecar.istio.io/includeInboundPorts': ports,
    'traffic.sidecar.istio.io/excludeInboundPorts': ports,
    'traffic.sidecar.istio.io/includeOutboundPorts': ports,
    'traffic.sidecar.istio.io/excludeOutboundPorts': ports,
    'traffic.sidecar.istio.io/includeOutboundIPRanges': cidrs,
    'traffic.sidecar.istio.io/excludeOutboundIPRanges': cidrs,
    'traffic.sidecar.istio.io/excludeInterfaces': ifaces,
    'traffic.sidecar.istio.io/kubevirtInterfaces': ifaces,
    'istio.io/reroute-virtual-interfaces': ifaces,
    'sidecar.istio.io/componentLogLevel': levels,
    'sidecar.istio.io/agentLogLevel': fill(
      maxChars,
      (i) => `${['default', 'ads', 'cache', 'sds', 'xdsproxy'][i % 5]}:${['debug', 'info', 'warn'][i % 3]}`,
    ),
    'sidecar.istio.io/userVolume': JSON.stringify(Object.fromEntries(names.map((n) => [n, { emptyDir: {} }]))),
    'sidecar.istio.io/userVolumeMount': JSON.stringify(
      Object.fromEntries(names.map((n) => [n, { mountPath: `/var/run/uv/${n.slice(2)}`, readOnly: true }])),
    ),
    'sidecar.istio.io/logLevel': 'debug',
    'sidecar.istio.io/interceptionMode': 'REDIRECT',
    'status.sidecar.istio.io/port': '15020',
    'readiness.status.sidecar.istio.io/initialDelaySeconds': '1',
    'readiness.status.sidecar.istio.io/periodSeconds': '2',
    'readiness.status.sidecar.istio.io/failureThreshold': '30',
    'sidecar.istio.io/proxyCPU': '100m',
    'sidecar.istio.io/proxyMemory': '128Mi',
    'sidecar.istio.io/proxyCPULimit': '2',
    'sidecar.istio.io/proxyMemoryLimit': '1Gi',
    'sidecar.istio.io/capNetBindService': 'true',
    'prometheus.istio.io/merge-metrics': 'true',
    'prometheus.io/scrape': 'true',
    'prometheus.io/port': '8080',
    'prometheus.io/path': `/${'m'.repeat(maxChars - 1)}`,
  };
}
