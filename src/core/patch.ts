// The admission patch: an RFC 6902 diff from the pod as received to the injected pod
// (controller-runtime's patch = diff(original, mutated)). managedFields never take part.
import jsonpatch from 'fast-json-patch';
import type { Operation } from 'fast-json-patch';

export type { Operation };

export function createPatch(original: object, injected: object): Operation[] {
  return jsonpatch.compare(original, injected);
}

/** Applies a patch to a copy of `doc` (validating each operation) and returns the result. */
export function applyPatch<T>(doc: T, patch: Operation[]): T {
  return jsonpatch.applyPatch(structuredClone(doc), patch, true, false).newDocument;
}
