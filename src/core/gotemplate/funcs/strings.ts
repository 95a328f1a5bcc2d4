// sprig's string functions (strings.go, functions.go) with Go's strings package semantics: byte lengths,
// Unicode simple case mapping, Go's white space set.
import type { GoFunction, GoValue } from '../value.ts';
import { capSize, GoStringMap, goFunc, intArg, type GoSlice, sliceItems, stringSlice, strArg } from './typed.ts';
import { goQuote, sliceBytes, strval, utf8Length } from './format.ts';
import { goAssigned } from './unicode15.ts';

/** unicode.IsSpace. */
const GO_SPACE = '\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const TRIM_SPACE = new RegExp(`^[${GO_SPACE}]+|[${GO_SPACE}]+$`, 'g');

/** strings.ToUpper/ToLower: rune by rune, simple mappings only (JS's full mapping turns ß into SS). */
function mapCase(s: string, upper: boolean): string {
  if (/^\p{ASCII}*$/u.test(s)) return upper ? s.toUpperCase() : s.toLowerCase();
  let out = '';
  for (const c of s) {
    const m = !goAssigned(c.codePointAt(0)!) ? c : upper ? c.toUpperCase() : c.toLowerCase();
    if ([...m].length === 1) out += m;
    else out += c === '\u0130' && !upper ? 'i' : c;
  }
  return out;
}

const SURROGATE = /[\ud800-\udfff]/;

/** strings.Trim(s, cutset): drops leading and trailing runes found in cutset; linear in both (a Set of the cutset). */
function trimCutset(s: string, cutset: string): string {
  const set = new Set(cutset);
  if (!SURROGATE.test(s)) {
    // one code unit a character: s is read in place, not copied into an array of characters
    let a = 0;
    let b = s.length;
    while (a < b && set.has(s[a]!)) a++;
    while (b > a && set.has(s[b - 1]!)) b--;
    return s.slice(a, b);
  }
  const chars = [...s];
  let a = 0;
  let b = chars.length;
  while (a < b && set.has(chars[a]!)) a++;
  while (b > a && set.has(chars[b - 1]!)) b--;
  return chars.slice(a, b).join('');
}

/** strings.Split(s, sep): with sep "", the runes (each U+FFFD stays one); otherwise JS's split agrees. */
function goSplit(s: string, sep: string, n = -1): string[] {
  if (n === 0) return [];
  const parts = sep === '' ? [...s] : s.split(sep);
  if (n < 0 || parts.length <= n) return parts;
  const head = parts.slice(0, n - 1);
  const used = head.reduce((len, p) => len + p.length + sep.length, 0);
  return [...head, s.slice(used)];
}

/** sprig's strslice: the strings of a list (nil items dropped), or the value as a one-string list. */
export function strslice(v: GoValue): string[] {
  const items = sliceItems(v);
  if (items === undefined) return v === null || v === undefined ? [] : [strval(v)];
  return items.filter((x) => x !== null && x !== undefined).map(strval);
}

/** Go's strings.Replace(s, old, new, -1): with old "", new goes around every rune. */
function replaceAll(s: string, old: string, replacement: string): string {
  if (old === '') {
    capSize(s.length * (replacement.length + 1), 'replace');
    return replacement + [...s].map((c) => c + replacement).join('');
  }
  return s.split(old).join(replacement);
}

function sprigIndent(spaces: number, s: string, fn: string): string {
  if (spaces < 0) throw new Error('strings: negative Repeat count');
  capSize(spaces * (s.split('\n').length + 1), fn);
  const pad = ' '.repeat(spaces);
  return pad + s.replaceAll('\n', `\n${pad}`);
}

const s = (v: GoValue, fn: string): string => strArg(v, fn);

function trunc(c: number, str: string): string {
  const len = utf8Length(str);
  if (c < 0 && len + c > 0) return sliceBytes(str, len + c, len, 'trunc');
  if (c >= 0 && len > c) return sliceBytes(str, 0, c, 'trunc');
  return str;
}

function substr(start: number, end: number, str: string): string {
  const len = utf8Length(str);
  const bounds = (a: number | undefined, b: number): string => {
    if (b < 0) throw new Error(`runtime error: slice bounds out of range [:${b}]`);
    if (b > len) throw new Error(`runtime error: slice bounds out of range [:${b}] with length ${len}`);
    if ((a ?? 0) > b) throw new Error(`runtime error: slice bounds out of range [${a}:${b}]`);
    return sliceBytes(str, a ?? 0, b, 'substr');
  };
  if (start < 0) return bounds(undefined, end);
  if (end < 0 || end > len) return bounds(start, len);
  return bounds(start, end);
}

