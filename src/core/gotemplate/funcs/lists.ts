// sprig's list and dict functions (list.go, dict.go): lists of any slice type become []interface{}; a
// non-slice panics in Go, which text/template reports as the call's error (same message here).
import { type GoFunction, type GoMap, type GoValue, isGoMap, kindOf, typeOf, untaint } from '../value.ts';
import { deepEqual, isEmpty, toInt64 } from './cast.ts';
import { compareGoStrings, strval } from './format.ts';
import { anyMapOf, capSize, GoSlice, goFunc, intArg, nilSlice, sliceItems, stringSlice, strArg } from './typed.ts';
import { strslice } from './strings.ts';

const NIL_DEREFERENCE = 'runtime error: invalid memory address or nil pointer dereference';

/** reflect.TypeOf(v).Kind() as sprig prints it in its errors ("Cannot push on type string"). */
function kindName(v: GoValue): string {
  const k = kindOf(untaint(v));
  return k === 'float' ? 'float64' : k;
}

/** The items of a list argument; a non-list fails as sprig's panic does. */
function listOf(v: GoValue, what: string): GoValue[] {
  const x = untaint(v);
  if (x === null || x === undefined) throw new Error(NIL_DEREFERENCE);
  const items = sliceItems(x);
  if (items === undefined && what === 'slice') throw new Error(`list should be type of slice or array but ${kindName(x)}`);
  if (items === undefined) throw new Error(what === 'chunk' ? `Cannot chunk type ${kindName(x)}` : `Cannot ${what} on type ${kindName(x)}`);
  return items;
}

const inList = (list: GoValue[], v: GoValue): boolean => list.some((x) => deepEqual(x, v));

function untilStep(start: number, stop: number, step: number): GoSlice {
  const out: bigint[] = [];
  if (stop < start) {
    if (step >= 0) return new GoSlice('int', out);
    capSize(Math.ceil((start - stop) / -step), 'untilStep');
    for (let i = start; i > stop; i += step) out.push(BigInt(i));
  } else if (step > 0) {
    capSize(Math.ceil((stop - start) / step), 'untilStep');
    for (let i = start; i < stop; i += step) out.push(BigInt(i));
  }
  return new GoSlice('int', out);
}

/** sprig's slice (Go's l[start:end] on the list; out-of-range bounds panic as Go's do). */
function sliceList(list: GoValue, indices: GoValue[]): GoValue {
  const items = listOf(list, 'slice');
  if (items.length === 0) return null;
  const start = indices.length > 0 ? Number(toInt64(indices[0])) : 0;
  const end = indices.length < 2 ? items.length : Number(toInt64(indices[1]));
  if (start < 0 || end < start || end > items.length) throw new Error('reflect.Value.Slice: slice index out of bounds');
  const x = untaint(list);
  return x instanceof GoSlice ? new GoSlice(x.elem, items.slice(start, end)) : items.slice(start, end);
}

/** sprig's chunk: lists of `size` items (the last shorter), sized in float64 as sprig computes it. */
function chunk(size: number, list: GoValue): GoSlice {
  const items = listOf(list, 'chunk');
  const count = Math.floor((items.length - 1) / size) + 1;
  const makeslice = new Error('runtime error: makeslice: len out of range');
  if (!Number.isFinite(count) || count < 0) throw makeslice;
  capSize(count, 'chunk');
  const out: GoValue[] = [];
  for (let i = 0; i < count; i++) {
    let len = size;
    if (i === count - 1) len = Math.floor(items.length % size) || size;
    if (len < 0) throw makeslice;
    out.push(items.slice(i * size, i * size + len));
  }
  return new GoSlice('[]interface {}', out);
}

/** A fresh map[string]interface{} (null prototype: keys such as "__proto__" stay plain keys). */
export const newMap = (): GoMap => Object.create(null) as GoMap;

