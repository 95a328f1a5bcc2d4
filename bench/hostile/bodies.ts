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
export const smallPod = (name: string) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'app', image: 'nginx' }] } });

/** 6 MiB of empty YAML documents: `---\n` repeated (exactly the body cap). */
export const emptyDocuments = () => '---\n'.repeat((6 * 2 ** 20) / 4);

/** A `List` of 4,000 small pods (about 391 KB). */
export const podList = (n = 4000) => JSON.stringify({ apiVersion: 'v1', kind: 'List', items: Array.from({ length: n }, (_, i) => smallPod(`p${i}`)) });

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
