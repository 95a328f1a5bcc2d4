// spf13/cast (v1.10.0, the version istiod links) as sprig uses it, Go's strconv number parsing, sprig's
// `empty` and reflect.DeepEqual on the value model.
import { GoTyped, type GoValue, isGoMap, untaint } from '../value.ts';

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

/** Go's int64(f) on amd64: truncation; NaN and out-of-range give the "integer indefinite" -2^63. */
export function floatToInt64(f: number): bigint {
  if (!Number.isFinite(f) || f >= 2 ** 63 || f < -(2 ** 63)) return INT64_MIN;
  return BigInt(Math.trunc(f));
}

/** Go's two's-complement wrap of an integer to int64. */
export const wrapInt64 = (n: bigint): bigint => BigInt.asIntN(64, n);

/** strconv's underscoreOK: "_" only between digits, or between a base prefix and a digit. */
function underscoreOK(s: string): boolean {
  let saw = '^';
  let i = 0;
  const t = s[0] === '+' || s[0] === '-' ? s.slice(1) : s;
  let hex = false;
  if (t.length >= 2 && t[0] === '0' && 'box'.includes(t[1]!.toLowerCase())) {
    i = 2;
    saw = '0';
    hex = t[1]!.toLowerCase() === 'x';
  }
  for (; i < t.length; i++) {
    const c = t[i]!;
    if ((c >= '0' && c <= '9') || (hex && /[a-fA-F]/.test(c))) saw = '0';
    else if (c === '_') {
      if (saw !== '0') return false;
      saw = '_';
    } else {
      if (saw === '_') return false;
      saw = '!';
    }
  }
  return saw !== '_';
}

/** The digits of an unsigned Go integer literal (base 0: prefix and "_" as strconv allows; base 8 or 10: digits only). */
function unsignedMagnitude(s: string, base: 0 | 8 | 10): bigint | undefined {
  if (s === '') return undefined;
  let t = s;
  let radix: number = base === 0 ? 10 : base;
  if (base === 0 && t[0] === '0') {
    const p = t.length >= 3 ? t[1]!.toLowerCase() : '';
    radix = p === 'x' ? 16 : p === 'b' ? 2 : 8;
    t = p === 'x' || p === 'b' || p === 'o' ? t.slice(2) : t.slice(1);
  }
  let n = 0n;
  let underscores = false;
  for (const c of t) {
    if (c === '_' && base === 0) {
      underscores = true;
      continue;
    }
    const d = /^[0-9a-zA-Z]$/.test(c) ? Number.parseInt(c, 36) : 99;
    if (d >= radix) return undefined;
    n = n * BigInt(radix) + BigInt(d);
  }
  if (underscores && !underscoreOK(s)) return undefined;
  return n;
}

/**
 * strconv.ParseInt(s, 0, 64) (base from the prefix, "_" between digits) or, with base 10, strconv.ParseInt
 * (s, 10, 64): the value, 'range' when it does not fit, undefined on a syntax error.
 */
export function parseGoInt(s: string, base: 0 | 8 | 10 = 0): bigint | 'range' | undefined {
  const signed = s[0] === '+' || s[0] === '-';
  const m = unsignedMagnitude(signed ? s.slice(1) : s, base);
  if (m === undefined) return undefined;
  const n = s[0] === '-' ? -m : m;
  return n < INT64_MIN || n > INT64_MAX ? 'range' : n;
}

/** strconv.ParseUint(s, 0, 64) succeeds. */
export function fitsUint64(s: string): boolean {
  const m = unsignedMagnitude(s, 0);
  return m !== undefined && m <= UINT64_MAX;
}

const DEC = '[0-9]+(?:_[0-9]+)*';
const DECIMAL_FLOAT = new RegExp(String.raw`^[+-]?(?:${DEC}(?:\.(?:${DEC})?)?|\.${DEC})(?:[eE][+-]?${DEC})?$`);
const HEX = '[0-9a-fA-F]+(?:_[0-9a-fA-F]+)*';
const HEX_FLOAT = new RegExp(String.raw`^([+-]?)0[xX]_?(${HEX})?(?:\.(${HEX})?)?[pP]([+-]?${DEC})$`);

