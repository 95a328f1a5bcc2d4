// Two revisions of the injector side by side on the test control plane, as deploy/ installs them: the
// default revision (deploy/base: `sidecar-injector`, Istio's four entries) and the canary
// (deploy/revisions/canary: `sidecar-injector-canary`, the rev.* entries for istio.io/rev=canary), each a
// `serve --revision R` process of its own with its configuration calling it at a url on 127.0.0.1. Each
// instance gives its proxies an image of its own (values.global.hub), so a stored pod says which one
// injected it, besides the revision in its status annotation and istio.io/rev annotation. Also: the real CLI
// run as a user runs it (a process of its own), and the probe that waits until a namespace's pods go to
// a given revision.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { apiCall } from './api.ts';
import type { ControlPlane } from './control-plane.ts';
import { DEPLOY_DIR, dryRunPod, REPO_ROOT, renderDeploy, type K8sObject, type StoredPod } from './deploy.ts';
import { startWebhookProcess, type WebhookProcess } from './injector.ts';
import { waitFor } from './wait.ts';

export const MWC_PATH = '/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations';
export const REVISIONS = ['default', 'canary'] as const;
export type Revision = (typeof REVISIONS)[number];
/** Who injected a pod: a revision, or none. */
export type Outcome = Revision | 'none';

const hubOf = (rev: Revision) => `registry.example/rev-${rev}`;

export interface RevisionInstances {
  byRevision: Record<Revision, WebhookProcess>;
  stop(): Promise<void>;
}

/** `serve --revision default` and `serve --revision canary`, each with its own proxy image. */
export async function startRevisionInstances(cp: ControlPlane): Promise<RevisionInstances> {
  const started: WebhookProcess[] = [];
  const stop = async () => {
    await Promise.all(started.map((p) => p.stop()));
  };
  try {
    for (const rev of REVISIONS) {
      started.push(
        await startWebhookProcess({
          ca: cp.ca,
          dir: cp.dir,
          nativeSidecars: 'false',
          extraArgs: ['--revision', rev, '--set', `values.global.hub=${hubOf(rev)}`],
        }),
      );
    }
  } catch (e) {
    await stop();
    throw e;
  }
  const [def, canary] = started as [WebhookProcess, WebhookProcess];
  return { byRevision: { default: def, canary }, stop };
}

/** Each revision's MutatingWebhookConfiguration as deploy/ renders it, clientConfig pointing at its instance. */
export async function registerRevisionConfigurations(cp: ControlPlane, instances: RevisionInstances): Promise<K8sObject[]> {
  const caBundle = Buffer.from(cp.caPem).toString('base64');
  const out: K8sObject[] = [];
  for (const rev of REVISIONS) {
    const dir = rev === 'default' ? DEPLOY_DIR : join(DEPLOY_DIR, 'revisions', rev);
    const mwc = (await renderDeploy(cp, dir)).find((o) => o.kind === 'MutatingWebhookConfiguration');
    if (!mwc) throw new Error(`${dir} renders no MutatingWebhookConfiguration`);
    for (const w of mwc.webhooks as Array<{ clientConfig: Record<string, unknown> }>)
      w.clientConfig = { url: instances.byRevision[rev].url, caBundle };
    out.push(await apiCall<K8sObject>(cp, 'POST', MWC_PATH, mwc));
  }
  return out;
}

const proxyOf = (pod: StoredPod): { name: string; image?: string } | undefined =>
  [...(pod.spec.initContainers ?? []), ...pod.spec.containers].find((c) => c.name === 'istio-proxy');

/**
 * The revision whose instance injected the pod, or 'none'. Three marks must agree: the istio-proxy image
 * (each instance's own hub), the status annotation's revision and the pod's istio.io/rev annotation.
 */
export function injectedBy(pod: StoredPod): Outcome {
  const proxy = proxyOf(pod);
  const status = pod.metadata.annotations?.['sidecar.istio.io/status'];
  if (!proxy && status === undefined) return 'none';
  const byImage = REVISIONS.find((r) => proxy?.image?.startsWith(`${hubOf(r)}/`));
  const byStatus = status === undefined ? undefined : (JSON.parse(status) as { revision?: string }).revision;
  const byAnnotation = pod.metadata.annotations?.['istio.io/rev'];
  if (!byImage || byStatus !== byImage || byAnnotation !== byImage)
    throw new Error(
      `pod ${pod.metadata.namespace}/${pod.metadata.name}: its marks disagree (proxy image ${proxy?.image}, status revision ${byStatus}, annotation istio.io/rev=${byAnnotation})`,
    );
  return byImage;
}

