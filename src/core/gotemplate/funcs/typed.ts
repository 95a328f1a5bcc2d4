// Typed Go values the functions return where the Go type matters to the caller (Istio's strdict gives a
// map[string]string that toJsonMap accepts; splitList a []string; rest of an empty list a nil slice that
// encoding/json writes as null), and readers for the typed arguments the functions take.
import { InjectionError } from '../../errors.ts';
import { type GoFunction, type GoMap, GoTyped, type GoValue, isGoMap, kindOf, untaint } from '../value.ts';
import { compareGoStrings, formatV } from './format.ts';

/** A Go slice with an element type of its own ([]string, []int, []interface {}), possibly nil. */
export class GoSlice extends GoTyped {
  constructor(
    readonly elem: string,
    readonly items: GoValue[],
    readonly nil = false,
  ) {
    super();
  }
  goType(): string {
    return `[]${this.elem}`;
  }
  kind(): 'slice' {
    return 'slice';
  }
  override isNil(): boolean {
    return this.nil;
  }
  override entries(): Array<[GoValue, GoValue]> {
    return this.items.map((v, i) => [BigInt(i), v]);
  }
  override length(): number {
    return this.items.length;
  }
  override elementAt(i: number): GoValue {
    return this.items[i];
  }
  toJSONValue(): unknown {
    return this.nil ? null : this.items.map((v) => (v instanceof GoTyped ? v.toJSONValue() : v));
  }
  override formatV(): string {
    return `[${this.items.map(formatV).join(' ')}]`;
  }
}

/** A nil []interface {} (sprig's rest/initial of an empty list). */
export const nilSlice = (): GoSlice => new GoSlice('interface {}', [], true);

/** Go's map[string]string, possibly nil: a missing key reads as "". */
export class GoStringMap extends GoTyped {
  constructor(
    readonly map: ReadonlyMap<string, string>,
    readonly nil = false,
  ) {
    super();
  }
  goType(): string {
    return 'map[string]string';
  }
  kind(): 'map' {
    return 'map';
  }
  override isNil(): boolean {
    return this.nil;
  }
  override length(): number {
    return this.map.size;
  }
  /** `.key`: the value, or Go's invalid value for a missing key (only `index` gives the zero value ""). */
  override field(name: string): { value: GoValue } {
    return { value: this.map.get(name) };
  }
  override entries(): Array<[GoValue, GoValue]> {
    return [...this.map.keys()].sort(compareGoStrings).map((k) => [k, this.map.get(k)!]);
  }
  toJSONValue(): unknown {
    if (this.nil) return null;
    const out: Record<string, string> = {};
    for (const [k, v] of this.entries()) out[k as string] = v as string;
    return out;
  }
  override formatV(): string {
    return `map[${this.entries()
      .map(([k, v]) => `${k}:${v}`)
      .join(' ')}]`;
  }
}

/** The items of a slice or array argument; undefined when the value is not one. */
export function sliceItems(v: GoValue): GoValue[] | undefined {
  const x = untaint(v);
  if (Array.isArray(x)) return x;
  if (x instanceof GoSlice) return x.items;
  if (x instanceof GoTyped && x.kind() === 'slice') return (x.entries() ?? []).map(([, item]) => item);
  return undefined;
}

/** The entries of a map[string]string argument (typed, or a plain map holding only strings); nil gives none. */
export function stringMapOf(v: GoValue, fn: string): Map<string, string> {
  const x = untaint(v);
  if (x === null || x === undefined) return new Map();
  if (x instanceof GoStringMap) return new Map(x.map);
  if (x instanceof GoTyped && x.kind() === 'map') {
    return new Map((x.entries() ?? []).map(([k, val]) => [String(untaint(k)), String(untaint(val))]));
  }
  if (isGoMap(x) && Object.values(x).every((s) => typeof s === 'string')) return new Map(Object.entries(x) as Array<[string, string]>);
  throw new Error(`${fn}: expected map[string]string, got ${kindOf(x)}`);
}

/**
 * The value at `key` of a map[string]string argument (typed, or a plain map), undefined when it has none: one
 * lookup, where stringMapOf reads the whole map (Istio's templates call isset and annotation dozens of
 * times a render, and render reuse keys a render on what it read).
 */
export function stringAt(v: GoValue, key: string): string | undefined {
  const x = untaint(v);
  if (x === null || x === undefined) return undefined;
  if (x instanceof GoTyped && x.kind() === 'map') {
    const found = x.field(key)?.value;
    return found === undefined ? undefined : String(untaint(found));
  }
  if (isGoMap(x)) return Object.hasOwn(x, key) ? String(x[key]) : undefined;
  return stringMapOf(x, 'map index').get(key); // not a map: stringMapOf says so
}

/** A map[string]interface {} argument: a plain map (the executor has checked the type); nil gives an empty one. */
export function anyMapOf(v: GoValue, fn: string): GoMap {
  const x = untaint(v);
  if (x === null || x === undefined) return {};
  if (isGoMap(x)) return x;
  throw new Error(`${fn}: expected map[string]interface {}, got ${kindOf(x)}`);
}

/** A Go int argument (the executor passes bigint; a float64 constant is accepted when integral). */
export function intArg(v: GoValue, fn: string): number {
  const x = untaint(v);
  if (typeof x === 'bigint') return Number(x);
  if (typeof x === 'number' && Number.isInteger(x)) return x;
  if (x instanceof GoTyped && x.kind() === 'int') return intArg(x.scalar(), fn);
  throw new Error(`${fn}: expected int`);
}

/** A Go string argument. */
export function strArg(v: GoValue, fn: string): string {
  const x = untaint(v);
  if (typeof x === 'string') return x;
  if (x instanceof GoTyped && x.kind() === 'string') return strArg(x.scalar(), fn);
  throw new Error(`${fn}: expected string`);
}

/** Go's []string of the given strings. */
export const stringSlice = (items: string[]): GoSlice => new GoSlice('string', items);

/** A GoFunction from its Go parameter types and implementation. */
export function goFunc(params: readonly string[], call: GoFunction['call'], variadic?: string): GoFunction {
  return variadic === undefined ? { params, call } : { params, variadic, call };
}

/** The same function, its result marked as a serialization of its arguments (toJSON, toYaml...). */
export const serializes = (f: GoFunction): GoFunction => ({ ...f, taint: 'serializes' });
/** The same function, its result structured iff its argument was (indent, nindent, quote...). */
export const preserves = (f: GoFunction): GoFunction => ({ ...f, taint: 'preserves' });

/** The cap on counts that size a result (repeat, until, indent): Go would allocate; we refuse. */
export const MAX_GENERATED = 1_000_000;

/** Throws, naming the function, when a result would be larger than MAX_GENERATED. */
export function capSize(n: number, fn: string): void {
  if (n > MAX_GENERATED)
    throw new InjectionError('LIMIT_EXCEEDED', `${fn}: a result of ${n} elements or characters is over the cap of ${MAX_GENERATED}`, fn);
}
