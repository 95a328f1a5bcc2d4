// Where a node of the rendered YAML lands in the pod (its field path), and what a pod value that reads
// as null does there. istiod's strategic merge patch reads null as "no such field": harmless as a struct
// field's value (the field is absent, as in istiod), but a null list item, a null map value (it deletes
// that key from the pod) or a null merge key (`- name: null`: istiod adds a nameless container instead
// of merging) changes the pod's structure, so a pod value may not make one.
import type { FieldPath } from './types.ts';
import type { ParsedYaml } from './yaml-nodes.ts';

// the keys Kubernetes merges list items by (corev1's patchMergeKey tags on the lists a pod has)
const MERGE_KEY_NAMES: ReadonlySet<string> = new Set([
  'name',
  'containerPort',
  'mountPath',
  'ip',
  'topologyKey',
  'uid',
  'devicePath',
  'resourceName',
]);
// maps of the pod (Go maps, not structs) whose values a null would delete
const MAP_FIELDS: ReadonlySet<string> = new Set([
  'labels',
  'annotations',
  'nodeSelector',
  'limits',
  'requests',
  'overhead',
  'volumeAttributes',
  'data',
]);

/** Node i, or the node js-yaml reported around it with the same range (a block item is reported twice). */
export function outermost(parsed: ParsedYaml, i: number): number {
  for (let n = 0; n < 8; n++) {
    const node = parsed.nodes[i]!;
    const parent = parsed.nodes[node.parent];
    if (parent === undefined || parent.kind !== node.kind || parent.start !== node.start || parent.end !== node.end) break;
    i = node.parent;
  }
  return i;
}

/** The key node of the mapping pair whose value is node i, or -1. */
function keyNodeOf(parsed: ParsedYaml, i: number): number {
  const n = parsed.nodes[i]!;
  if (n.parent < 0 || n.index % 2 === 0 || parsed.nodes[n.parent]!.kind !== 'mapping') return -1;
  for (let k = i - 1; k > n.parent; k--) {
    const m = parsed.nodes[k]!;
    if (m.parent === n.parent && m.index === n.index - 1) return k;
  }
  return -1;
}

/** The field path of node i: mapping keys as strings, list positions as numbers. */
export function nodePath(parsed: ParsedYaml, i: number): FieldPath {
  const path: FieldPath = [];
  for (let at = i, guard = 0; at >= 0 && parsed.nodes[at]!.parent >= 0 && guard < 256; at = parsed.nodes[at]!.parent, guard++) {
    const n = parsed.nodes[at]!;
    const parent = parsed.nodes[n.parent]!;
    if (parent.kind === 'sequence') path.push(n.index);
    else if (n.index % 2 === 1) path.push(String(parsed.nodes[keyNodeOf(parsed, at)]?.result));
  }
  return path.reverse();
}

/** The node at a field path of the first document, or -1. A key given twice: the last, as the data has it. */
export function nodeAtPath(parsed: ParsedYaml, path: FieldPath): number {
  const { nodes } = parsed;
  let at = nodes.findIndex((n) => n.parent < 0);
  for (const step of path) {
    if (at < 0) return -1;
    const parent = at;
    let found = -1;
    for (let i = parent + 1; i < nodes.length && nodes[i]!.start <= nodes[parent]!.end; i++) {
      const n = nodes[i]!;
      if (n.parent !== parent) continue;
      if (typeof step === 'number' ? n.index === step : n.index % 2 === 0 && String(n.result) === step) found = i;
    }
    if (found < 0) return -1;
    if (typeof step === 'number') at = found;
    else {
      const keyIndex = nodes[found]!.index;
      at = nodes.findIndex((n, i) => i > found && n.parent === parent && n.index === keyIndex + 1);
    }
  }
  return at;
}

/** Why a pod value that made node i null changes structure where it landed, or undefined. */
export function nullViolation(parsed: ParsedYaml, at: number): string | undefined {
  const i = outermost(parsed, at);
  const n = parsed.nodes[i]!;
  if (n.result !== null || n.parent < 0) return undefined;
  const parent = parsed.nodes[n.parent]!;
  if (parent.kind === 'sequence') return 'makes a null list item, which istiod writes as an empty value';
  if (parent.kind !== 'mapping' || n.index % 2 === 0) return undefined;
  const path = nodePath(parsed, i);
  const key = path[path.length - 1];
  if (typeof path[path.length - 2] === 'number' && typeof key === 'string' && MERGE_KEY_NAMES.has(key))
    return `makes the list item's ${key} null, so istiod would add an item rather than merge it`;
  const owner = path[path.length - 2];
  if (typeof owner === 'string' && MAP_FIELDS.has(owner)) return `makes a null ${owner} value, which deletes that key from the pod`;
  return undefined;
}
