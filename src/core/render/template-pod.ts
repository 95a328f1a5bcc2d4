// What a template rendered, as the pod fragment the merge takes: nulls dropped as Go's decoding drops them,
// and only `metadata` and `spec` mappings. Shared by the Liquid and the Go engine.
import { InjectionError } from '../errors.ts';
import { isObject, type JsonObject } from '../types.ts';
import type { Rendered } from './reuse.ts';

// Go maps keep an empty string value; every other string field of the pod's types is `omitempty`
const STRING_MAPS: ReadonlySet<string> = new Set(['labels', 'annotations', 'nodeSelector', 'volumeAttributes', 'data']);

/**
 * What istiod's render becomes once decoded into Go's Pod: nulls gone, and an empty string in a struct
 * field gone too (`omitempty`), e.g. `configMap: {name: ""}` is `configMap: {}`. So our pod is the same,
 * and a pod istiod injected is not patched again to add `name: ""`.
 */
function withoutNulls(v: unknown, inMap = false): unknown {
  // loops, not entries/filter/map/fromEntries: this walks every render that is not reused
  if (Array.isArray(v)) {
    const out: unknown[] = [];
    for (const x of v) if (x !== null && x !== undefined) out.push(withoutNulls(x));
    return out;
  }
  if (isObject(v)) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v)) {
      const x = v[k];
      if (x === null || x === undefined || (!inMap && x === '')) continue;
      const kept = withoutNulls(x, STRING_MAPS.has(k));
      // a key "__proto__" is data here, as fromEntries made it: defined, not assigned
      if (k === '__proto__') Object.defineProperty(out, k, { value: kept, enumerable: true, writable: true, configurable: true });
      else out[k] = kept;
    }
    return out;
  }
  return v;
}

/** The parsed render of template `name` (`size`: its text's length) as a pod fragment, or TEMPLATE_NOT_POD. */
export function asTemplatePod(name: string, doc: unknown, size: number): Rendered {
  const out = withoutNulls(doc);
  if (out === null || out === undefined) return { out: {}, size };
  if (!isObject(out) || Object.keys(out).some((k) => k !== 'metadata' && k !== 'spec')) {
    throw new InjectionError(
      'TEMPLATE_NOT_POD',
      `injection template "${name}" did not render to a pod (want a mapping with only metadata and spec)`,
      name,
    );
  }
  if (
    (out.spec !== undefined && out.spec !== null && !isObject(out.spec)) ||
    (out.metadata !== undefined && out.metadata !== null && !isObject(out.metadata))
  ) {
    throw new InjectionError('TEMPLATE_NOT_POD', `injection template "${name}" did not render to a pod (metadata and spec must be mappings)`, name);
  }
  return { out: out as JsonObject, size };
}
