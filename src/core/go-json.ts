// JSON the way Go's encoding/json writes Kubernetes structs (fields in struct order, omitempty, pointers
// kept when empty, quantities canonical), from the Go type description generated from Kubernetes' own
// types (gotemplate/data). Used where Istio stores objects inside annotation strings, so that ours read
// the same (proxy.istio.io/overrides).
import { goValue, jsonOf } from './gotemplate/data/index.ts';

/** JSON data with Go's ints (bigint in the Go value model) as numbers. */
function withNumbers(v: unknown): unknown {
  if (typeof v === 'bigint') return Number(v);
  if (Array.isArray(v)) return v.map(withNumbers);
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = withNumbers(x);
    return out;
  }
  return v;
}

/** `value` (JSON of Go type `type`, e.g. "v1.Container") as encoding/json writes it. */
export function goJSON(type: string, value: unknown): unknown {
  return withNumbers(jsonOf(goValue(type, value, false)));
}
