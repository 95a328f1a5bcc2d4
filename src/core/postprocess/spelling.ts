// Re-injection keeps the pod's own spelling of a quantity the templates render equal: a pod Istio injected
// says `cpu: "2"` and `memory: 1Gi` (Go writes quantities canonically), ours render `2000m` and `1024Mi`.
// Without this, re-injecting it would patch `2` -> `2000m`, a change of text only. Istio diffs two
// canonicalised pods, so it never sees such a difference: neither should we.
import { parseQuantity } from '../quantity.ts';
import { isObject, type Container, type Pod } from '../types.ts';

// a real quantity is a few characters; longer text is not worth parsing (it cannot equal a rendered one)
const MAX_QUANTITY_TEXT = 64;

function sameQuantity(ours: unknown, theirs: unknown): boolean {
  if (!['string', 'number'].includes(typeof ours) || !['string', 'number'].includes(typeof theirs)) return false;
  const a = String(ours);
  const b = String(theirs);
  if (a === b || b.length > MAX_QUANTITY_TEXT) return false;
  const qa = parseQuantity(a);
  const qb = parseQuantity(b);
  return qa !== undefined && qb !== undefined && qa.nano === qb.nano;
}

/** `values` with each entry equal in quantity to `before`'s entry of the same key spelled as in `before`; the same object when nothing changes. */
function respellMap(values: unknown, before: unknown): unknown {
  if (!isObject(values) || !isObject(before)) return values;
  let out: Record<string, unknown> | undefined;
  for (const [k, v] of Object.entries(values)) {
    if (!Object.hasOwn(before, k) || !sameQuantity(v, before[k])) continue;
    out ??= { ...values };
    out[k] = before[k];
  }
  return out ?? values;
}

function respellResources(resources: unknown, before: unknown): unknown {
  if (!isObject(resources) || !isObject(before)) return resources;
  const limits = respellMap(resources.limits, before.limits);
  const requests = respellMap(resources.requests, before.requests);
  if (limits === resources.limits && requests === resources.requests) return resources;
  return { ...resources, ...(limits !== undefined ? { limits } : {}), ...(requests !== undefined ? { requests } : {}) };
}

function byName<T>(lists: unknown[]): Map<string, T> {
  const out = new Map<string, T>();
  for (const list of lists) {
    if (!Array.isArray(list)) continue;
    for (const x of list) if (isObject(x) && typeof x.name === 'string' && !out.has(x.name)) out.set(x.name, x as T);
  }
  return out;
}

/**
 * In `out` (the injected pod; its container lists and containers are its own, deeper objects may be
 * shared and frozen, so changed parts are replaced, never edited): container resources and emptyDir
 * size limits equal to the same container's or volume's in `original` take `original`'s text.
 */
export function keepOriginalSpelling(out: Pod, original: Pod): void {
  const spec = original.spec as Partial<Pod['spec']> | undefined;
  if (!isObject(spec)) return;
  const containers = byName<Container>([spec.containers, spec.initContainers]);
  if (containers.size > 0) {
    for (const c of [...(out.spec.containers ?? []), ...(out.spec.initContainers ?? [])]) {
      const before = containers.get(c.name);
      if (!before || before === c) continue;
      const resources = respellResources(c.resources, before.resources);
      if (resources !== c.resources) c.resources = resources;
    }
  }
  const volumes = byName<Record<string, unknown>>([spec.volumes]);
  if (volumes.size === 0 || !Array.isArray(out.spec.volumes)) return;
  out.spec.volumes = out.spec.volumes.map((v) => {
    const before = volumes.get(v.name);
    if (!before || !isObject(v.emptyDir) || !isObject(before.emptyDir)) return v;
    const emptyDir = respellMap(v.emptyDir, { sizeLimit: before.emptyDir.sizeLimit });
    return emptyDir === v.emptyDir ? v : { ...v, emptyDir };
  });
}

const PROBE_INTS = ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold'];

/**
 * A probe's int32 fields are `omitempty` in Go: istiod's pod never carries a 0 there (the API server
 * defaults it either way). Dropped from the proxy's probes too, so both pods are the same and a pod
 * istiod injected is not patched again for it.
 */
export function dropZeroProbeFields(container: Container): void {
  for (const key of ['readinessProbe', 'livenessProbe', 'startupProbe'] as const) {
    const probe = container[key] as Record<string, unknown> | undefined;
    if (!probe || !PROBE_INTS.some((f) => probe[f] === 0)) continue;
    // the rendered probe may be shared with the render memo (frozen): replace it, never edit it
    container[key] = Object.fromEntries(Object.entries(probe).filter(([f, v]) => !(v === 0 && PROBE_INTS.includes(f))));
  }
}
