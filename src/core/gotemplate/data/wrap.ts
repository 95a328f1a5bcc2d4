// JSON (a pod's encoding/json form, a protobuf message's protojson form) to Go values of a known Go type,
// lazily: a struct, slice or map wraps its JSON and builds its members when a template reaches them.
import { type GoValue, GoTyped } from '../value.ts';
import { GoSlice, GoTypedMap } from './collections.ts';
import { goTypeDesc, type GoTypeDesc } from './go-types.ts';
import { GoNamedInt, GoUint } from './scalars.ts';
import { specialValue } from './specials.ts';
import { GoPointer, GoStruct } from './struct.ts';

const INTEGER = /^-?\d+$/;

/** An integer from JSON: a number, a protojson int64 string, or an enum's name. */
export function intOf(raw: unknown, d?: GoTypeDesc): bigint {
  if (typeof raw === 'bigint') return raw;
  if (typeof raw === 'number') return Number.isFinite(raw) ? BigInt(Math.trunc(raw)) : 0n;
  if (typeof raw === 'boolean') return raw ? 1n : 0n;
  if (typeof raw === 'string') {
    if (INTEGER.test(raw)) return BigInt(raw);
    if (d?.enum) {
      for (const [n, name] of Object.entries(d.enum)) if (name === raw) return BigInt(n);
    }
  }
  return 0n;
}

function floatOf(raw: unknown): number {
  if (typeof raw === 'number') return raw;
  if (typeof raw === 'string') return raw === 'NaN' ? Number.NaN : Number(raw);
  return 0;
}

/**
 * The Go value of type `type` decoded from `raw` (undefined or null: the zero value). `addressable` says
 * whether Go could take its address (reached through a pointer or a slice, not a map or the data itself):
 * pointer-receiver methods, String() among them, need it.
 */
export function goValue(type: string, raw: unknown, addressable: boolean): GoValue {
  const d = goTypeDesc(type);
  switch (d.k) {
    case 'bool':
      return raw === true;
    case 'string':
      if (typeof raw === 'string') return raw;
      if (raw === undefined || raw === null) return '';
      // not String() of an object: a pod's JSON may give it its own `toString` field (`{"toString": 0}` throws)
      return typeof raw === 'object' ? Object.prototype.toString.call(raw) : String(raw);
    case 'int':
      return d.named ? new GoNamedInt(type, intOf(raw, d)) : intOf(raw, d);
    case 'uint':
      return new GoUint(type, intOf(raw, d));
    case 'float':
      return floatOf(raw);
    case 'ptr':
      return new GoPointer(type, raw === null ? undefined : raw);
    case 'slice':
      return new GoSlice(type, Array.isArray(raw) ? raw : typeof raw === 'string' && d.e === 'uint8' ? bytesOf(raw) : undefined);
    case 'map':
      if (type === 'map[string]interface {}' && raw !== null && typeof raw === 'object') return raw as GoValue;
      return new GoTypedMap(type, raw !== null && typeof raw === 'object' ? (raw as Record<string, unknown>) : undefined);
    case 'struct':
      if (d.special !== undefined) return specialValue(type, d.special, raw, addressable);
      return new GoStruct(type, raw !== null && typeof raw === 'object' ? (raw as Record<string, unknown>) : {}, addressable);
    case 'iface':
      return raw === undefined ? null : (raw as GoValue);
  }
}

// []byte arrives base64-encoded in both encoding/json and protojson.
function bytesOf(b64: string): number[] {
  try {
    return Array.from(atob(b64), (c) => c.charCodeAt(0));
  } catch {
    return [];
  }
}

/** encoding/json's view of any value, ints as bigint; map keys sorted as Go sorts them. */
export function jsonOf(v: GoValue): unknown {
  if (v === undefined) return null;
  if (v instanceof GoTyped) return v.toJSONValue();
  if (Array.isArray(v)) return v.map(jsonOf);
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort(goStringOrder)) out[k] = jsonOf(v[k]);
    return out;
  }
  return v;
}

/** A value that protojson can write: protobuf messages and the values inside them. */
export interface ProtoJSONCapable {
  protoJSONValue(): unknown;
}

export function hasProtoJSON(v: unknown): v is ProtoJSONCapable {
  return v instanceof GoTyped && typeof (v as unknown as ProtoJSONCapable).protoJSONValue === 'function';
}

/** protojson's view of a value inside a message (ints of 64 bits as strings, enums by name). */
export function protoJSONOf(v: GoValue): unknown {
  if (hasProtoJSON(v)) return v.protoJSONValue();
  if (typeof v === 'bigint') return Number(v);
  return jsonOf(v);
}

/** protojson of a value of a known Go type inside a message: 64-bit integers as strings. */
export function protoJSONTyped(type: string, v: GoValue): unknown {
  const d = goTypeDesc(type);
  if (d.k === 'ptr' && hasProtoJSON(v)) return v.protoJSONValue();
  if (typeof v === 'bigint') return d.b === 64 ? String(v) : Number(v);
  return protoJSONOf(v);
}

const SURROGATE = /[\uD800-\uDFFF]/;
const utf8 = new TextEncoder();

/** Go orders strings by UTF-8 bytes; JavaScript's UTF-16 order differs only once surrogates are involved. */
export function goStringOrder(a: string, b: string): number {
  if (!SURROGATE.test(a) && !SURROGATE.test(b)) return a < b ? -1 : a > b ? 1 : 0;
  const ea = utf8.encode(a);
  const eb = utf8.encode(b);
  const n = Math.min(ea.length, eb.length);
  for (let i = 0; i < n; i++) if (ea[i] !== eb[i]) return ea[i]! - eb[i]!;
  return ea.length - eb.length;
}
