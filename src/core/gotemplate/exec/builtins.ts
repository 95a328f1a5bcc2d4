// text/template's builtin functions (funcs.go), over the value model. Parameters typed 'reflect.Value'
// receive invalid values (undefined) as they are, as Go's do; errors are thrown as Go's error text.
import { GoTyped, type GoFunction, type GoValue, Tainted, isGoMap, mapTypeParts, typeOf } from '../value.ts';
import { eq, ge, gt, le, lt, ne, truth } from './compare.ts';
import { htmlEscape, jsEscape, urlQueryEscape } from './escape.ts';
import { type Formatted, sprint, sprintf, sprintln } from './fmt-print.ts';
import { fromUtf8, isAscii, utf8Bytes, utf8Length } from './strings.ts';
import { GoUint } from './values.ts';

/** A builtin: `keepsTaint` false when its result says nothing a pod author could shape (eq, len, not). */
export interface Builtin extends GoFunction {
  builtin: true;
  keepsTaint: boolean;
}

const V = 'reflect.Value';
const nonNil = (v: GoValue): v is Exclude<GoValue, undefined | null> => v !== undefined && v !== null;
const isNilPtr = (v: GoValue): boolean => v === null || (v instanceof GoTyped && (v.kind() === 'ptr' || v.kind() === 'interface') && v.isNil());

function indexArg(index: GoValue, cap: number): number {
  let x: GoValue = index;
  if (x instanceof GoTyped && (x.kind() === 'int' || x.kind() === 'uint')) x = x.scalar();
  if (typeof x !== 'bigint')
    throw new Error(nonNil(index) ? `cannot index slice/array with type ${typeOf(index)}` : 'cannot index slice/array with nil');
  if (x < 0n || x > BigInt(cap)) throw new Error(`index out of range: ${x}`);
  return Number(x);
}

function mapKey(key: GoValue, keyType: string): GoValue {
  if (!nonNil(key)) throw new Error(`value is nil; should be of type ${keyType}`);
  if (keyType === 'interface {}' || typeOf(key) === keyType) return key;
  throw new Error(`value has type ${typeOf(key)}; should be ${keyType}`);
}

function indexOne(item: GoValue, index: GoValue): GoValue {
  if (isNilPtr(item)) throw new Error('index of nil pointer');
  if (typeof item === 'string') {
    const bytes = isAscii(item) ? undefined : utf8Bytes(item);
    const len = bytes?.length ?? item.length;
    const x = indexArg(index, len);
    if (x === len) throw new Error('reflect: string index out of range');
    return new GoUint('uint8', BigInt(bytes ? (bytes[x] as number) : item.charCodeAt(x)));
  }
  if (Array.isArray(item)) {
    const x = indexArg(index, item.length);
    if (x === item.length) throw new Error('reflect: slice index out of range');
    return item[x];
  }
  if (isGoMap(item)) {
    const k = mapKey(index, 'string') as string;
    return Object.hasOwn(item, k) ? item[k] : null;
  }
  if (item instanceof GoTyped && item.kind() === 'slice') {
    const len = item.length();
    const x = indexArg(index, len);
    if (x === len) throw new Error('reflect: slice index out of range');
    return item.elementAt(x);
  }
  if (item instanceof GoTyped && item.kind() === 'map') return item.index(mapKey(index, mapTypeParts(item.goType()).key));
  throw new Error(`can't index item of type ${typeOf(item)}`);
}

function index(item: GoValue, ...indexes: GoValue[]): GoValue {
  if (!nonNil(item)) throw new Error('index of untyped nil');
  let v: GoValue = item;
  for (const i of indexes) v = indexOne(v, i === null ? undefined : i);
  return v;
}

