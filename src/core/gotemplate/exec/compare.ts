// Go's truth (exec.go isTrue) and the comparison builtins eq, ne, lt, le, gt, ge (funcs.go), with Go's
// basicKind rules: int and uint compare across sign, everything else only within its kind.
import { type BasicKind, GoTyped, type GoValue, Tainted, isGoMap, kindOf, typeOf } from '../value.ts';
import { sprintf } from './fmt-print.ts';
import { compareGoStrings } from './strings.ts';
import { GoComplex } from './values.ts';

/** isTrue(indirectInterface(v)): the zero value of its type is false; a struct is always true. */
export function truth(v: GoValue): boolean {
  switch (typeof v) {
    case 'boolean':
      return v;
    case 'string':
      return v.length > 0;
    case 'number':
      return v !== 0;
    case 'bigint':
      return v !== 0n;
    case 'undefined':
      return false;
  }
  if (v === null) return false;
  if (Array.isArray(v)) return v.length > 0;
  if (v instanceof Tainted) return truth(v.value);
  if (v instanceof GoComplex) return v.re !== 0 || v.im !== 0;
  if (v instanceof GoTyped) {
    switch (v.kind()) {
      case 'struct':
        return true;
      case 'ptr':
      case 'func':
      case 'interface':
        return !v.isNil();
      case 'map':
      case 'slice':
        return !v.isNil() && v.length() > 0;
      default:
        return truth(v.scalar());
    }
  }
  for (const _ in v) return true;
  return false;
}

const BASIC = new Set<BasicKind>(['bool', 'int', 'uint', 'float', 'string']);
export function basicKind(v: GoValue): BasicKind {
  if (v instanceof GoComplex) return 'complex';
  const k = kindOf(v) as BasicKind;
  return BASIC.has(k) ? k : 'invalid';
}

const scalar = (v: GoValue): GoValue => (v instanceof GoTyped && !(v instanceof GoComplex) ? v.scalar() : v);
const valid = (v: GoValue): boolean => v !== undefined && v !== null;
const isNilValue = (v: GoValue): boolean => !valid(v) || (v instanceof GoTyped && v.isNil());
function reflectKind(v: GoValue): string {
  if (!valid(v)) return 'invalid';
  if (Array.isArray(v)) return 'slice';
  if (isGoMap(v)) return 'map';
  return v instanceof GoTyped ? v.kind() : typeof v;
}
const comparable = (v: GoValue): boolean =>
  !(Array.isArray(v) || isGoMap(v) || (v instanceof GoTyped && ['map', 'slice', 'func'].includes(v.kind())));

function sameBasic(k: BasicKind, a: GoValue, b: GoValue): boolean {
  if (k === 'complex') return (a as GoComplex).re === (b as GoComplex).re && (a as GoComplex).im === (b as GoComplex).im;
  return scalar(a) === scalar(b);
}

/** eq arg1 arg2...: true if arg1 equals any of the others. Throws Go's error text. */
export function eq(arg1: GoValue, rest: readonly GoValue[]): boolean {
  if (rest.length === 0) throw new Error('missing argument for comparison');
  const k1 = basicKind(arg1);
  for (const arg of rest) {
    const k2 = basicKind(arg);
    let result = false;
    if (k1 !== k2) {
      if (k1 === 'int' && k2 === 'uint') result = (scalar(arg1) as bigint) >= 0n && scalar(arg1) === scalar(arg);
      else if (k1 === 'uint' && k2 === 'int') result = (scalar(arg) as bigint) >= 0n && scalar(arg1) === scalar(arg);
      else if (valid(arg1) && valid(arg)) throw new Error(`incompatible types for comparison: ${typeOf(arg1)} and ${typeOf(arg)}`);
    } else if (k1 !== 'invalid') result = sameBasic(k1, arg1, arg);
    else {
      if (reflectKind(arg1) !== reflectKind(arg) && valid(arg1) && valid(arg))
        throw new Error(sprintf('non-comparable types %s: %v, %s: %v', [arg1, typeOf(arg1), typeOf(arg), arg]).text);
      if (isNilValue(arg1) || isNilValue(arg)) result = isNilValue(arg) === isNilValue(arg1);
      else if (!comparable(arg)) throw new Error(sprintf('non-comparable type %s: %v', [arg, typeOf(arg)]).text);
      else result = arg1 === arg;
    }
    if (result) return true;
  }
  return false;
}

/** lt arg1 arg2. Throws Go's error text. */
export function lt(arg1: GoValue, arg2: GoValue): boolean {
  const k1 = basicKind(arg1);
  if (k1 === 'invalid') throw new Error('invalid type for comparison');
  const k2 = basicKind(arg2);
  if (k2 === 'invalid') throw new Error('invalid type for comparison');
  const a = scalar(arg1);
  const b = scalar(arg2);
  if (k1 !== k2) {
    if (k1 === 'int' && k2 === 'uint') return (a as bigint) < 0n || (a as bigint) < (b as bigint);
    if (k1 === 'uint' && k2 === 'int') return (b as bigint) >= 0n && (a as bigint) < (b as bigint);
    throw new Error(`incompatible types for comparison: ${typeOf(arg1)} and ${typeOf(arg2)}`);
  }
  if (k1 === 'bool' || k1 === 'complex') throw new Error('invalid type for comparison');
  if (k1 === 'string') return compareGoStrings(a as string, b as string) < 0;
  return (a as number) < (b as number);
}

export const le = (a: GoValue, b: GoValue): boolean => lt(a, b) || eq(a, [b]);
export const gt = (a: GoValue, b: GoValue): boolean => !le(a, b);
export const ge = (a: GoValue, b: GoValue): boolean => !lt(a, b);
export const ne = (a: GoValue, b: GoValue): boolean => !eq(a, [b]);
