// Every difference from istiod this injector keeps on purpose, in one list: a name, the reason, and the
// exact cases it covers. A disagreement no entry covers fails the run.
import type { Outcome } from './compare.ts';

export interface CaseView {
  pod: Record<string, unknown>;
  path: string;
  ours: Outcome;
  istiod: Outcome;
}

export interface AcceptedDifference {
  name: string;
  reason: string;
  covers(c: CaseView): boolean;
}

const refusedByUs = (c: CaseView, pattern: RegExp) => c.ours.kind === 'refused' && c.istiod.kind === 'injected' && pattern.test(c.ours.message);

export const ACCEPTED_DIFFERENCES: AcceptedDifference[] = [
  {
    name: 'capture values the init container would refuse',
    reason:
      'istiod injects a pod whose traffic.sidecar.istio.io/* or reroute-virtual-interfaces value istio-iptables then refuses (the pod crash-loops in istio-init); we refuse it at admission, naming the annotation',
    covers: (c) => refusedByUs(c, /the init container's -[a-z] would refuse it/),
  },
  {
    name: 'an image type that no image tag can hold',
    reason:
      "istiod writes sidecar.istio.io/proxyImageType into its YAML as it is: quotes, spaces or '#' give a broken render or an image that cannot be pulled; we refuse it at admission, naming the annotation",
    covers: (c) => refusedByUs(c, /for annotation 'sidecar\.istio\.io\/proxyImageType': not an image type/),
  },
  {
    name: 'a bootstrap override that is no ConfigMap name',
    reason:
      "istiod writes sidecar.istio.io/bootstrapOverride into its YAML as it is: ' ', '#' or quotes give a broken render or a volume of no ConfigMap; we refuse it at admission, naming the annotation",
    covers: (c) => refusedByUs(c, /for annotation 'sidecar\.istio\.io\/bootstrapOverride': not a ConfigMap name/),
  },
  {
    name: 'readiness values too large for a probe, even when no probe is rendered',
    reason:
      'istiod fails on a readiness.status.sidecar.istio.io/* value above 2^31-1 only when it renders the readiness probe (not with status port 0); we refuse it by name whenever it is set',
    covers: (c) => refusedByUs(c, /for annotation 'readiness\.status\.sidecar\.istio\.io\/\w+': larger than a probe's int32 field/),
  },
  {
    name: 'a proxyMetadata key that a template already sets as env',
    reason:
      "istiod writes the env var twice on the container (Istio's grpc-agent template sets ISTIO_META_DNS_CAPTURE itself, then ranges over proxyMetadata): which value the proxy gets depends on the kubelet; we refuse it at admission, naming proxy.istio.io/config and the key",
    covers: (c) =>
      refusedByUs(
        c,
        /for annotation 'proxy\.istio\.io\/config': proxyMetadata key '[^']+' names an env var the injected [\w-]+ container already sets/,
      ),
  },
];

/** The first accepted difference covering this case, if any. */
export function acceptedDifference(c: CaseView): AcceptedDifference | undefined {
  return ACCEPTED_DIFFERENCES.find((d) => d.covers(c));
}
