// A model, for the safety properties, of how Istio's YAML parser (go-yaml v2, YAML 1.1) reads back a
// string a template writes without escaping it: unquoted, or between quotes. Written apart from the
// safety layer (which reads whole renders with go-yaml-schema.ts), so the two check each other. Where
// that YAML makes no one scalar of it, istiod refuses the pod; these throw.
import { goYamlResolve } from '../../src/core/gotemplate/safety/go-yaml-schema.ts';

const ESCAPES: Record<string, string> = {
  '0': '\0',
  a: '\x07',
  b: '\b',
  t: '\t',
  '\t': '\t',
  n: '\n',
  v: '\v',
  f: '\f',
  r: '\r',
  e: '\x1b',
  ' ': ' ',
  '"': '"',
  '\\': '\\',
  N: '\u0085',
  _: '\u00a0',
  L: '\u2028',
  P: '\u2029',
};
const HEX_LENGTH: Record<string, number> = { x: 2, u: 4, U: 8 };

/** One escape of a YAML double-quoted scalar at s[i] (after the backslash): [text, next index]. */
function yamlEscape(s: string, i: number, what: string): [string, number] {
  const c = s[i];
  if (c === undefined) throw new Error(`${what} ends with a backslash, which breaks istiod's quoted value`);
  if (c in ESCAPES) return [ESCAPES[c]!, i + 1];
  const n = HEX_LENGTH[c];
  const hex = n === undefined ? '' : s.slice(i + 1, i + 1 + n);
  const code = /^[0-9a-fA-F]+$/.test(hex) && hex.length === n ? Number.parseInt(hex, 16) : Number.NaN;
  if (!(code <= 0x10ffff) || (code >= 0xd800 && code <= 0xdfff)) throw new Error(`${what} has an escape istiod's YAML refuses (\\${c})`);
  return [String.fromCodePoint(code), i + 1 + n!];
}

/** Index past one line break at s[i] (\r\n counts as one; NEL is one to go-yaml), or i when there is none. */
function pastBreak(s: string, i: number): number {
  if (s[i] === '\r') return s[i + 1] === '\n' ? i + 2 : i + 1;
  return s[i] === '\n' || s[i] === '\u0085' ? i + 1 : i;
}

/** How a quoted scalar ends and escapes: `"` with backslash escapes, or `'` with `''` for a quote. */
type Quote = '"' | "'";

/**
 * A string Istio's template writes between quotes without escaping it, as its YAML parser reads it back:
 * line breaks folded (blanks around them dropped; one break is a space, n breaks n-1 newlines); in double
 * quotes backslash escapes interpreted (an escaped break joins the lines), in single quotes `''` is `'`.
 * The quote itself ends the value early and a bad escape is an error: istiod refuses the pod, so this
 * throws.
 */
function readQuoted(v: unknown, what: string, quote: Quote): string {
  const s = String(v ?? '');
  let out = '';
  let blanks = ''; // literal blanks, kept unless a line break follows
  for (let i = 0; i < s.length; ) {
    const c = s[i]!;
    if (c === quote && !(quote === "'" && s[i + 1] === "'")) throw new Error(`${what} has a ${quote}, which ends istiod's quoted value early`);
    if (c === ' ' || c === '\t') {
      blanks += c;
      i++;
    } else if (pastBreak(s, i) > i) {
      let breaks = 0;
      for (let j = pastBreak(s, i); j > i; j = pastBreak(s, i)) {
        breaks++;
        i = j;
        while (s[i] === ' ' || s[i] === '\t') i++;
      }
      out += breaks === 1 ? ' ' : '\n'.repeat(breaks - 1);
      blanks = '';
    } else if (quote === '"' && c === '\\' && pastBreak(s, i + 1) > i + 1) {
      out += blanks;
      blanks = '';
      i = pastBreak(s, i + 1);
      while (s[i] === ' ' || s[i] === '\t') i++;
    } else {
      const [text, next]: [string, number] =
        quote === '"' && c === '\\' ? yamlEscape(s, i + 1, what) : quote === "'" && c === "'" ? ["'", i + 2] : [c, i + 1];
      out += blanks + text;
      blanks = '';
      i = next;
    }
  }
  return out + blanks;
}

/** As Istio's YAML reads `"<v>"` (see readQuoted). */
export const yamlDoubleQuoted = (v: unknown, what: string): string => readQuoted(v, what, '"');

/** As Istio's YAML reads `'<v>'` (see readQuoted). */
export const yamlSingleQuoted = (v: unknown, what: string): string => readQuoted(v, what, "'");

/**
 * As Istio's YAML reads `"<s>"` (or `'<s>'`) that ends its line, where the template's text inside the
 * quotes ends with a pod value starting at `valueAt`: a value that closes the quotes and makes the rest
 * of the line a comment (`" #x`, or `"#x`: after a quoted scalar go-yaml v2 needs no blank before `#`)
 * hides only the template's closing quote, and go-yaml reads the text before that quote. Anywhere else a quote in the value ends it early, as readQuoted says.
 */
