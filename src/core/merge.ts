// Strategic merge for pods, as Kubernetes' strategic-merge-patch does with corev1.Pod's patch metadata:
// lists with a merge key merge item by item (in Kubernetes' order); other lists and scalars are
// replaced; `null` deletes; `$patch: replace` / `$patch: delete` directives are honoured.
// Inputs are never modified. The result shares the subtrees of `orig` the patch does not touch (no deep
// copy of a 2,000-entry env list to add one container). From `patch` it shares only frozen subtrees (a
// reused template render; the rule in render/reuse.ts): given a MergeMemo, each is normalised once and
// that frozen copy is what every later merge shares. Other patch data is copied, so the caller may edit it.
import { cloneJson, deepFreeze, isObject, type Json, type JsonObject } from './types.ts';

// path pattern (list fields, `*` = any element) -> merge key, from the Kubernetes API types
const MERGE_KEYS: Record<string, string> = {
  'spec.containers': 'name',
  'spec.initContainers': 'name',
  'spec.ephemeralContainers': 'name',
  'spec.volumes': 'name',
  'spec.imagePullSecrets': 'name',
  'spec.resourceClaims': 'name',
  'spec.schedulingGates': 'name',
  'spec.hostAliases': 'ip',
  'spec.topologySpreadConstraints': 'topologyKey',
  'metadata.ownerReferences': 'uid',
  'container.env': 'name',
  'container.volumeMounts': 'mountPath',
  'container.volumeDevices': 'devicePath',
  'container.ports': 'containerPort',
  'container.resizePolicy': 'resourceName',
};

const CONTAINER_LISTS: ReadonlySet<string> = new Set(['spec.containers', 'spec.initContainers', 'spec.ephemeralContainers']);

function keyOf(path: string): string | undefined {
  return Object.hasOwn(MERGE_KEYS, path) ? MERGE_KEYS[path] : undefined; // a field named `constructor` has no merge key
}

/**
 * Frozen patch subtree -> what merging it onto nothing gives (normalised once, frozen, shared after).
 * Keyed by immutable objects, so the answer cannot differ between calls and merging stays pure. The
 * settings own it (render/reuse.ts).
 */
export type MergeMemo = WeakMap<object, { path: string; value: Json }>;

function ontoNothing<T extends Json[] | JsonObject>(patch: T, path: string, memo: MergeMemo | undefined, build: () => T): T {
  if (!memo || !Object.isFrozen(patch)) return build();
  const hit = memo.get(patch);
  if (hit && hit.path === path) return hit.value as T;
  const value = deepFreeze(build());
  memo.set(patch, { path, value });
  return value;
}

const copyOf = (x: Json): Json => (typeof x !== 'object' || x === null || Object.isFrozen(x) ? x : cloneJson(x));
const withoutDirectives = (patch: Json[]): Json[] => patch.filter((x) => !(isObject(x) && x.$patch !== undefined)).map(copyOf);

/** First index of each id. */
function indexById(list: Json[], idOf: (x: Json) => Json | undefined): Map<Json | undefined, number> {
  const m = new Map<Json | undefined, number>();
  list.forEach((x, i) => {
    const id = idOf(x);
    if (!m.has(id)) m.set(id, i);
  });
  return m;
}

function mergeList(orig: Json[], patch: Json[], path: string, memo: MergeMemo | undefined): Json[] {
  const key = keyOf(path);
  if (!key) return withoutDirectives(patch);
  const childPath = CONTAINER_LISTS.has(path) ? 'container' : `${path}.*`;
  const idOf = (x: Json): Json | undefined => (isObject(x) ? x[key] : undefined);
  if (patch.some((x) => isObject(x) && x.$patch === 'replace')) return withoutDirectives(patch);
  let server = orig;
  const items: JsonObject[] = [];
  for (const item of patch) {
    if (!isObject(item)) continue;
    if (item.$patch === 'delete') server = server.filter((x) => idOf(x) !== item[key]);
    else items.push(item);
  }
  const merged = server.slice();
  const at = indexById(merged, idOf);
  for (const item of items) {
    const i = at.get(item[key]);
    if (i !== undefined) merged[i] = mergeMap(merged[i] as JsonObject, item, childPath, memo);
    else {
      at.set(item[key], merged.length);
      merged.push(mergeMap({}, item, childPath, memo));
    }
  }
  // onto nothing, the items are in the patch's order already (each id where it first appears)
  if (orig.length === 0) return merged;
  // Order as Kubernetes' strategic merge does: items named in the patch in patch order, with the
  // items only the original has woven back in where their original order says they belong.
  const patchAt = indexById(items, idOf);
  const inPatch = merged.filter((x) => patchAt.has(idOf(x))).sort((a, b) => patchAt.get(idOf(a))! - patchAt.get(idOf(b))!);
  const serverOnly = merged.filter((x) => !patchAt.has(idOf(x)));
  const origAt = indexById(orig, idOf);
  const out: Json[] = [];
  let i = 0;
  let j = 0;
  while (i < serverOnly.length || j < inPatch.length) {
    if (j >= inPatch.length) out.push(serverOnly[i++]!);
    else if (i >= serverOnly.length) out.push(inPatch[j++]!);
    else {
      const li = origAt.get(idOf(serverOnly[i]!));
      const ri = origAt.get(idOf(inPatch[j]!));
      out.push(li !== undefined && ri !== undefined && li < ri ? serverOnly[i++]! : inPatch[j++]!);
    }
  }
  return out;
}

/** Merges `patch` onto `orig` (neither is modified). `path` names the object for merge-key lookup. */
export function mergeMap(orig: JsonObject, patch: JsonObject, path = '', memo?: MergeMemo): JsonObject {
  if (patch.$patch === 'replace') {
    const { $patch: _, ...rest } = patch;
    return cloneJson(rest as JsonObject);
  }
  if (Object.keys(orig).length === 0) return ontoNothing(patch, path, memo, () => mergeInto({}, patch, path, memo));
  return mergeInto({ ...orig }, patch, path, memo);
}

function mergeInto(out: JsonObject, patch: JsonObject, path: string, memo: MergeMemo | undefined): JsonObject {
  for (const [k, v] of Object.entries(patch)) {
    if (k.startsWith('$')) continue;
    const childPath = path === '' ? k : `${path}.${k}`;
    if (v === null) {
      delete out[k];
    } else if (Array.isArray(v)) {
      const cur = out[k];
      out[k] = Array.isArray(cur) ? mergeList(cur, v, childPath, memo) : ontoNothing(v, childPath, memo, () => mergeList([], v, childPath, memo));
    } else if (isObject(v)) {
      const cur = out[k];
      out[k] = mergeMap(isObject(cur) ? (cur as JsonObject) : {}, v as JsonObject, childPath, memo);
    } else {
      out[k] = v;
    }
  }
  return out;
}
