// Strategic merge for pods, as Kubernetes' strategic-merge-patch does with corev1.Pod's patch metadata:
// lists with a merge key merge item by item (in Kubernetes' order); other lists and scalars are
// replaced; `null` deletes; `$patch: replace` / `$patch: delete` directives are honoured.
// Inputs are never modified. The result shares the subtrees of `orig` the patch does not touch (no deep
// copy of a 2,000-entry env list to add one container) and never shares anything with `patch`.
import { cloneJson, isObject, type Json, type JsonObject } from './types.ts';

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

const CONTAINER_LISTS = new Set(['spec.containers', 'spec.initContainers', 'spec.ephemeralContainers']);

function keyOf(path: string): string | undefined {
  return MERGE_KEYS[path];
}

function mergeList(orig: Json[], patch: Json[], path: string): Json[] {
  const key = keyOf(path);
  if (!key) return patch.filter((x) => !(isObject(x) && x.$patch !== undefined)).map((x) => cloneJson(x));
  const childPath = CONTAINER_LISTS.has(path) ? 'container' : `${path}.*`;
  const idOf = (x: Json): Json | undefined => (isObject(x) ? x[key] : undefined);
  if (patch.some((x) => isObject(x) && x.$patch === 'replace')) {
    return patch.filter((x) => !(isObject(x) && x.$patch !== undefined)).map((x) => cloneJson(x));
  }
  let server = orig.slice();
  const items: JsonObject[] = [];
  for (const item of patch) {
    if (!isObject(item)) continue;
    if (item.$patch === 'delete') server = server.filter((x) => idOf(x) !== item[key]);
    else items.push(item);
  }
  const merged = server.slice();
  for (const item of items) {
    const at = merged.findIndex((x) => idOf(x) === item[key]);
    if (at >= 0) merged[at] = mergeMap(merged[at] as JsonObject, item, childPath);
    else merged.push(mergeMap({}, item, childPath));
  }
  // Order as Kubernetes' strategic merge does: items named in the patch in patch order, with the
  // items only the original has woven back in where their original order says they belong.
  const patchIds = items.map((x) => x[key]);
  const inPatch = merged.filter((x) => patchIds.includes(idOf(x) as Json)).sort((a, b) => patchIds.indexOf(idOf(a) as Json) - patchIds.indexOf(idOf(b) as Json));
  const serverOnly = merged.filter((x) => !patchIds.includes(idOf(x) as Json));
  const origIds = orig.map(idOf);
  const out: Json[] = [];
  let i = 0;
  let j = 0;
  while (i < serverOnly.length || j < inPatch.length) {
    if (j >= inPatch.length) out.push(serverOnly[i++]!);
    else if (i >= serverOnly.length) out.push(inPatch[j++]!);
    else {
      const li = origIds.indexOf(idOf(serverOnly[i]!));
      const ri = origIds.indexOf(idOf(inPatch[j]!));
      out.push(li >= 0 && ri >= 0 && li < ri ? serverOnly[i++]! : inPatch[j++]!);
    }
  }
  return out;
}

/** Merges `patch` onto `orig` (neither is modified). `path` names the object for merge-key lookup. */
export function mergeMap(orig: JsonObject, patch: JsonObject, path = ''): JsonObject {
  if (patch.$patch === 'replace') {
    const { $patch: _, ...rest } = patch;
    return cloneJson(rest as JsonObject);
  }
  const out: JsonObject = { ...orig };
  for (const [k, v] of Object.entries(patch)) {
    if (k.startsWith('$')) continue;
    const childPath = path === '' ? k : `${path}.${k}`;
    if (v === null) {
      delete out[k];
    } else if (Array.isArray(v)) {
      const cur = out[k];
      out[k] = mergeList(Array.isArray(cur) ? cur : [], v, childPath);
    } else if (isObject(v)) {
      const cur = out[k];
      out[k] = mergeMap(isObject(cur) ? (cur as JsonObject) : {}, v as JsonObject, childPath);
    } else {
      out[k] = v;
    }
  }
  return out;
}
