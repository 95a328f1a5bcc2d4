// deploy/ on the test control plane: its objects as kustomize renders them, the MutatingWebhookConfiguration
// pointed at a webhook on 127.0.0.1, its RBAC bound to any subject, a ServiceAccount's own kubeconfig, and
// the probe that says when the API server calls the webhook.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { apiCall, ApiError, type ApiTarget } from './api.ts';
import type { ControlPlane } from './control-plane.ts';
import { waitFor } from './wait.ts';

export const REPO_ROOT = join(import.meta.dirname, '..', '..', '..');
export const DEPLOY_DIR = join(REPO_ROOT, 'deploy');

// Loose shapes: these are test fixtures read from YAML.
export type K8sObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [k: string]: any;
};

/** `kubectl kustomize deploy/`: exactly the objects `kubectl apply -k deploy/` sends. */
export async function renderDeploy(cp: ControlPlane, dir = DEPLOY_DIR): Promise<K8sObject[]> {
  const r = await cp.kubectl(['kustomize', dir]);
  if (r.code !== 0) throw new Error(`kubectl kustomize ${dir} failed (${r.code}): ${r.stderr}`);
  return parseAllDocuments(r.stdout)
    .map((d) => d.toJS() as K8sObject)
    .filter((o) => o?.kind);
}

export interface WebhookConfigurationOptions {
  /** clientConfig.url of every entry (instead of the in-cluster Service). */
  url: string;
  /** base64 caBundle on every entry; left out (for the patcher to set) when undefined. */
  caBundle?: string;
  name?: string;
  labels?: Record<string, string>;
}

/**
 * deploy/'s MutatingWebhookConfiguration as kustomize renders it (same entries, rules, selectors, policies,
 * labels), with only `clientConfig` changed: `{ url }` instead of `{ service }`, and caBundle if given.
 */
export async function webhookConfigurationFromDeploy(cp: ControlPlane, opts: WebhookConfigurationOptions): Promise<K8sObject> {
  const mwc = (await renderDeploy(cp)).find((o) => o.kind === 'MutatingWebhookConfiguration');
  if (!mwc) throw new Error('deploy/ renders no MutatingWebhookConfiguration');
  const out = structuredClone(mwc);
  if (opts.name) out.metadata.name = opts.name;
  if (opts.labels) out.metadata.labels = opts.labels;
  for (const w of out.webhooks as Array<{ clientConfig: Record<string, unknown> }>) {
    w.clientConfig = { url: opts.url, ...(opts.caBundle ? { caBundle: opts.caBundle } : {}) };
  }
  return out;
}

/** deploy/base/rbac.yaml with its bindings' subjects replaced, applied with kubectl; its Role (the
 * certificate Secret) in `namespace` (default: the kubeconfig's, when that is not the injector's). */
export async function applyDeployRbac(cp: ControlPlane, subjects: Array<Record<string, string>>, namespace?: string): Promise<K8sObject[]> {
  const objects = parseAllDocuments(readFileSync(join(DEPLOY_DIR, 'base', 'rbac.yaml'), 'utf8'))
    .map((d) => d.toJS() as K8sObject)
    .filter((o) => o?.kind);
  const bindings = objects.filter((o) => o.kind === 'ClusterRoleBinding');
  if (bindings.length !== 1) throw new Error(`deploy/base/rbac.yaml has ${bindings.length} ClusterRoleBindings, expected 1`);
  bindings[0]!.subjects = subjects;
  for (const o of objects) {
    if (o.kind !== 'Role' && o.kind !== 'RoleBinding') continue;
    if (namespace) o.metadata.namespace = namespace;
    if (o.kind === 'RoleBinding') o.subjects = subjects;
  }
  const applied = await cp.kubectl(['apply', '-f', '-'], { stdin: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }) });
  if (applied.code !== 0) throw new Error(`kubectl apply of deploy/base/rbac.yaml failed: ${applied.stderr}`);
  return objects;
}

/**
 * A kubeconfig that authenticates as a ServiceAccount, with a token from the TokenRequest API (the API
 * server issues it itself; no controller is needed). Written into the control plane's dir.
 */
