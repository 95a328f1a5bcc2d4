// A container named like an injected one (istio-proxy, istio-init) in the user's pod is the user's
// override: it is merged over what the template made, so user fields win (`image: auto` keeps ours),
// and saved in proxy.istio.io/overrides so a re-injection applies it again (Istio's
// reapplyOverwrittenContainers and adjustInitContainerUser).
import { ANNOTATION } from '../annotations.ts';
import { clip } from '../clip.ts';
import { InjectionError } from '../errors.ts';
import { goJSON } from '../go-json.ts';
import { mergeMap } from '../merge.ts';
import { cloneJson, isObject, type Container, type JsonObject, type Pod } from '../types.ts';
import { treeProblem } from '../tree-limits.ts';
import { readStatus } from './status.ts';

/** JSON without its nulls (Go's nil pointers), at any depth. */
function withoutNulls(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withoutNulls);
  if (!isObject(v)) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) if (x !== null) out[k] = withoutNulls(x);
  return out;
}

type Lists = { containers?: Container[]; initContainers?: Container[] };
const LISTS = ['containers', 'initContainers'] as const;

function existingOverrides(pod: Pod): Lists {
  const raw = pod.metadata.annotations?.[ANNOTATION.overrides];
  if (raw === undefined) return {};
  try {
    const v = JSON.parse(raw) as unknown;
    // before anything recursive (copy, merge, Go ordering) walks it: 100,000 levels overflow the stack
    const over = treeProblem(v);
    if (over) throw new Error(`it ${over.why}`);
    if (!isObject(v)) throw new Error('not an object');
    for (const l of LISTS)
      if (v[l] !== undefined && (!Array.isArray(v[l]) || (v[l] as unknown[]).some((c) => !isObject(c) || typeof c.name !== 'string')))
        throw new Error(`${l} is not a list of containers`);
    return v as Lists;
  } catch (e) {
    throw new InjectionError(
      'INVALID_ANNOTATION',
      `invalid value '${clip(raw)}' for annotation '${ANNOTATION.overrides}': ${(e as Error).message}`,
      ANNOTATION.overrides,
    );
  }
}

/**
 * Puts the containers saved in proxy.istio.io/overrides back into a stripped pod (Istio's
 * reinsertOverrides), so templates see on re-injection what they saw the first time.
 */
export function reinsertOverrides(stripped: Pod): void {
  const saved = existingOverrides(stripped);
  for (const list of LISTS) {
    for (const c of saved[list] ?? []) {
      const have = stripped.spec[list] ?? [];
      if (!have.some((x) => x.name === c.name)) stripped.spec[list] = [...have, cloneJson(c)];
    }
  }
}

/** Returns the merged pod and the names of the containers the user overrode. */
export function reapplyOverrides(finalPod: Pod, original: Pod, templatePod: { spec?: Lists }): { pod: Pod; overridden: string[] } {
  const saved = existingOverrides(original);
  const status = readStatus(original);
  const userContainers = [...(original.spec.containers ?? []), ...(original.spec.initContainers ?? [])];
  const overrides: Lists = {};
  const overridden: string[] = [];
  let pod = finalPod;
  for (const list of LISTS) {
    for (const c of templatePod.spec?.[list] ?? []) {
      // saved overrides always apply again; a same-named container that a previous injection put in this
      // list is ours, not the user's, so the new template wins over it
      const ours = (status?.[list] ?? []).includes(c.name);
      const match = saved[list]?.find((o) => o.name === c.name) ?? (ours ? undefined : userContainers.find((o) => o.name === c.name));
      if (!match) continue;
      // written as Go writes it (canonical quantities), so the saved copy and the pod agree on re-injection
      const overlay = goJSON('v1.Container', match) as Container;
      if (overlay.image === 'auto') delete overlay.image;
      const listed = overrides[list];
      if (listed) listed.push(overlay);
      else overrides[list] = [overlay];
      overridden.push(c.name);
      // a null in Go's JSON is a nil pointer, absent: merged as a strategic-merge null it would delete
      pod = mergeMap(pod as unknown as JsonObject, { spec: { [list]: [withoutNulls(overlay)] } } as unknown as JsonObject) as unknown as Pod;
    }
  }
  if (!status && overridden.length > 0) {
    const doc: Record<string, unknown> = {};
    for (const l of LISTS) if (overrides[l]) doc[l] = overrides[l];
    pod.metadata.annotations = { ...(pod.metadata.annotations ?? {}), [ANNOTATION.overrides]: JSON.stringify(doc) };
  }
  return { pod, overridden };
}

/**
 * As Istio's adjustInitContainerUser: when the pod brings its own istio-proxy with runAsUser/runAsGroup,
 * iptables must let that user through (`-u`) and istio-validation runs as it; in TPROXY mode the proxy
 * stays root. A pod without such a container (most, and gateways: theirs has no user) is left as rendered.
 */
export function adjustInitContainerUser(pod: Pod, original: Pod, proxyConfigMode: string): void {
  // Istio's FindSidecar: among containers, then init containers (a native sidecar)
  const user = [...(original.spec.containers ?? []), ...(original.spec.initContainers ?? [])].find((c) => c.name === 'istio-proxy')?.securityContext;
  const uid = user?.runAsUser;
  const gid = user?.runAsGroup;
  if (uid == null && gid == null) return;
  const init =
    (pod.spec.initContainers ?? []).find((c) => c.name === 'istio-init') ??
    (pod.spec.initContainers ?? []).find((c) => c.name === 'istio-validation');
  if (!init) return;
  const tproxy = proxyConfigMode === 'TPROXY' || pod.metadata.annotations?.[ANNOTATION.interceptionMode] === 'TPROXY';
  if (tproxy && uid != null) {
    const proxy = [...pod.spec.containers, ...(pod.spec.initContainers ?? [])].find((c) => c.name === 'istio-proxy');
    if (proxy) proxy.securityContext = { ...proxy.securityContext, runAsUser: 0 };
  }
  if (!tproxy && init.name === 'istio-validation') {
    init.securityContext = {
      ...(init.securityContext ?? {}),
      ...(uid != null ? { runAsUser: uid } : {}),
      ...(gid != null ? { runAsGroup: gid } : {}),
    };
  }
  // iptables' --uid-owner must not be 0
  if (uid == null || uid === 0 || !init.args) return;
  const i = init.args.indexOf('-u');
  if (i >= 0 && i + 1 < init.args.length) init.args = [...init.args.slice(0, i + 1), String(uid), ...init.args.slice(i + 2)];
}
