// sprig's defaults, JSON, conversion, integer math, reflection, path and encoding functions (defaults.go,
// numeric.go, reflect.go, functions.go), with Go's semantics: int64 arithmetic wraps, division by zero
// fails as Go's runtime does, cast's lenient conversions.
import { type GoFunction, type GoValue, kindOf, typeOf, untaint } from '../value.ts';
import { isEmpty, parseGoInt, toFloat64, toInt64, wrapInt64 } from './cast.ts';
import { goJSON, goJSONUnmarshal } from './json.ts';
import { goFunc, strArg } from './typed.ts';

/** reflect.Kind's name for sprig's kindOf ("invalid" for nil). */
function kindName(v: GoValue): string {
  const x = untaint(v);
  if (x === null || x === undefined) return 'invalid';
  const k = kindOf(x);
  if (k === 'float') return 'float64';
  return k;
}

const sum = (args: GoValue[]): bigint => args.reduce<bigint>((a, b) => wrapInt64(a + toInt64(b)), 0n);

function divide(a: GoValue, b: GoValue, op: 'div' | 'mod'): bigint {
  const x = toInt64(a);
  const y = toInt64(b);
  if (y === 0n) throw new Error('runtime error: integer divide by zero');
  return op === 'div' ? wrapInt64(x / y) : x % y;
}

function extreme(args: GoValue[], pick: (a: bigint, b: bigint) => boolean): bigint {
  return args.map(toInt64).reduce((a, b) => (pick(b, a) ? b : a));
}

/** sprig's round: half-up (or at roundOn) at `places` decimals, computed in float64 as Go does. */
function round(a: GoValue, p: GoValue, opt: GoValue[]): number {
  const roundOn = opt.length > 0 ? toFloat64(opt[0]) : 0.5;
  const pow = 10 ** toFloat64(p);
  const digit = pow * toFloat64(a);
  const frac = digit - Math.trunc(digit);
  return (frac >= roundOn ? Math.ceil(digit) : Math.floor(digit)) / pow;
}

/** Go's path.Clean. */
export function pathClean(p: string): string {
  if (p === '') return '.';
  const rooted = p.startsWith('/');
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length > 0 && out.at(-1) !== '..') out.pop();
      else if (!rooted) out.push('..');
    } else out.push(part);
  }
  const joined = out.join('/');
  return rooted ? `/${joined}` : joined || '.';
}

function pathBase(p: string): string {
  if (p === '') return '.';
  const trimmed = p.replace(/\/+$/, '');
  if (trimmed === '') return '/';
  return trimmed.slice(trimmed.lastIndexOf('/') + 1);
}

const pathDir = (p: string): string => pathClean(p.slice(0, p.lastIndexOf('/') + 1));

function pathExt(p: string): string {
  for (let i = p.length - 1; i >= 0 && p[i] !== '/'; i--) if (p[i] === '.') return p.slice(i);
  return '';
}

function mustFromJson(text: GoValue): GoValue {
  const r = goJSONUnmarshal(strArg(text, 'mustFromJson'), 'mustFromJson input');
  if (r.error !== undefined) throw new Error(r.error);
  return 'value' in r ? r.value : null;
}

/** What json.Unmarshal left in its output, error or not (a number out of range is nil in it). */
function fromJson(text: GoValue): GoValue {
  const r = goJSONUnmarshal(strArg(text, 'fromJson'), 'fromJson input');
  return 'value' in r ? r.value : null;
}

function toJsonOr(v: GoValue, fail: 'empty' | 'error', indent = '', escapeHTML = true): string {
  try {
    return goJSON(v, { escapeHTML, indent });
  } catch (e) {
    if (fail === 'empty' && e instanceof Error && e.message.startsWith('json: unsupported value')) return '';
    throw e;
  }
}

