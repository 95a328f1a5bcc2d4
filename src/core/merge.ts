// Strategic merge for pods, as Kubernetes' strategic-merge-patch does with corev1.Pod's patch metadata:
// lists with a merge key merge item by item (original order kept, new items appended); other lists and
// scalars are replaced; `null` deletes; `$patch: replace` / `$patch: delete` directives are honoured.
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
  const out = orig.map((x) => cloneJson(x));
  for (const item of patch) {
    if (!isObject(item)) continue;
    const id = item[key];
    const at = out.findIndex((x) => isObject(x) && x[key] === id);
    if (item.$patch === 'delete') {
      if (at >= 0) out.splice(at, 1);
      continue;
    }
    if (at >= 0) out[at] = mergeMap(out[at] as JsonObject, item, childPath);
    else out.push(mergeMap({}, item, childPath));
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
