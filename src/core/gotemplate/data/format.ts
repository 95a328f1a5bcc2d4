// fmt's %v of Go values as text/template prints them. Top level: a pointer is followed and a String()
// method is used when Go can call it (pointer receivers need an addressable value). Nested (inside a
// struct, slice or map) fmt sees copies: pointer-receiver String() is out of reach, and a pointer prints as
// its address. What Go prints but cannot be reproduced here (addresses, protobuf text, Kubernetes' generated
// String()) gives undefined: the caller decides.
import { type GoValue, GoTyped } from '../value.ts';
import { goTypeDesc } from './go-types.ts';
import type { GoStruct } from './struct.ts';
import { goStringOrder } from './wrap.ts';

/** %v of a float64 (strconv 'g', shortest: exponent form below 1e-4 and from 1e21). */
export function formatFloat(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (!Number.isFinite(n)) return n > 0 ? '+Inf' : '-Inf';
  if (n === 0) return Object.is(n, -0) ? '-0' : '0';
  const exp = Math.floor(Math.log10(Math.abs(n)));
  if (exp < -4 || exp >= 21) {
    const [m, e] = n.toExponential().split('e');
    const en = Number(e);
    return `${m}e${en < 0 ? '-' : '+'}${String(Math.abs(en)).padStart(2, '0')}`;
  }
  return String(n);
}

/** What a nil pointer to `elemType` prints: Kubernetes' generated String() says "nil". */
export function formatNilPointer(elemType: string): string | undefined {
  const d = goTypeDesc(elemType);
  if (d.stringer === undefined) return '<nil>';
  return d.proto === undefined && d.special === undefined ? 'nil' : undefined;
}

/** %v of a value at depth > 0. */
export function formatNested(v: GoValue): string | undefined {
  if (v === undefined || v === null) return '<nil>';
  if (typeof v === 'number') return formatFloat(v);
  if (typeof v === 'bigint' || typeof v === 'boolean' || typeof v === 'string') return String(v);
  if (Array.isArray(v)) return joined(v, '[', ']');
  if (!(v instanceof GoTyped)) {
    const keys = Object.keys(v).sort(goStringOrder);
    const parts = keys.map((k) => formatNested(v[k]));
    return parts.includes(undefined) ? undefined : `map[${keys.map((k, i) => `${k}:${parts[i]}`).join(' ')}]`;
  }
  switch (v.kind()) {
    case 'ptr': {
      const elemType = goTypeDesc(v.goType()).e!;
      if (v.isNil()) return formatNilPointer(elemType);
      return undefined; // an address, or a String() of a type this engine does not print
    }
    case 'slice':
      return joined(
        (v.entries() ?? []).map(([, e]) => e),
        '[',
        ']',
      );
    case 'map': {
      const entries = v.entries() ?? [];
      const parts = entries.map(([k, e]) => [formatNested(k), formatNested(e)]);
      return parts.some(([k, e]) => k === undefined || e === undefined) ? undefined : `map[${parts.map(([k, e]) => `${k}:${e}`).join(' ')}]`;
    }
    case 'struct': {
      const stringer = goTypeDesc(v.goType()).stringer;
      if (stringer === 1) return v.formatV();
      if (stringer === 2 && 'fieldValues' in v) return formatFields(v as GoStruct);
      if (stringer === 2) return undefined; // Quantity and friends print their internals
      return 'fieldValues' in v ? formatFields(v as GoStruct) : undefined;
    }
    default:
      return v.formatV();
  }
}

function joined(items: GoValue[], open: string, close: string): string | undefined {
  const parts = items.map(formatNested);
  return parts.includes(undefined) ? undefined : `${open}${parts.join(' ')}${close}`;
}

/** {field field ...} */
export function formatFields(s: GoStruct): string | undefined {
  return joined(s.fieldValues(), '{', '}');
}
