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
    name: "Istio's other built-in templates (until issue 15)",
    reason:
      "gateway, grpc-agent, grpc-simple, waypoint, kube-gateway and agentgateway exist only as Go templates in Istio's ConfigMap; ours has Liquid ports of sidecar only and refuses the others by name until the Go template engine runs Istio's ConfigMap unchanged (issue 15)",
    covers: (c) =>
      c.ours.kind === 'refused' &&
      /^requested template "(gateway|grpc-agent|grpc-simple|waypoint|kube-gateway|agentgateway|agentgateway-waypoint)" not found/.test(
        c.ours.message,
      ),
  },
];

/** The first accepted difference covering this case, if any. */
export function acceptedDifference(c: CaseView): AcceptedDifference | undefined {
  return ACCEPTED_DIFFERENCES.find((d) => d.covers(c));
}
