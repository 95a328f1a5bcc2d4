// What a template rendered, as the pod fragment the merge takes: nulls dropped as Go's decoding drops them,
// and only `metadata` and `spec` mappings. Shared by every template.
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
  // a render has few nulls: a subtree without any is kept as it is (the parsed YAML is ours alone), and
  // only the collections on the way to a dropped value are copied
  if (Array.isArray(v)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < v.length; i++) {
      const x: unknown = v[i];
      const keep = x !== null && x !== undefined;
      const y = keep ? withoutNulls(x) : undefined;
      if (out === undefined && (!keep || y !== x)) out = v.slice(0, i);
      if (out !== undefined && keep) out.push(y);
    }
    return out ?? v;
  }
  if (!isObject(v)) return v;
  // anything but a plain object (a Date a YAML timestamp gave) becomes a plain object of its own fields
  let out: Record<string, unknown> | undefined = Object.getPrototypeOf(v) === Object.prototype ? undefined : {};
  const keys = Object.keys(v);
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    const x = v[k];
    const keep = x !== null && x !== undefined && (inMap || x !== '');
    const y = keep ? withoutNulls(x, STRING_MAPS.has(k)) : undefined;
    if (out === undefined && (!keep || y !== x)) {
      out = {};
      for (let j = 0; j < i; j++) setData(out, keys[j]!, v[keys[j]!]);
    }
    if (out !== undefined && keep) setData(out, k, y);
  }
  return out ?? v;
}

/** out[k] = x, a key "__proto__" included (defined as data, as JSON.parse and fromEntries make it). */
function setData(out: Record<string, unknown>, k: string, x: unknown): void {
  if (k === '__proto__') Object.defineProperty(out, k, { value: x, enumerable: true, writable: true, configurable: true });
  else out[k] = x;
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
