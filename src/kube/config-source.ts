// Where the Kubernetes client configuration comes from (without loading the client: a server with no
// cluster never pays for @kubernetes/client-node). No cluster is a normal state (the CLI's inject and
// explain, a server run outside a cluster), so "nothing found" is undefined, not an error; a kubeconfig
// the user named but that cannot be read is an error.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

export type KubeConfigSource = { kind: 'file'; paths: string[]; from: 'flag' | 'KUBECONFIG' | 'home' } | { kind: 'in-cluster' };

export interface KubeConfigLookup {
  /** An explicit kubeconfig (the --kubeconfig flag); it must exist. */
  kubeconfigPath?: string;
  /** Environment to read KUBECONFIG and KUBERNETES_SERVICE_HOST/PORT from (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Home directory for ~/.kube/config (default os.homedir()). */
  homeDir?: string;
  /** Prefix for the in-cluster service-account files under /var/run/secrets (tests). */
  serviceAccountRoot?: string;
}

const SERVICE_ACCOUNT_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

/** Explicit path, else in-cluster (service host env and token file), else KUBECONFIG, else ~/.kube/config. */
export function findKubeConfigSource(lookup: KubeConfigLookup = {}): KubeConfigSource | undefined {
  if (lookup.kubeconfigPath !== undefined) return { kind: 'file', paths: [lookup.kubeconfigPath], from: 'flag' };
  const env = lookup.env ?? process.env;
  if (env.KUBERNETES_SERVICE_HOST && env.KUBERNETES_SERVICE_PORT && existsSync(`${lookup.serviceAccountRoot ?? ''}${SERVICE_ACCOUNT_TOKEN}`)) {
    return { kind: 'in-cluster' };
  }
  if (env.KUBECONFIG) {
    // As kubectl: missing files in the list are skipped.
    const paths = env.KUBECONFIG.split(delimiter).filter((p) => p !== '' && existsSync(p));
    if (paths.length > 0) return { kind: 'file', paths, from: 'KUBECONFIG' };
  }
  const home = lookup.homeDir ?? homedir();
  const file = join(home, '.kube', 'config');
  return home && existsSync(file) ? { kind: 'file', paths: [file], from: 'home' } : undefined;
}

export function describeKubeConfigSource(src: KubeConfigSource): string {
  return src.kind === 'in-cluster'
    ? 'in-cluster service account'
    : `${src.paths.join(', ')} (${src.from === 'flag' ? '--kubeconfig' : src.from === 'KUBECONFIG' ? '$KUBECONFIG' : 'default location'})`;
}
