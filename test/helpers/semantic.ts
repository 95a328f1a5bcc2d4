// Semantic comparison with Istio's Go-serialized goldens: Go drops empty values (omitempty) and writes
// quantities canonically, so both sides are normalised the same way before a deep-equal.
import { canonicalQuantity } from '../../src/core/quantity.ts';

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Removes null, {}, [] and "creationTimestamp: null"; canonicalises resources quantities. */
export function normalize(v: unknown, key = '', parentKey = ''): unknown {
  if (Array.isArray(v)) {
    const items = v.map((x) => normalize(x, '', key));
    return items;
  }
  if (isPlainObject(v)) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) {
      const n = normalize(v[k], k, key);
      if (n === null || n === undefined) continue;
      if (isPlainObject(n) && Object.keys(n).length === 0) continue;
      if (Array.isArray(n) && n.length === 0) continue;
      out[k] = n;
    }
    return out;
  }
  if ((parentKey === 'limits' || parentKey === 'requests') && (typeof v === 'string' || typeof v === 'number')) {
    return canonicalQuantity(String(v));
  }
  return v;
}
