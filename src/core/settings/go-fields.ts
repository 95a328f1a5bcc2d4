// How Istio's YAML reader (sigs.k8s.io/yaml, then Go's encoding/json) matches a document's keys to struct
// fields: an exact name first, else a case-insensitive one (`Policy` sets policy); a key matching no field
// is dropped. The YAML goes through a Go map to JSON, so keys come in byte order, and the last key for a
// field wins (`Policy` and `policy` both given: `policy`, checked against istiod). We read it the same way.

import { clip } from '../clip.ts';

// Go folds the Kelvin sign and the long s too (unicode.SimpleFold), which toLowerCase alone does not
const fold = (k: string): string => k.replaceAll('\u212a', 'k').replaceAll('\u017f', 's').toLowerCase();

/** UTF-8 byte order (Go's for map keys), which is code point order; JS's < compares UTF-16 units. */
function byCodePoint(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i]!.codePointAt(0)! - y[i]!.codePointAt(0)!;
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

/**
 * `doc` with each key spelled as the field it sets among `fields`; `warnings` gets each key read under
 * another spelling and each key dropped (`where`: the path of `doc`, for the message).
 */
export function goFields(doc: Record<string, unknown>, fields: readonly string[], where: string, warnings: string[]): Record<string, unknown> {
  const byFold = new Map(fields.map((f) => [fold(f), f]));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(doc).sort(([a], [b]) => byCodePoint(a, b))) {
    const field = fields.includes(k) ? k : byFold.get(fold(k));
    if (field === undefined) {
      warnings.push(`${where}${clip(k)}: unknown field, ignored as Istio ignores it`);
      continue;
    }
    if (field !== k) warnings.push(`${where}${clip(k)}: read as ${field}, as Istio reads field names without regard to case`);
    out[field] = v; // the last key (in byte order) for a field wins
  }
  return out;
}