export async function serviceAccountKubeconfig(cp: ControlPlane, namespace: string, name: string, expirationSeconds = 3600): Promise<string> {
  const tr = await apiCall<{ status: { token: string } }>(cp, 'POST', `/api/v1/namespaces/${namespace}/serviceaccounts/${name}/token`, {
    apiVersion: 'authentication.k8s.io/v1',
    kind: 'TokenRequest',
    spec: { expirationSeconds },
  });
  const user = `system:serviceaccount:${namespace}:${name}`;
  const path = join(cp.dir, `kubeconfig-sa-${namespace}-${name}`);
  writeFileSync(
    path,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'e2e', cluster: { server: cp.server, 'certificate-authority-data': Buffer.from(cp.caPem).toString('base64') } }],
      users: [{ name: user, user: { token: tr.status.token } }],
      contexts: [{ name: user, context: { cluster: 'e2e', user } }],
      'current-context': user,
    }),
    { mode: 0o600 },
  );
  return path;
}

export interface StoredPod {
  metadata: { name: string; namespace: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: {
    containers: Array<{ name: string; image?: string }>;
    initContainers?: Array<{ name: string; restartPolicy?: string }>;
    hostNetwork?: boolean;
  };
}

export const containerNames = (pod: StoredPod) => pod.spec.containers.map((c) => c.name);
export const initContainerNames = (pod: StoredPod) => (pod.spec.initContainers ?? []).map((c) => c.name);

/** Creates a pod with dryRun=All (nothing is stored) and returns what the API server would have stored. */
export function dryRunPod(target: ApiTarget, namespace: string, pod: Record<string, unknown>): Promise<StoredPod> {
  return apiCall<StoredPod>(target, 'POST', `/api/v1/namespaces/${namespace}/pods?dryRun=All`, pod);
}

/**
 * Waits (bounded) until the API server calls the webhook for pods of `namespace`: a dryRun=All pod create
 * comes back with istio-proxy (in initContainers with restartPolicy Always when `native`). Until the
 * configuration reaches the API server's webhook cache, pods come back untouched (or refused): it asks again.
 */
export async function waitForInjection(
  target: ApiTarget,
  namespace: string,
  opts: { timeoutMs?: number; native?: boolean } = {},
): Promise<StoredPod> {
  const probe = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { generateName: 'probe-' },
    spec: { containers: [{ name: 'app', image: 'registry.example/app:1' }] },
  };
  return waitFor(
    async () => {
      const pod = await dryRunPod(target, namespace, probe);
      const native = (pod.spec.initContainers ?? []).some((c) => c.name === 'istio-proxy' && c.restartPolicy === 'Always');
      const classic = containerNames(pod).includes('istio-proxy');
      // native undefined: either shape (`auto` with no node known is native, as in Istio)
      const injected = opts.native === undefined ? native || classic : opts.native ? native : classic;
      return injected ? pod : false;
    },
    {
      what: `pods in namespace ${namespace} to be injected${opts.native === undefined ? '' : opts.native ? ' with a native sidecar' : ' with a classic sidecar'} (dryRun=All probe)`,
      timeoutMs: opts.timeoutMs ?? 30_000,
      intervalMs: 250,
    },
  );
}

/** Waits (bounded) until creating a pod in `namespace` is refused with a message matching `re`; returns the message. */
export async function waitForRefusal(target: ApiTarget, namespace: string, re: RegExp, timeoutMs = 30_000): Promise<string> {
  const probe = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { generateName: 'probe-' },
    spec: { containers: [{ name: 'app', image: 'registry.example/app:1' }] },
  };
  return waitFor(
    async () => {
      try {
        await dryRunPod(target, namespace, probe);
        return false;
      } catch (e) {
        if (e instanceof ApiError && re.test(e.body)) return (JSON.parse(e.body) as { message: string }).message;
        throw e;
      }
    },
    { what: `pod creation in ${namespace} to be refused with ${re}`, timeoutMs, intervalMs: 250 },
  );
}
