// Go's encoding/json on the value model: Marshal (HTML-escaped, map keys in Go's byte order, Go's float
// format, ints exact), MarshalIndent, an Encoder without HTML escaping, and Unmarshal into interface{}.
import { checkTree } from '../../tree-limits.ts';
import { GoTyped, type GoValue, Tainted } from '../value.ts';
import { compareGoStrings, shortestDigits, wellFormed } from './format.ts';
import { checkGoJSON } from './json-scan.ts';
import { GoSlice, GoStringMap } from './typed.ts';

export interface JSONOptions {
  /** Escape <, > and & as \u003c... (json.Marshal does; an Encoder with SetEscapeHTML(false) does not). */
  escapeHTML: boolean;
  /** MarshalIndent's indent ("" for compact). */
  indent: string;
}

/** Go's "json: unsupported value: NaN" (and ±Inf): Marshal fails on them. */
export class JSONUnsupportedValue extends Error {}

const HEX = '0123456789abcdef';

/** A JSON string as encoding/json writes it. */
export function goJSONString(s: string, escapeHTML: boolean): string {
  let out = '"';
  let start = 0;
  const str = wellFormed(s);
  for (let i = 0; i < str.length; i++) {
    const c = str.charCodeAt(i);
    let esc: string | undefined;
    if (c < 0x20) {
      esc =
        c === 0x08 ? '\\b' : c === 0x0c ? '\\f' : c === 0x0a ? '\\n' : c === 0x0d ? '\\r' : c === 0x09 ? '\\t' : `\\u00${HEX[c >> 4]}${HEX[c & 15]}`;
    } else if (c === 0x22) esc = '\\"';
    else if (c === 0x5c) esc = '\\\\';
    else if (escapeHTML && (c === 0x3c || c === 0x3e || c === 0x26)) esc = `\\u00${HEX[c >> 4]}${HEX[c & 15]}`;
    else if (c === 0x2028 || c === 0x2029) esc = `\\u${c.toString(16)}`;
    if (esc !== undefined) {
      out += str.slice(start, i) + esc;
      start = i + 1;
    }
  }
  return `${out + str.slice(start)}"`;
}

/** A float64 as encoding/json writes it: shortest digits, %e below 1e-6 and from 1e21 ("1e-7", "1e+21"). */
export function goJSONFloat(f: number): string {
  if (!Number.isFinite(f)) throw new JSONUnsupportedValue(`json: unsupported value: ${Number.isNaN(f) ? 'NaN' : f > 0 ? '+Inf' : '-Inf'}`);
  if (f === 0) return Object.is(f, -0) ? '-0' : '0';
  const abs = Math.abs(f);
  if (abs < 1e-6 || abs >= 1e21) {
    const { digits, exp } = shortestDigits(f);
    const frac = digits.length > 1 ? `.${digits.slice(1)}` : '';
    const e = Math.abs(exp);
    return `${f < 0 ? '-' : ''}${digits[0]}${frac}e${exp < 0 ? '-' : '+'}${exp < 0 ? e : String(e).padStart(2, '0')}`;
  }
  return String(f);
}

/** json.Marshal / MarshalIndent of a value; throws JSONUnsupportedValue for NaN and infinities. */
export function goJSON(v: GoValue, opts: JSONOptions = { escapeHTML: true, indent: '' }): string {
  return encode(v, opts, '', true);
}

/** Encodes a value of the model (sorted map keys) or, with model=false, plain JSON data in its own order. */
function encode(v: unknown, opts: JSONOptions, prefix: string, model: boolean): string {
  switch (typeof v) {
    case 'undefined':
      return 'null';
    case 'boolean':
      return v ? 'true' : 'false';
    case 'string':
      return goJSONString(v, opts.escapeHTML);
    case 'number':
      return goJSONFloat(v);
    case 'bigint':
      return v.toString();
  }
  if (v === null) return 'null';
  if (v instanceof Tainted) return encode(v.value, opts, prefix, model); // a pod's value inside the model's data
  // the functions' own typed results hold values of the model: their maps' keys are sorted too
  if (v instanceof GoSlice) return v.nil ? 'null' : encode(v.items, opts, prefix, true);
  if (v instanceof GoStringMap) return encode(v.toJSONValue(), opts, prefix, true);
  if (v instanceof GoTyped) return encode(v.toJSONValue(), opts, prefix, false);
  const inner = prefix + opts.indent;
  const nl = opts.indent === '' ? '' : `\n${inner}`;
  const close = opts.indent === '' ? '' : `\n${prefix}`;
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    return `[${nl}${v.map((x) => encode(x, opts, inner, model)).join(`,${nl}`)}${close}]`;
  }
  if (typeof v !== 'object') throw new Error(`json: unsupported type ${typeof v}`);
  const obj = v as Record<string, unknown>;
  const keys = Object.keys(obj);
  if (model) keys.sort(compareGoStrings);
  if (keys.length === 0) return '{}';
  const sep = opts.indent === '' ? ':' : ': ';
  return `{${nl}${keys.map((k) => goJSONString(k, opts.escapeHTML) + sep + encode(obj[k], opts, inner, model)).join(`,${nl}`)}${close}}`;
}

/** Replaces lone surrogates (Go decodes an unpaired \ud800 escape to U+FFFD) in every string, iteratively. */
function goStrings(root: unknown): unknown {
  const fix = (x: unknown): unknown => (typeof x === 'string' ? wellFormed(x) : x);
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const node = stack.pop();
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) {
        node[i] = fix(node[i]);
        stack.push(node[i]);
      }
    } else if (node !== null && typeof node === 'object') {
      const obj = node as Record<string, unknown>;
      for (const k of Object.keys(obj)) {
        const key = wellFormed(k);
        const val = fix(obj[k]);
        if (key !== k) delete obj[k];
        obj[key] = val;
        stack.push(val);
      }
    }
  }
  return fix(root);
}

/**
 * json.Unmarshal into interface{}: numbers float64, objects map[string]interface{}; Go's error text when it
 * fails (checkGoJSON's syntax errors, a number out of float64 range). Throws LIMIT_EXCEEDED past the nesting
 * and size caps (src/core/limits.ts: Go's own depth limit is 10000).
 */
export function goJSONUnmarshal(text: string, what: string): { value: GoValue; error?: string } | { error: string } {
  let value: unknown;
  let outOfRange: string | undefined;
  try {
    // Go stores nil for a number out of range, keeps decoding, and reports the first one
    value = JSON.parse(text, (_k, x, context?: { source?: string }) => {
      if (typeof x !== 'number' || Number.isFinite(x)) return x;
      outOfRange ??= context?.source ?? String(x);
      return null;
    });
  } catch {
    try {
      checkGoJSON(text);
    } catch (e) {
      return { error: (e as Error).message };
    }
    return { error: 'invalid JSON' };
  }
  checkTree(value, what);
  const decoded = goStrings(value) as GoValue;
  if (outOfRange === undefined) return { value: decoded };
  return { value: decoded, error: `json: cannot unmarshal number ${outOfRange} into Go value of type float64` };
}

/** goJSONUnmarshal's value when Go has no error, or undefined. */
export function goJSONParse(text: string, what: string): { value: GoValue } | undefined {
  const r = goJSONUnmarshal(text, what);
  return r.error === undefined && 'value' in r ? { value: r.value } : undefined;
}

/** Plain JSON data (a typed value's toJSONValue or protoJSONValue) encoded in its own key order. */
export function goJSONData(data: unknown, opts: JSONOptions = { escapeHTML: true, indent: '' }): string {
  return encode(data, opts, '', false);
}