function dict(args: GoValue[]): GoMap {
  const out = newMap();
  for (let i = 0; i < args.length; i += 2) out[strval(args[i])] = i + 1 < args.length ? args[i + 1] : '';
  return out;
}

function dig(args: GoValue[]): GoValue {
  if (args.length < 3) throw new Error('dig needs at least three arguments');
  let m = untaint(args.at(-1));
  const dflt = args.at(-2);
  const keys = args.slice(0, -2).map((k) => untaint(k));
  const conversion = (x: GoValue, want: string) =>
    new Error(`interface conversion: interface {} is ${x === null || x === undefined ? 'nil' : typeOf(x)}, not ${want}`);
  if (!isGoMap(m)) throw conversion(m, 'map[string]interface {}');
  for (const k of keys) if (typeof k !== 'string') throw conversion(k, 'string');
  for (let i = 0; i < keys.length; i++) {
    if (!isGoMap(m)) throw conversion(m, 'map[string]interface {}');
    if (!Object.hasOwn(m, keys[i] as string)) return dflt;
    if (i === keys.length - 1) return m[keys[i] as string];
    m = untaint(m[keys[i] as string]);
  }
  return dflt;
}

const first = (l: GoValue): GoValue => {
  const items = listOf(l, 'find first');
  return items.length === 0 ? null : items[0];
};
const last = (l: GoValue): GoValue => {
  const items = listOf(l, 'find last');
  return items.length === 0 ? null : items.at(-1);
};
const rest = (l: GoValue): GoValue => {
  const items = listOf(l, 'find rest');
  return items.length === 0 ? nilSlice() : items.slice(1);
};
const initial = (l: GoValue): GoValue => {
  const items = listOf(l, 'find initial');
  return items.length === 0 ? nilSlice() : items.slice(0, -1);
};
function uniq(l: GoValue): GoValue[] {
  const out: GoValue[] = [];
  for (const x of listOf(l, 'find uniq')) if (!inList(out, x)) out.push(x);
  return out;
}
const without = (l: GoValue, ...omit: GoValue[]): GoValue[] => listOf(l, 'find without').filter((x) => !inList(omit, x));
const has = (needle: GoValue, hay: GoValue): boolean => {
  if (untaint(hay) === null || untaint(hay) === undefined) return false;
  return inList(listOf(hay, 'find has'), needle);
};

function sortAlpha(v: GoValue): GoSlice {
  const x = untaint(v);
  if (sliceItems(x) === undefined) return stringSlice([strval(x ?? null)]);
  return stringSlice(strslice(x).sort(compareGoStrings));
}

/** sprig's push: a copy of the list with v after its items (marked so the executor can append in place). */
const appendFunction = (): GoFunction => ({ ...goFunc(['any', 'any'], (l, v) => [...listOf(l, 'push'), v]), appends: true });

/** A map[string]interface{} argument's value at a key, as Go's map index reads it. */
const at = (m: GoMap, k: string): GoValue => (Object.hasOwn(m, k) ? m[k] : undefined);