export function yamlQuotedAtLineEnd(s: string, quote: Quote, valueAt: number | undefined, what: string): string {
  const closing = closingQuote(quote + s) - 1; // index in s of the first quote that closes, or -2
  if (valueAt !== undefined && closing >= valueAt && /^[ \t]*#[^\r\n]*$/.test(s.slice(closing + 1)))
    return readQuoted(s.slice(0, closing), what, quote);
  return readQuoted(s, what, quote);
}

/** Where a quoted scalar at the start of s closes (index of the closing quote), or -1. */
function closingQuote(s: string): number {
  const q = s[0];
  for (let i = 1; i < s.length; i++) {
    if (q === '"' && s[i] === '\\') i++;
    else if (s[i] === q && q === "'" && s[i + 1] === "'") i++;
    else if (s[i] === q) return i;
  }
  return -1;
}

const YAML_NULL = /^(~|null|Null|NULL)$/;
const YAML_BOOL = /^(y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/;
const YAML_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const GO_INT = /^[-+]?(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|[0-9]+)$/;
const YAML_INF_NAN = /^([-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN))$/;

/** A plain scalar go-yaml v2 resolves to a number (its resolve(): sign, digit or dot first; `_` ignored). */
function yamlNumber(s: string): boolean {
  if (!/^[-+0-9.]/.test(s)) return false;
  const plain = s.replace(/_/g, '');
  return YAML_FLOAT.test(plain) || GO_INT.test(plain) || YAML_INF_NAN.test(plain);
}

/**
 * A value Istio's template writes unquoted as a whole mapping value, as its YAML reads it back with types:
 * what yamlPlainValue reads, but a plain scalar resolved as go-yaml v2 resolves it (`010` is 8, `yes`
 * true, `null` null), and lines the value spreads over folded as a plain scalar folds them. Throws
 * where istiod's YAML makes no scalar of it.
 */
export function yamlPlainScalar(v: unknown, what: string): string | number | boolean | null {
  const text = String(v ?? '')
    .split(/\r\n|[\r\n\u0085]/)
    .map((line, i, all) => (i === 0 ? line.replace(/[ \t]+$/, '') : i === all.length - 1 ? line.replace(/^[ \t]+/, '') : line.trim()))
    .reduce((out, line, i) => (i === 0 ? line : line === '' ? `${out}\n` : /\n$/.test(out) || out === '' ? out + line : `${out} ${line}`), '')
    .replace(/\n+$/, ''); // breaks that end it are not its content
  const s = text.replace(/^[ \t]+/, '');
  if (s === '' || s.startsWith('#')) return null;
  const plain = /^[&!"'|>]/.test(s) ? undefined : plainValue(s, what, false);
  if (plain === undefined) return yamlPlainValue(s, what);
  return plain === '' ? null : goYamlResolve(plain);
}

/**
 * A string Istio's template writes unquoted as a whole mapping value (`name: <annotation>`), as its YAML
 * reads it back: blanks and a comment dropped, quotes read, an anchor or a `!!str`/local tag skipped, null
 * (or nothing, or an empty block scalar) an empty string. A value its YAML reads as a bool or number
 * (`yes`, `123`), a map, or anything its parser refuses makes istiod refuse the pod: this throws.
 */
export function yamlPlainValue(v: unknown, what: string): string {
  const text = String(v ?? '');
  if (/[\r\n]/.test(text)) throw new Error(`${what} has a line break, which istiod's YAML does not read as a string`);
  return plainValue(text.replace(/^[ \t]+/, ''), what, true);
}

function plainValue(s: string, what: string, resolveTypes: boolean): string {
  const refuse = (why: string): never => {
    throw new Error(`${what} ${why}, which istiod's YAML does not read as a string`);
  };
  const prefix = /^([&!]\S*)(?:[ \t]+(.*))?$/.exec(s);
  if (prefix) {
    const tag = prefix[1]!;
    if (tag === '!!null') return '';
    if (tag.startsWith('!!') && tag !== '!!str') refuse(`has the tag ${tag}`);
    return plainValue(prefix[2] ?? '', what, resolveTypes && tag.startsWith('&'));
  }
  if (s[0] === '"' || s[0] === "'") {
    const end = closingQuote(s);
    if (end < 0 || !/^[ \t]*([ \t]#.*)?$/.test(s.slice(end + 1))) refuse('has text after its quoted part');
    return s[0] === '"' ? yamlDoubleQuoted(s.slice(1, end), what) : yamlSingleQuoted(s.slice(1, end), what);
  }
  if (s[0] === '|' || s[0] === '>') {
    if (/^[|>][-+0-9]*([ \t]+#.*)?[ \t]*$/.test(s)) return ''; // a block scalar with no lines
    refuse(`has text after "${s[0]}"`);
  }
  if (s.startsWith('#')) return '';
  const comment = s.search(/[ \t]#/);
  const plain = (comment >= 0 ? s.slice(0, comment) : s).replace(/[ \t]+$/, '');
  if (plain === '' || (resolveTypes && YAML_NULL.test(plain))) return '';
  if (/^[[\]{},*%@`]/.test(plain) || /^[-?:]([ \t]|$)/.test(plain)) refuse(`starts with "${plain[0]}"`);
  if (/:([ \t]|$)/.test(plain)) refuse('has ": "');
  if (resolveTypes && YAML_BOOL.test(plain)) refuse('is a YAML boolean');
  if (resolveTypes && yamlNumber(plain)) refuse('is a YAML number');
  return plain;
}
