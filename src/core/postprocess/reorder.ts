// Container order (Istio's reorderPod). Native: the capture init container, then istio-proxy, then
// enable-core-dump, then the user's init containers. Classic: istio-validation first, istio-init and
// enable-core-dump last among init containers; istio-proxy last among containers, or first when the
// application must wait for the proxy.
import type { Container, Pod } from '../types.ts';

const rank =
  (order: Record<string, number>, fallback: number) =>
  (c: Container): number =>
    order[c.name] ?? fallback;

function stableSort(list: Container[], key: (c: Container) => number): Container[] {
  return list
    .map((c, i) => ({ c, i, k: key(c) }))
    .sort((a, b) => a.k - b.k || a.i - b.i)
    .map((x) => x.c);
}

export function reorderContainers(pod: Pod, holdApplication: boolean): void {
  const init = pod.spec.initContainers ?? [];
  const nativeProxy = init.some((c) => c.name === 'istio-proxy');
  if (nativeProxy) {
    pod.spec.initContainers = stableSort(init, rank({ 'istio-validation': 0, 'istio-init': 0, 'istio-proxy': 1, 'enable-core-dump': 2 }, 3));
  } else {
    if (init.length) pod.spec.initContainers = stableSort(init, rank({ 'istio-validation': 0, 'istio-init': 2, 'enable-core-dump': 3 }, 1));
    pod.spec.containers = stableSort(pod.spec.containers, rank({ 'istio-proxy': holdApplication ? 0 : 2 }, 1));
  }
}