export const listFunctions: Record<string, GoFunction> = {
  list: goFunc([], (...v) => v, 'any'),
  tuple: goFunc([], (...v) => v, 'any'),
  append: appendFunction(),
  push: appendFunction(),
  mustAppend: appendFunction(),
  mustPush: appendFunction(),
  prepend: goFunc(['any', 'any'], (l, v) => [v, ...listOf(l, 'prepend')]),
  mustPrepend: goFunc(['any', 'any'], (l, v) => [v, ...listOf(l, 'prepend')]),
  first: goFunc(['any'], first),
  mustFirst: goFunc(['any'], first),
  last: goFunc(['any'], last),
  mustLast: goFunc(['any'], last),
  rest: goFunc(['any'], rest),
  mustRest: goFunc(['any'], rest),
  initial: goFunc(['any'], initial),
  mustInitial: goFunc(['any'], initial),
  reverse: goFunc(['any'], (l) => [...listOf(l, 'find reverse')].reverse()),
  mustReverse: goFunc(['any'], (l) => [...listOf(l, 'find reverse')].reverse()),
  compact: goFunc(['any'], (l) => listOf(l, 'compact').filter((x) => !isEmpty(x))),
  mustCompact: goFunc(['any'], (l) => listOf(l, 'compact').filter((x) => !isEmpty(x))),
  uniq: goFunc(['any'], uniq),
  mustUniq: goFunc(['any'], uniq),
  without: goFunc(['any'], without, 'any'),
  mustWithout: goFunc(['any'], without, 'any'),
  has: goFunc(['any', 'any'], has),
  mustHas: goFunc(['any', 'any'], has),
  slice: goFunc(['any'], (l, ...i) => sliceList(l, i), 'any'),
  mustSlice: goFunc(['any'], (l, ...i) => sliceList(l, i), 'any'),
  concat: goFunc(
    [],
    (...lists) => {
      const out = lists.flatMap((l) => {
        const items = sliceItems(l);
        if (items === undefined) throw new Error(untaint(l) == null ? NIL_DEREFERENCE : `Cannot concat type ${kindName(l)} as list`);
        return items;
      });
      return out.length === 0 ? nilSlice() : out;
    },
    'any',
  ),
  sortAlpha: goFunc(['any'], sortAlpha),
  chunk: goFunc(['int', 'any'], (n, l) => chunk(intArg(n, 'chunk'), l)),
  mustChunk: goFunc(['int', 'any'], (n, l) => chunk(intArg(n, 'mustChunk'), l)),
  until: goFunc(['int'], (n) => {
    const count = intArg(n, 'until');
    return untilStep(0, count, count < 0 ? -1 : 1);
  }),
  untilStep: goFunc(['int', 'int', 'int'], (a, b, c) => untilStep(intArg(a, 'untilStep'), intArg(b, 'untilStep'), intArg(c, 'untilStep'))),
  dict: goFunc([], (...v) => dict(v), 'any'),
  get: goFunc(['map[string]any', 'string'], (m, k) => {
    const v = at(anyMapOf(m, 'get'), strArg(k, 'get'));
    return v === undefined ? '' : v;
  }),
  set: {
    ...goFunc(['map[string]any', 'string', 'any'], (m, k, v) => {
      const map = anyMapOf(m, 'set');
      map[strArg(k, 'set')] = v;
      return map;
    }),
    mutates: true,
  },
  unset: {
    ...goFunc(['map[string]any', 'string'], (m, k) => {
      const map = anyMapOf(m, 'unset');
      delete map[strArg(k, 'unset')];
      return map;
    }),
    mutates: true,
  },
  hasKey: goFunc(['map[string]any', 'string'], (m, k) => Object.hasOwn(anyMapOf(m, 'hasKey'), strArg(k, 'hasKey'))),
  pluck: goFunc(
    ['string'],
    (k, ...ds) => ds.map((d) => at(anyMapOf(d, 'pluck'), strArg(k, 'pluck'))).filter((v) => v !== undefined),
    'map[string]any',
  ),
  keys: goFunc([], (...ds) => stringSlice(ds.flatMap((d) => Object.keys(anyMapOf(d, 'keys')).sort(compareGoStrings))), 'map[string]any'),
  values: goFunc(['map[string]any'], (m) => {
    const map = anyMapOf(m, 'values');
    return Object.keys(map)
      .sort(compareGoStrings)
      .map((k) => map[k]);
  }),
  pick: goFunc(
    ['map[string]any'],
    (m, ...ks) => {
      const map = anyMapOf(m, 'pick');
      const out = newMap();
      for (const k of ks.map((x) => strArg(x, 'pick'))) if (Object.hasOwn(map, k)) out[k] = map[k];
      return out;
    },
    'string',
  ),
  dig: goFunc([], (...args) => dig(args), 'any'),
  deepEqual: goFunc(['any', 'any'], (a, b) => deepEqual(a, b)),
};