/** strconv.ParseFloat(s, 64): the value, or undefined on a syntax or range error. */
export function parseGoFloat(s: string): number | undefined {
  if (/^[+-]?(inf|infinity)$/i.test(s)) return s.startsWith('-') ? -Infinity : Infinity;
  if (/^nan$/i.test(s)) return Number.NaN;
  let f: number;
  const hex = HEX_FLOAT.exec(s);
  if (hex) {
    const [, sign, int = '', frac = '', exp] = hex;
    if (int === '' && frac === '') return undefined;
    const mantissa = BigInt(`0x${(int + frac).replace(/_/g, '') || '0'}`);
    f = Number(mantissa) * 2 ** (Number(exp!.replace(/_/g, '')) - 4 * frac.replace(/_/g, '').length);
    if (sign === '-') f = -f;
  } else if (DECIMAL_FLOAT.test(s)) {
    f = Number(s.replace(/_/g, ''));
  } else return undefined;
  return Number.isFinite(f) ? f : undefined;
}

/** cast's trimDecimal: "12.5" -> "12", "-.5" -> "-0"; strings that are not such a number unchanged. */
function trimDecimal(s: string): string {
  if (!s.includes('.')) return s;
  const m = /^([-+]?\d*)(\.\d*)?$/.exec(s);
  if (!m) return s;
  const int = m[1]!;
  return int === '-' || int === '+' ? `${int}0` : int === '' ? '0' : int;
}

/** The basic value inside a typed scalar (named int, enum...), else the value itself. */
function basic(v: GoValue): GoValue {
  const x = untaint(v);
  if (x instanceof GoTyped && ['bool', 'int', 'uint', 'float', 'string'].includes(x.kind())) return x.scalar();
  return x;
}

/** cast.ToInt64 (errors give 0, as sprig ignores them). */
export function toInt64(v: GoValue): bigint {
  const x = basic(v);
  switch (typeof x) {
    case 'bigint':
      return wrapInt64(x);
    case 'number':
      return floatToInt64(x);
    case 'boolean':
      return x ? 1n : 0n;
    case 'string': {
      if (x === '') return 0n;
      const n = parseGoInt(trimDecimal(x));
      return typeof n === 'bigint' ? n : 0n;
    }
  }
  return 0n;
}

/** cast.ToFloat64 (errors give 0). */
export function toFloat64(v: GoValue): number {
  const x = basic(v);
  switch (typeof x) {
    case 'bigint':
      return Number(x);
    case 'number':
      return x;
    case 'boolean':
      return x ? 1 : 0;
    case 'string':
      return x === '' ? 0 : (parseGoFloat(x) ?? 0);
  }
  return 0;
}

/** sprig's empty: nil, the zero number, false, "", and empty slices and maps; structs never. */
export function isEmpty(v: GoValue): boolean {
  const x = untaint(v);
  switch (typeof x) {
    case 'undefined':
      return true;
    case 'boolean':
      return !x;
    case 'string':
      return x.length === 0;
    case 'number':
      return x === 0;
    case 'bigint':
      return x === 0n;
  }
  if (x === null) return true;
  if (Array.isArray(x)) return x.length === 0;
  if (isGoMap(x)) return Object.keys(x).length === 0;
  switch (x.kind()) {
    case 'struct':
      return false;
    case 'slice':
    case 'map':
      return (x.entries() ?? []).length === 0;
    case 'bool':
    case 'int':
    case 'uint':
    case 'float':
    case 'string':
      return isEmpty(x.scalar());
  }
  return x.isNil();
}

/** reflect.DeepEqual on the value model: same Go type and equal contents (typed values by type and JSON). */
export function deepEqual(a: GoValue, b: GoValue): boolean {
  const x = untaint(a);
  const y = untaint(b);
  if (x === y) return !(typeof x === 'number' && Number.isNaN(x));
  if (x === null || y === null || x === undefined || y === undefined) return false;
  if (typeof x !== typeof y) return false;
  if (Array.isArray(x)) return Array.isArray(y) && x.length === y.length && x.every((e, i) => deepEqual(e, y[i]));
  if (isGoMap(x)) {
    if (!isGoMap(y)) return false;
    const keys = Object.keys(x);
    return keys.length === Object.keys(y).length && keys.every((k) => Object.hasOwn(y, k) && deepEqual(x[k], y[k]));
  }
  if (x instanceof GoTyped && y instanceof GoTyped) {
    if (x.goType() !== y.goType()) return false;
    return JSON.stringify(x.toJSONValue(), jsonBigint) === JSON.stringify(y.toJSONValue(), jsonBigint);
  }
  return false;
}

const jsonBigint = (_k: string, v: unknown): unknown => (typeof v === 'bigint' ? `${v}n` : v);