function slice(item: GoValue, ...indexes: GoValue[]): GoValue {
  if (!nonNil(item)) throw new Error('slice of untyped nil');
  if (isNilPtr(item)) throw new Error('slice of nil pointer');
  if (indexes.length > 3) throw new Error(`too many slice indexes: ${indexes.length}`);
  let len: number;
  if (typeof item === 'string') {
    if (indexes.length === 3) throw new Error('cannot 3-index slice a string');
    len = utf8Length(item);
  } else if (Array.isArray(item)) len = item.length;
  else if (item instanceof GoTyped && item.kind() === 'slice') len = item.length();
  else throw new Error(`can't slice item of type ${typeOf(item)}`);
  // cap is len here: our slices carry no spare capacity (Go's JSON-decoded ones may)
  const idx = [0, len, len];
  indexes.forEach((x, i) => {
    idx[i] = indexArg(x === null ? undefined : x, len);
  });
  const [from = 0, to = 0, max = 0] = idx;
  if (from > to) throw new Error(`invalid slice index: ${from} > ${to}`);
  if (indexes.length === 3 && to > max) throw new Error(`invalid slice index: ${to} > ${max}`);
  if (typeof item === 'string') return isAscii(item) ? item.slice(from, to) : fromUtf8(utf8Bytes(item).subarray(from, to));
  if (Array.isArray(item)) return item.slice(from, to);
  return (item.entries() ?? []).slice(from, to).map((e) => e[1]);
}

function length(item: GoValue): GoValue {
  if (isNilPtr(item)) throw new Error('len of nil pointer');
  if (item === undefined) throw new Error('reflect: call of reflect.Value.Type on zero Value');
  if (typeof item === 'string') return BigInt(utf8Length(item));
  if (Array.isArray(item)) return BigInt(item.length);
  if (isGoMap(item)) return BigInt(Object.keys(item).length);
  if (item instanceof GoTyped && (item.kind() === 'map' || item.kind() === 'slice')) return BigInt(item.length());
  throw new Error(`len of type ${typeOf(item)}`);
}

// evalArgs: one string as it is, anything else as fmt.Sprint with nil printed as <no value>
function evalArgs(args: GoValue[]): Formatted {
  if (args.length === 1 && typeof args[0] === 'string') return { text: args[0], tainted: false };
  return sprint(args.map((a) => (a === null || a === undefined ? '<no value>' : a)));
}

// a Tainted value nested in a container (the executor only sees the top-level arguments) taints the text
const formatted = (f: Formatted, escaper: (s: string) => string = (s) => s): GoValue => (f.tainted ? new Tainted(escaper(f.text)) : escaper(f.text));

const fn = (params: string[], variadic: string | undefined, call: (...a: GoValue[]) => GoValue, keepsTaint = true): Builtin => ({
  params,
  ...(variadic === undefined ? {} : { variadic }),
  call,
  builtin: true,
  keepsTaint,
});
const unreachable = (): GoValue => {
  throw new Error('unreachable');
};

export const BUILTINS: ReadonlyMap<string, Builtin> = new Map<string, Builtin>([
  ['and', fn([V], V, unreachable)],
  ['or', fn([V], V, unreachable)],
  ['call', fn([V], V, unreachable)],
  ['not', fn([V], undefined, (a) => !truth(a), false)],
  ['len', fn([V], undefined, length, false)],
  ['index', fn([V], V, index)],
  ['slice', fn([V], V, slice)],
  ['print', fn([], 'any', (...a) => formatted(sprint(a)))],
  ['println', fn([], 'any', (...a) => formatted(sprintln(a)))],
  ['printf', fn(['string'], 'any', (f, ...a) => formatted(sprintf(f as string, a)))],
  ['html', fn([], 'any', (...a) => formatted(evalArgs(a), htmlEscape))],
  ['js', fn([], 'any', (...a) => formatted(evalArgs(a), jsEscape))],
  ['urlquery', fn([], 'any', (...a) => formatted(evalArgs(a), urlQueryEscape))],
  ['eq', fn([V], V, (a, ...rest) => eq(a, rest), false)],
  ['ne', fn([V, V], undefined, ne, false)],
  ['lt', fn([V, V], undefined, lt, false)],
  ['le', fn([V, V], undefined, le, false)],
  ['gt', fn([V, V], undefined, gt, false)],
  ['ge', fn([V, V], undefined, ge, false)],
]);
