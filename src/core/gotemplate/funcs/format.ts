// Go's fmt and strconv as the functions need them: %v of any value, sprig's strval, strconv.Quote (%q),
// byte-wise (UTF-8) string order and lengths.
import { GoTyped, type GoValue, isGoMap, Tainted } from '../value.ts';
import { goIs } from './unicode15.ts';

/** Go's string order: byte-wise on UTF-8, which is code point order (JS's < compares UTF-16 units). */
export function compareGoStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x < y ? -1 : 1;
    if (x > 0xffff) i++;
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}

/** Shortest round-trip digits and decimal exponent of a finite non-zero |f| (d.ddd × 10^exp). */
export function shortestDigits(f: number): { digits: string; exp: number } {
  const [mantissa, e] = Math.abs(f).toExponential().split('e') as [string, string];
  return { digits: mantissa.replace('.', ''), exp: Number(e) };
}

function expSuffix(exp: number, minDigits: number): string {
  const abs = String(Math.abs(exp)).padStart(minDigits, '0');
  return `e${exp < 0 ? '-' : '+'}${abs}`;
}

/** strconv.FormatFloat(f, 'g', -1, 64), fmt's %v of a float64: %e when exp < -4 || exp >= 6 (shortest digits). */
export function formatFloatG(f: number): string {
  if (Number.isNaN(f)) return 'NaN';
  if (!Number.isFinite(f)) return f > 0 ? '+Inf' : '-Inf';
  if (f === 0) return Object.is(f, -0) ? '-0' : '0';
  // the common case (ports, counts): an integer below 1e6 prints as its digits
  if (Number.isInteger(f) && f > -1e6 && f < 1e6) return String(f);
  const sign = f < 0 ? '-' : '';
  const { digits, exp } = shortestDigits(f);
  if (exp < -4 || exp >= 6) {
    const frac = digits.length > 1 ? `.${digits.slice(1)}` : '';
    return `${sign}${digits[0]}${frac}${expSuffix(exp, 2)}`;
  }
  return sign + plainDecimal(digits, exp);
}

/** Digits with the decimal point placed for exponent exp, no exponent. */
export function plainDecimal(digits: string, exp: number): string {
  if (exp < 0) return `0.${'0'.repeat(-exp - 1)}${digits}`;
  if (exp + 1 >= digits.length) return digits + '0'.repeat(exp + 1 - digits.length);
  return `${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
}

/** fmt's %v of a value as the functions see it (nil "<nil>", maps with sorted keys, slices space-separated). */
export function formatV(value: GoValue): string {
  const v = value instanceof Tainted ? value.value : value;
  switch (typeof v) {
    case 'undefined':
      return '<nil>';
    case 'boolean':
      return v ? 'true' : 'false';
    case 'string':
      return v;
    case 'number':
      return formatFloatG(v);
    case 'bigint':
      return v.toString();
  }
  if (v === null) return '<nil>';
  if (Array.isArray(v)) return `[${v.map(formatV).join(' ')}]`;
  if (v instanceof GoTyped) return formatTyped(v);
  if (isGoMap(v)) {
    const keys = Object.keys(v).sort(compareGoStrings);
    return `map[${keys.map((k) => `${k}:${formatV(v[k])}`).join(' ')}]`;
  }
  throw new Error('cannot format value');
}

function formatTyped(v: GoTyped): string {
  const own = v.formatV();
  if (own !== undefined) return own;
  switch (v.kind()) {
    case 'bool':
    case 'int':
    case 'uint':
    case 'float':
    case 'string':
      return formatV(v.scalar());
    case 'slice':
      return v.isNil() ? '[]' : `[${(v.entries() ?? []).map(([, x]) => formatV(x)).join(' ')}]`;
    case 'map':
      return `map[${(v.entries() ?? []).map(([k, x]) => `${formatV(k)}:${formatV(x)}`).join(' ')}]`;
  }
  if (v.isNil()) return '<nil>';
  throw new Error(`cannot format a value of type ${v.goType()}`);
}

/** sprig's strval: strings as they are, Stringers by String(), everything else %v. */
export function strval(v: GoValue): string {
  return typeof v === 'string' ? v : formatV(v);
}

/** Go's strings are UTF-8: a lone surrogate (not valid in Go) becomes U+FFFD as Go's conversions make it. */
export function wellFormed(s: string): string {
  return s.replace(LONE_SURROGATE, '\ufffd');
}
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;
/** Printable ASCII but the quote and the backslash: what strconv.Quote writes as it is. */
const PLAIN_ASCII = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;
const SHORT_ESCAPES: Record<string, string> = { '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v' };

/** strconv.Quote (fmt's %q of a string): printable runes as they are, the rest escaped. */
export function goQuote(s: string): string {
  if (PLAIN_ASCII.test(s)) return `"${s}"`; // the common case: nothing to escape
  let out = '"';
  for (const ch of wellFormed(s)) {
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (SHORT_ESCAPES[ch] !== undefined) out += SHORT_ESCAPES[ch];
    else if (goIs(PRINTABLE, ch)) out += ch;
    else {
      const cp = ch.codePointAt(0)!;
      if (cp < 0x80) out += `\\x${cp.toString(16).padStart(2, '0')}`;
      else if (cp < 0x10000) out += `\\u${cp.toString(16).padStart(4, '0')}`;
      else out += `\\U${cp.toString(16).padStart(8, '0')}`;
    }
  }
  return `${out}"`;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** Go's len of a string: its UTF-8 bytes. */
export { utf8Length } from '../exec/strings.ts';

/**
 * Go's s[from:to] on UTF-8 bytes. A cut inside a multi-byte character would make a string Go holds as
 * invalid UTF-8, which ours cannot: refused with an error naming the function.
 */
export function sliceBytes(s: string, from: number, to: number, fn: string): string {
  const bytes = encoder.encode(s);
  try {
    return decoder.decode(bytes.subarray(from, to));
  } catch {
    throw new Error(`${fn}: the cut falls inside a multi-byte character (unsupported: Go would make invalid UTF-8)`);
  }
}
