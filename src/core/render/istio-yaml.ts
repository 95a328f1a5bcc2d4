// How Istio's YAML parser (go-yaml v2, YAML 1.1) reads back the strings its injection template writes
// without escaping them: unquoted, or between quotes. Where that YAML would make something other than
// the one string, istiod refuses the pod; these throw, so the pod is refused here too. All are pure.

/**
 * An integer Istio's template writes unquoted (a readiness annotation, checked as decimal digits), as
 * its YAML parser (go-yaml v2, YAML 1.1) reads it: a leading 0 makes digits 0-7 octal ("010" is 8).
 */
export function yamlInt(v: unknown): number {
  const s = String(v ?? '').trim();
  return /^0[0-7]+$/.test(s) ? Number.parseInt(s, 8) : Number(s);
}

/**
 * A string Istio's template writes as a plain YAML scalar in a list (`- --proxyLogLevel=<annotation>`),
 * as its YAML parser reads it back: cut at a comment (` #`), trailing blanks dropped. Where that YAML
 * makes something other than one string (`: ` makes a map, a line break ends the item), istiod refuses
 * the pod: this throws, so we refuse it too.
 */
export function yamlPlain(v: unknown, what: string): string {
  const s = String(v ?? '');
  if (/[\r\n]/.test(s)) throw new Error(`${what} has a line break, which istiod's template cannot hold`);
  const comment = s.search(/[ \t]#/);
  const content = comment >= 0 ? s.slice(0, comment) : s;
  if (/:([ \t]|$)/.test(content)) throw new Error(`${what} has ": ", which makes istiod's template write a map, not a string`);
  return content.replace(/[ \t]+$/, '');
}

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

/** Index past one line break at s[i] (\r\n counts as one), or i when there is none. */
function pastBreak(s: string, i: number): number {
  if (s[i] === '\r') return s[i + 1] === '\n' ? i + 2 : i + 1;
  return s[i] === '\n' ? i + 1 : i;
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
      const [text, next]: [string, number] = quote === '"' && c === '\\' ? yamlEscape(s, i + 1, what) : c === "'" ? ["'", i + 2] : [c, i + 1];
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
