// Native sidecars (an init container with restartPolicy: Always) are GA in Kubernetes 1.33. Like Istio's
// DetectNativeSidecar, "auto" means native only when every node's kubelet is at least 1.33; a kubelet
// version that cannot be read counts as too old.

const MIN_MINOR = 33;
// v1.33.0, 1.34, v1.34.1-gke.100, v1.33.2+k3s1, v1.33.0-alpha.1: major.minor[.patch] then an optional suffix.
const KUBELET_VERSION = /^v?(\d+)\.(\d+)(?:\.\d+)?(?:[-+][0-9A-Za-z.+~-]*)?$/;

export function kubeletSupportsNativeSidecars(version: string): boolean {
  const m = KUBELET_VERSION.exec(version.trim());
  if (!m) return false;
  const major = Number(m[1]);
  const minor = Number(m[2]);
  return major > 1 || (major === 1 && minor >= MIN_MINOR);
}

/** undefined when no node is known (nothing to decide on), else whether every node qualifies. */
export function allNodesSupportNativeSidecars(kubeletVersions: Iterable<string>): boolean | undefined {
  let seen = false;
  for (const v of kubeletVersions) {
    seen = true;
    if (!kubeletSupportsNativeSidecars(v)) return false;
  }
  return seen ? true : undefined;
}