function splitMap(parts: string[]): GoStringMap {
  return new GoStringMap(new Map(parts.map((p, i) => [`_${i}`, p])));
}

export const stringFunctions: Record<string, GoFunction> = {
  trim: goFunc(['string'], (a) => s(a, 'trim').replace(TRIM_SPACE, '')),
  upper: goFunc(['string'], (a) => mapCase(s(a, 'upper'), true)),
  lower: goFunc(['string'], (a) => mapCase(s(a, 'lower'), false)),
  substr: goFunc(['int', 'int', 'string'], (a, b, c) => substr(intArg(a, 'substr'), intArg(b, 'substr'), s(c, 'substr'))),
  repeat: goFunc(['int', 'string'], (n, str) => {
    const count = intArg(n, 'repeat');
    if (count < 0) throw new Error('strings: negative Repeat count');
    capSize(count * utf8Length(s(str, 'repeat')), 'repeat');
    return s(str, 'repeat').repeat(count);
  }),
  trimall: goFunc(['string', 'string'], (a, b) => trimCutset(s(b, 'trimall'), s(a, 'trimall'))),
  trimAll: goFunc(['string', 'string'], (a, b) => trimCutset(s(b, 'trimAll'), s(a, 'trimAll'))),
  trimSuffix: goFunc(['string', 'string'], (a, b) => {
    const [suffix, str] = [s(a, 'trimSuffix'), s(b, 'trimSuffix')];
    return suffix !== '' && str.endsWith(suffix) ? str.slice(0, str.length - suffix.length) : str;
  }),
  trimPrefix: goFunc(['string', 'string'], (a, b) => {
    const [prefix, str] = [s(a, 'trimPrefix'), s(b, 'trimPrefix')];
    return str.startsWith(prefix) ? str.slice(prefix.length) : str;
  }),
  trunc: goFunc(['int', 'string'], (c, str) => trunc(intArg(c, 'trunc'), s(str, 'trunc'))),
  contains: goFunc(['string', 'string'], (needle, hay) => s(hay, 'contains').includes(s(needle, 'contains'))),
  hasPrefix: goFunc(['string', 'string'], (p, str) => s(str, 'hasPrefix').startsWith(s(p, 'hasPrefix'))),
  hasSuffix: goFunc(['string', 'string'], (p, str) => s(str, 'hasSuffix').endsWith(s(p, 'hasSuffix'))),
  quote: goFunc(
    [],
    (...args) =>
      args
        .filter((x) => x !== null && x !== undefined)
        .map((x) => goQuote(strval(x)))
        .join(' '),
    'any',
  ),
  squote: goFunc(
    [],
    (...args) =>
      args
        .filter((x) => x !== null && x !== undefined)
        .map((x) => `'${strval(x)}'`)
        .join(' '),
    'any',
  ),
  cat: goFunc(
    [],
    (...args) =>
      args
        .filter((x) => x !== null && x !== undefined)
        .map(strval)
        .join(' '),
    'any',
  ),
  indent: goFunc(['int', 'string'], (n, str) => sprigIndent(intArg(n, 'indent'), s(str, 'indent'), 'indent')),
  nindent: goFunc(['int', 'string'], (n, str) => `\n${sprigIndent(intArg(n, 'nindent'), s(str, 'nindent'), 'nindent')}`),
  replace: goFunc(['string', 'string', 'string'], (o, n, src) => replaceAll(s(src, 'replace'), s(o, 'replace'), s(n, 'replace'))),
  plural: goFunc(['string', 'string', 'int'], (one, many, count) => (intArg(count, 'plural') === 1 ? s(one, 'plural') : s(many, 'plural'))),
  toString: goFunc(['any'], (v) => strval(v)),
  split: goFunc(['string', 'string'], (sep, orig) => splitMap(goSplit(s(orig, 'split'), s(sep, 'split')))),
  splitList: goFunc(['string', 'string'], (sep, orig): GoSlice => stringSlice(goSplit(s(orig, 'splitList'), s(sep, 'splitList')))),
  splitn: goFunc(['string', 'int', 'string'], (sep, n, orig) => splitMap(goSplit(s(orig, 'splitn'), s(sep, 'splitn'), intArg(n, 'splitn')))),
  toStrings: goFunc(['any'], (v) => stringSlice(strslice(v))),
  join: goFunc(['string', 'any'], (sep, v) => strslice(v).join(s(sep, 'join'))),
  hello: goFunc([], () => 'Hello!'),
  fail: goFunc(['string'], (msg) => {
    throw new Error(s(msg, 'fail'));
  }),
};
