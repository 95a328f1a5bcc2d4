// Native sidecars `auto` (an init container with restartPolicy: Always, GA in Kubernetes 1.33), decided as
// Istio's DetectNativeSidecar does: from the pod's own node when spec.nodeName names a known node, else
// from every node (all must run kubelet 1.33 or later); a request for another cluster than ours
// (/inject/cluster/<id>) has no nodes to ask, so classic. Pure: the edge passes the nodes it watches.

/** Native or classic, and why (one line for the notes). */
export interface NativeVerdict {
  native: boolean;
  why: string;
}

/**
 * The nodes of the cluster this injector watches: kubelet version (status.nodeInfo.kubeletVersion) by node
 * name, and the verdict over every node, which a pod not yet scheduled gets. That verdict is made once per
 * change of the nodes (nodeKubelets), not per admission: a cluster has thousands of nodes.
 */
export interface NodeKubelets {
  readonly versions: ReadonlyMap<string, string>;
  readonly everyNode: NativeVerdict;
}

/** The nodes with their every-node verdict (a pass over them: call it when they change). */
export function nodeKubelets(versions: ReadonlyMap<string, string>): NodeKubelets {
  // a cluster has thousands of nodes but a few kubelet versions: each is parsed once
  const fine = new Set<string>();
  for (const [name, version] of versions) {
    if (fine.has(version)) continue;
    if (!kubeletSupportsNativeSidecars(version))
      return { versions, everyNode: { native: false, why: `node "${name}" runs kubelet ${JSON.stringify(version)}, older than 1.33` } };
    fine.add(version);
  }
  return { versions, everyNode: { native: true, why: `every node (${versions.size}) runs kubelet 1.33 or later` } };
}

// hashicorp/go-version's pattern (what Istio parses kubelet versions with), anchored as NewVersion does,
// in two cheap parts: its suffixes never start with a digit or a dot, so its lazy segment list is the
// longest one, and the rest must be a prerelease and/or metadata suffix
const SEGMENTS = /^v?([0-9]+(?:\.[0-9]+)*)/;
const SUFFIX =
  /^(?:-[0-9][0-9A-Za-z\-~]*(?:\.[0-9A-Za-z\-~]+)*|-?[A-Za-z\-~][0-9A-Za-z\-~]*(?:\.[0-9A-Za-z\-~]+)*)?(?:\+[0-9A-Za-z\-~]+(?:\.[0-9A-Za-z\-~]+)*)?$/;
const INT64_MAX = 9223372036854775807n;
const MIN_MINOR = 33;

/**
 * As Istio: the minor version (the second segment, 0 when absent) is at least 33, whatever the major; a
 * version go-version cannot parse (or a segment past int64) counts as too old.
 */
export function kubeletSupportsNativeSidecars(version: string): boolean {
  const m = SEGMENTS.exec(version);
  if (!m || !SUFFIX.test(version.slice(m[0].length))) return false;
  const segments = m[1]!.split('.');
  if (segments.some((s) => s.length > 18 && BigInt(s) > INT64_MAX)) return false;
  const minor = segments[1] ?? '0';
  return minor.length <= 15 ? Number(minor) >= MIN_MINOR : BigInt(minor) >= BigInt(MIN_MINOR);
}

/** Istio's default cluster ID, istiod's when values.global.multiCluster.clusterName is empty. */
export const DEFAULT_CLUSTER_ID = 'Kubernetes';

export interface NativeSidecarInputs {
  /** undefined: no nodes known (no cluster, or its caches not synced yet): classic, as istiod without a node client. */
  nodes: NodeKubelets | undefined;
  /** The pod's spec.nodeName ('' or absent when not scheduled yet, as at creation). */
  nodeName: string | undefined;
  /** The request's cluster: the URL's `cluster` parameter, else values.global.multiCluster.clusterName. */
  requestCluster: string;
  /** Ours: values.global.multiCluster.clusterName, as istiod's CLUSTER_ID comes from it in Istio's chart. */
  localCluster: string;
}

/** Whether native sidecars `auto` gives native, and why. */
export function detectNativeSidecars(i: NativeSidecarInputs): NativeVerdict {
  const request = i.requestCluster || DEFAULT_CLUSTER_ID;
  const local = i.localCluster || DEFAULT_CLUSTER_ID;
  if (request !== local) return { native: false, why: `the request is for cluster "${request}", whose nodes this injector does not watch` };
  if (i.nodes === undefined) return { native: false, why: 'no node kubelet versions are known' };
  if (!i.nodeName) return i.nodes.everyNode;
  const version = i.nodes.versions.get(i.nodeName);
  if (version !== undefined)
    return { native: kubeletSupportsNativeSidecars(version), why: `the pod's node "${i.nodeName}" runs kubelet ${JSON.stringify(version)}` };
  return { native: i.nodes.everyNode.native, why: `the pod's node "${i.nodeName}" is not known; ${i.nodes.everyNode.why}` };
}
