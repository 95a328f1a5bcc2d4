// The admission patch: an RFC 6902 diff from the pod as received to the injected pod
// (controller-runtime's patch = diff(original, mutated)). managedFields never take part.
//
// The diff makes the same operations as fast-json-patch's `compare` (test/core/patch.test.ts holds them
// to it), with two differences that matter on the hot path: subtrees the injection left alone are the
// same objects in both pods and are skipped without a walk, and added or replaced values are not
// deep-copied (compare clones each one; the webhook serialises them at once). So the operations share
// their values with `injected`: read them, do not edit them. fast-json-patch applies and validates.
import jsonpatch from 'fast-json-patch';
import type { Operation } from 'fast-json-patch';

export type { Operation };

type Node = Record<string, unknown> | unknown[];

const escapeKey = (k: string): string => (k.includes('/') || k.includes('~') ? k.replace(/~/g, '~0').replace(/\//g, '~1') : k);
const isNode = (v: unknown): v is Node => typeof v === 'object' && v !== null;
const keysOf = (v: Node): string[] => {
  if (!Array.isArray(v)) return Object.keys(v);
  const keys = new Array<string>(v.length);
  for (let i = 0; i < v.length; i++) keys[i] = String(i);
  return keys;
};
const has = (v: Node, k: string): boolean => Object.hasOwn(v, k);

function diff(before: Node, after: Node, path: string, ops: Operation[]): void {
  if (before === after) return;
  const a = before as Record<string, unknown>;
  const b = after as Record<string, unknown>;
  const oldKeys = keysOf(before);
  const newKeys = keysOf(after);
  const afterIsArray = Array.isArray(after);
  let deleted = false;
  // removals and replacements last key first, so array indexes still hold when the API server applies them
  for (let t = oldKeys.length - 1; t >= 0; t--) {
    const key = oldKeys[t]!;
    const was = a[key];
    if (has(after, key) && !(b[key] === undefined && was !== undefined && !afterIsArray)) {
      const now = b[key];
      if (was === now) continue; // shared or equal scalar: nothing to say, and no path to build
      if (isNode(was) && isNode(now) && Array.isArray(was) === Array.isArray(now)) diff(was, now, `${path}/${escapeKey(key)}`, ops);
      else ops.push({ op: 'replace', path: `${path}/${escapeKey(key)}`, value: now });
    } else if (Array.isArray(before) === afterIsArray) {
      ops.push({ op: 'remove', path: `${path}/${escapeKey(key)}` });
      deleted = true;
    } else {
      ops.push({ op: 'replace', path, value: after });
    }
  }
  if (!deleted && newKeys.length === oldKeys.length) return;
  for (const key of newKeys) {
    if (!has(before, key) && b[key] !== undefined) ops.push({ op: 'add', path: `${path}/${escapeKey(key)}`, value: b[key] });
  }
}

export function createPatch(original: object, injected: object): Operation[] {
  const ops: Operation[] = [];
  diff(original as Node, injected as Node, '', ops);
  return ops;
}

/** Applies a patch to a copy of `doc` (validating each operation) and returns the result, sharing nothing with either. */
export function applyPatch<T>(doc: T, patch: Operation[]): T {
  return jsonpatch.applyPatch(structuredClone(doc), structuredClone(patch), true, false).newDocument;
}
