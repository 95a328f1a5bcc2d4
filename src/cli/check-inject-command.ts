// `sidecar-injector check-inject [-n NS] [POD | deployment/NAME | --namespace-only] [--kubeconfig F] [-o text|json]`:
// like `istioctl x check-inject`, read from the cluster: its MutatingWebhookConfigurations' injection entries,
// the namespace's labels and the pod's (or the Deployment template's; none for --namespace-only), and per
// entry whether it would inject and why (core/webhooks/check-inject.ts).
import { AppsV1Api, CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { checkInject, checkInjectTable } from '../core/webhooks/check-inject.ts';
import { KubeApiError, toKubeApiError } from '../kube/api-errors.ts';
import { loadKubeConfig } from '../kube/client.ts';
import { NamespaceClient } from '../kube/namespace-client.ts';
import { requestTimeout } from '../kube/request-timeout.ts';
import { clusterInjectionEntries, TagClient } from '../kube/tag-client.ts';
import { reportClusterError } from './cluster-error.ts';
import { CHECK_INJECT } from './commands.ts';
import { oneOf, parseCommand, usageText } from './flags.ts';
import { UsageError, type CliIO } from './io.ts';

const SEE_HELP = ' (see: sidecar-injector check-inject --help)';
const CALL_TIMEOUT_MS = 30_000;

/** The labels of the pod, or of the Deployment's pod template. */
async function targetLabels(kc: KubeConfig, namespace: string, target: string): Promise<Record<string, string>> {
  const server = kc.getCurrentCluster()?.server ?? '(no server)';
  const [kind, name] = target.includes('/') ? [target.slice(0, target.indexOf('/')), target.slice(target.indexOf('/') + 1)] : ['pod', target];
  try {
    if (kind === 'deployment' || kind === 'deploy' || kind === 'deployments') {
      const d = await kc.makeApiClient(AppsV1Api).readNamespacedDeployment({ name, namespace }, requestTimeout(CALL_TIMEOUT_MS));
      return { ...(d.spec?.template.metadata?.labels ?? {}) };
    }
    if (kind !== 'pod' && kind !== 'pods' && kind !== 'po')
      throw new UsageError(`check-inject takes a pod or deployment/NAME, not "${kind}/"${SEE_HELP}`);
    const p = await kc.makeApiClient(CoreV1Api).readNamespacedPod({ name, namespace }, requestTimeout(CALL_TIMEOUT_MS));
    return { ...(p.metadata?.labels ?? {}) };
  } catch (e) {
    if (e instanceof UsageError) throw e;
    const err = toKubeApiError(e, `read ${kind} "${namespace}/${name}"`, server);
    throw err.kind === 'not-found' ? new KubeApiError('not-found', `${kind} "${name}" not found in namespace "${namespace}"`, 404) : err;
  }
}

export async function run(argv: string[], io: CliIO): Promise<number> {
  const parsed = parseCommand(CHECK_INJECT, argv);
  if (parsed.help) {
    io.stdout(usageText(CHECK_INJECT));
    return 0;
  }
  const f = parsed.values as { namespace: string; 'namespace-only': boolean; kubeconfig?: string; output: string };
  const positionals = parsed.positionals;
  oneOf(f.output, '-o', ['text', 'json']);
  const target = positionals[0];
  if (positionals.length > 1 || (target === undefined) === !f['namespace-only'])
    throw new UsageError(`name one POD or deployment/NAME, or --namespace-only${SEE_HELP}`);
  const kc = loadKubeConfig({ kubeconfigPath: f.kubeconfig });
  if (!kc)
    throw new KubeApiError('no-cluster', 'no cluster configured: pass --kubeconfig FILE, set KUBECONFIG, create ~/.kube/config, or run inside a pod');
  const namespace = f.namespace!;
  try {
    const [entries, ns, podLabels] = await Promise.all([
      clusterInjectionEntries(new TagClient(kc)),
      new NamespaceClient(kc).get(namespace),
      target === undefined ? Promise.resolve({}) : targetLabels(kc, namespace, target),
    ]);
    const result = checkInject({ namespace, namespaceLabels: ns.labels, podLabels, entries });
    if (f.output === 'json') io.stdout(`${JSON.stringify({ namespace, ...(target ? { target } : {}), ...result }, null, 2)}\n`);
    else if (entries.length === 0) io.stdout('no MutatingWebhookConfiguration of the cluster injects pods: nothing would inject the sidecar\n');
    else io.stdout(checkInjectTable(result));
    return 0;
  } catch (e) {
    if (!(e instanceof KubeApiError)) throw e;
    return reportClusterError(e, f.kubeconfig, io);
  }
}
