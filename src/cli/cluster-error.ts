// How a command that talks to a cluster reports a failure: one line, naming the kubeconfig in use when the
// cluster could not be reached or refused the credentials (the two cases where the kubeconfig is the suspect).
import { KubeApiError } from '../kube/api-errors.ts';
import { describeKubeConfigSource, findKubeConfigSource } from '../kube/client.ts';
import type { CliIO } from './io.ts';

export function reportClusterError(e: unknown, kubeconfig: string | undefined, io: CliIO): 1 {
  const src = findKubeConfigSource({ kubeconfigPath: kubeconfig });
  const where =
    src && e instanceof KubeApiError && (e.kind === 'unreachable' || e.kind === 'unauthorized')
      ? ` (kubeconfig: ${describeKubeConfigSource(src)})`
      : '';
  io.stderr(`error: ${(e as Error).message}${where}\n`);
  return 1;
}
