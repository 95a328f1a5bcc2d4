// Where a pod author wrote a tainted value, said as they would look for it: the annotation or label key,
// the pod's name, a field of its spec, the proxy.istio.io/config field. From the names read from
// SidecarTemplateData's root down to the value (Tainted.path).
import { ANNOTATION } from '../../annotations.ts';
import type { Tainted } from '../value.ts';

const lowerFirst = (s: string): string => (/^[A-Z]/.test(s) ? s[0]!.toLowerCase() + s.slice(1) : s);

/** "annotation K", "label K", "the pod's name", "pod spec.containers.0.name", "annotation proxy.istio.io/config (proxyMetadata)". */
export function describeTaintPath(path: readonly string[]): string {
  const [root, first, second] = path;
  const rest = (from: number) => path.slice(from).map(lowerFirst).join('.');
  switch (root) {
    case 'ObjectMeta':
      if (first === 'Annotations' && second !== undefined) return `annotation ${second}`;
      if (first === 'Labels' && second !== undefined) return `label ${second}`;
      if (first === 'Name') return "the pod's name";
      return path.length > 1 ? `pod metadata.${rest(1)}` : "the pod's metadata";
    case 'Spec':
      return path.length > 1 ? `pod spec.${rest(1)}` : "the pod's spec";
    case 'ProxyConfig':
      return `annotation ${ANNOTATION.proxyConfig}${path.length > 1 ? ` (${rest(1)})` : ''}`;
    case 'ProxyImage':
    case 'ProxyInitImage':
      return `the proxy image type the pod asks for (${ANNOTATION.proxyImageType} or ${ANNOTATION.proxyConfig})`;
    case 'DeploymentMeta':
      return "the pod's workload name";
    case 'TypeMeta':
      return "the pod's kind";
    default:
      return 'a value from the pod';
  }
}

export const describeTaint = (t: Tainted): string => describeTaintPath(t.path());
