// Container order, as Istio's reorderPod: istio-proxy last among containers, or first when the application
// must wait for the proxy (mesh or values hold, whether native or not). Native (istio-proxy among init
// containers): istio-init, istio-validation, istio-proxy, enable-core-dump, then the user's. Classic:
// istio-validation first, istio-init then enable-core-dump last.
import type { Container, Pod } from '../types.ts';

/**
 * Istio's modifyContainers: the container named `name` taken out and put first or last. Given twice, the
 * last one is the one kept, as Istio's loop keeps it (the API server refuses such a pod anyway).
 */
function move(list: Container[], name: string, to: 'first' | 'last'): Container[] {
  const rest = list.filter((c) => c.name !== name);
  if (rest.length === list.length) return list;
  const match = list.filter((c) => c.name === name).at(-1)!;
  return to === 'first' ? [match, ...rest] : [...rest, match];
}

export function reorderContainers(pod: Pod, holdPod: boolean): void {
  pod.spec.containers = move(pod.spec.containers, 'istio-proxy', holdPod ? 'first' : 'last');
  let init = pod.spec.initContainers;
  if (!init) return;
  if (init.some((c) => c.name === 'istio-proxy')) {
    for (const name of ['enable-core-dump', 'istio-proxy', 'istio-validation', 'istio-init']) init = move(init, name, 'first');
  } else {
    init = move(init, 'istio-validation', 'first');
    init = move(init, 'istio-init', 'last');
    init = move(init, 'enable-core-dump', 'last');
  }
  pod.spec.initContainers = init;
}