/** The instances' admission log lines for one pod: which revisions were called, and with what decision. */
export function admissionsOf(instances: RevisionInstances, namespace: string, pod: string): Array<{ revision: Revision; decision: string }> {
  return REVISIONS.flatMap((revision) =>
    instances.byRevision[revision].admissions(namespace, pod).map((l) => ({ revision, decision: String(l.decision) })),
  );
}

const BIN = join(REPO_ROOT, 'bin', 'sidecar-injector.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** `sidecar-injector ARGS --kubeconfig K`, a process of its own, as a user runs it (bin/ through tsx). */
export function sidecarInjector(args: string[], kubeconfig: string, timeoutMs = 60_000): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args, '--kubeconfig', kubeconfig], { timeout: timeoutMs, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr: err?.killed ? `${stderr}\nkilled after ${timeoutMs} ms` : stderr });
    });
  });
}

/** Runs the CLI and fails with its output unless it exits 0. */
export async function mustRun(args: string[], kubeconfig: string): Promise<string> {
  const r = await sidecarInjector(args, kubeconfig);
  if (r.code !== 0) throw new Error(`sidecar-injector ${args.join(' ')} exited ${r.code}:\n${r.stderr}${r.stdout}`);
  return r.stdout;
}

const PROBE = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { generateName: 'probe-', labels: { probe: 'true' } },
  spec: { containers: [{ name: 'app', image: 'registry.example/app:1' }] },
};

/**
 * Waits (bounded) until a dryRun=All pod in `namespace` comes back injected by `revision`: the API server's
 * caches (webhook configurations, namespace labels) have caught up. Returns when it saw it (Date.now()).
 */
export async function waitForRevision(cp: ControlPlane, namespace: string, revision: Revision, timeoutMs = 60_000): Promise<number> {
  await waitFor(async () => injectedBy(await dryRunPod(cp, namespace, PROBE)) === revision, {
    what: `pods in ${namespace} to be injected by revision ${revision} (dryRun=All probe)`,
    timeoutMs,
    intervalMs: 100,
  });
  return Date.now();
}

/**
 * istiod's own configuration as its chart renders it for the default revision with
 * `sidecarInjectorWebhook.enableNamespacesByDefault=true` (istio-injector-facts.md §1c): named
 * `istio-sidecar-injector`, labelled as the chart labels it (not `sidecar-injector.io/owned`), Istio's four
 * entries and `auto.`; calling `url` (the test's stand-in for istiod).
 */
export async function istiodShapedConfiguration(cp: ControlPlane, url: string): Promise<K8sObject> {
  const mwc = (await renderDeploy(cp)).find((o) => o.kind === 'MutatingWebhookConfiguration');
  if (!mwc) throw new Error('deploy/ renders no MutatingWebhookConfiguration');
  type Expr = { key: string; operator: string; values?: string[] };
  type Entry = { name: string; clientConfig: unknown; namespaceSelector: { matchExpressions: Expr[] }; objectSelector: unknown };
  const webhooks = mwc.webhooks as Entry[];
  for (const w of webhooks) {
    w.clientConfig = { url, caBundle: Buffer.from(cp.caPem).toString('base64') };
    // the chart has no exclusion of the injector's own namespace: that is deploy/'s
    w.namespaceSelector.matchExpressions = w.namespaceSelector.matchExpressions.filter((e) => e.key !== 'kubernetes.io/metadata.name');
  }
  const auto: Entry = {
    ...structuredClone(webhooks[3]!),
    name: 'auto.sidecar-injector.istio.io',
    namespaceSelector: {
      matchExpressions: [
        { key: 'istio-injection', operator: 'DoesNotExist' },
        { key: 'istio.io/rev', operator: 'DoesNotExist' },
        { key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system', 'kube-public', 'kube-node-lease', 'local-path-storage'] },
      ],
    },
    objectSelector: {
      matchExpressions: [
        { key: 'sidecar.istio.io/inject', operator: 'DoesNotExist' },
        { key: 'istio.io/rev', operator: 'DoesNotExist' },
      ],
    },
  };
  return {
    ...mwc,
    metadata: {
      name: 'istio-sidecar-injector',
      labels: {
        'istio.io/rev': 'default',
        app: 'sidecar-injector',
        'operator.istio.io/component': 'Pilot',
        'app.kubernetes.io/name': 'istiod',
        release: 'istiod',
      },
    },
    webhooks: [...webhooks, auto],
  };
}