export const generalFunctions: Record<string, GoFunction> = {
  default: goFunc(['any'], (d, ...given) => (given.length === 0 || isEmpty(given[0]) ? d : given[0]), 'any'),
  empty: goFunc(['any'], (v) => isEmpty(v)),
  coalesce: goFunc([], (...v) => v.find((x) => !isEmpty(x)) ?? null, 'any'),
  all: goFunc([], (...v) => v.every((x) => !isEmpty(x)), 'any'),
  any: goFunc([], (...v) => v.some((x) => !isEmpty(x)), 'any'),
  ternary: goFunc(['any', 'any', 'bool'], (t, f, c) => (untaint(c) === true ? t : f)),
  fromJson: goFunc(['string'], fromJson),
  mustFromJson: goFunc(['string'], mustFromJson),
  toJson: goFunc(['any'], (v) => toJsonOr(v, 'empty')),
  mustToJson: goFunc(['any'], (v) => toJsonOr(v, 'error')),
  toPrettyJson: goFunc(['any'], (v) => toJsonOr(v, 'empty', '  ')),
  mustToPrettyJson: goFunc(['any'], (v) => toJsonOr(v, 'error', '  ')),
  toRawJson: goFunc(['any'], (v) => toJsonOr(v, 'error', '', false)),
  mustToRawJson: goFunc(['any'], (v) => toJsonOr(v, 'error', '', false)),
  typeOf: goFunc(['any'], (v) => typeOf(untaint(v) ?? null)),
  typeIs: goFunc(['string', 'any'], (t, v) => strArg(t, 'typeIs') === typeOf(untaint(v) ?? null)),
  typeIsLike: goFunc(['string', 'any'], (t, v) => {
    const want = strArg(t, 'typeIsLike');
    const got = typeOf(untaint(v) ?? null);
    return want === got || `*${want}` === got;
  }),
  kindOf: goFunc(['any'], (v) => kindName(v)),
  kindIs: goFunc(['string', 'any'], (t, v) => strArg(t, 'kindIs') === kindName(v)),
  atoi: goFunc(['string'], (s) => {
    const n = parseGoInt(strArg(s, 'atoi'), 10);
    return n === 'range' ? (strArg(s, 'atoi').startsWith('-') ? -(2n ** 63n) : 2n ** 63n - 1n) : (n ?? 0n);
  }),
  int64: goFunc(['any'], (v) => toInt64(v)),
  int: goFunc(['any'], (v) => toInt64(v)),
  float64: goFunc(['any'], (v) => toFloat64(v)),
  add1: goFunc(['any'], (v) => wrapInt64(toInt64(v) + 1n)),
  add: goFunc([], (...v) => sum(v), 'any'),
  sub: goFunc(['any', 'any'], (a, b) => wrapInt64(toInt64(a) - toInt64(b))),
  div: goFunc(['any', 'any'], (a, b) => divide(a, b, 'div')),
  mod: goFunc(['any', 'any'], (a, b) => divide(a, b, 'mod')),
  mul: goFunc(['any'], (a, ...v) => v.reduce<bigint>((acc, b) => wrapInt64(acc * toInt64(b)), toInt64(a)), 'any'),
  max: goFunc(['any'], (a, ...v) => extreme([a, ...v], (x, y) => x > y), 'any'),
  biggest: goFunc(['any'], (a, ...v) => extreme([a, ...v], (x, y) => x > y), 'any'),
  min: goFunc(['any'], (a, ...v) => extreme([a, ...v], (x, y) => x < y), 'any'),
  maxf: goFunc(['any'], (a, ...v) => v.reduce<number>((acc, b) => Math.max(acc, toFloat64(b)), toFloat64(a)), 'any'),
  minf: goFunc(['any'], (a, ...v) => v.reduce<number>((acc, b) => Math.min(acc, toFloat64(b)), toFloat64(a)), 'any'),
  ceil: goFunc(['any'], (a) => Math.ceil(toFloat64(a))),
  floor: goFunc(['any'], (a) => Math.floor(toFloat64(a))),
  round: goFunc(['any', 'int'], (a, p, ...opt) => round(a, p, opt), 'float64'),
  base: goFunc(['string'], (p) => pathBase(strArg(p, 'base'))),
  dir: goFunc(['string'], (p) => pathDir(strArg(p, 'dir'))),
  clean: goFunc(['string'], (p) => pathClean(strArg(p, 'clean'))),
  ext: goFunc(['string'], (p) => pathExt(strArg(p, 'ext'))),
  isAbs: goFunc(['string'], (p) => strArg(p, 'isAbs').startsWith('/')),
  osBase: goFunc(['string'], (p) => pathBase(strArg(p, 'osBase'))),
  osDir: goFunc(['string'], (p) => pathDir(strArg(p, 'osDir'))),
  osClean: goFunc(['string'], (p) => pathClean(strArg(p, 'osClean'))),
  osExt: goFunc(['string'], (p) => pathExt(strArg(p, 'osExt'))),
  osIsAbs: goFunc(['string'], (p) => strArg(p, 'osIsAbs').startsWith('/')),
};
