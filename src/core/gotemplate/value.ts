// Go values as Go templates see them, held as plain JavaScript where the two agree so that data decoded from
// JSON/YAML needs no conversion:
//   undefined   the invalid reflect.Value (a missing map key; prints "<no value>")
//   null        untyped nil / a nil interface (prints "<nil>")
//   boolean     bool          string  string (Go's are bytes: len/slice/index count UTF-8 bytes)
//   number      float64 (what encoding/json and sigs.k8s.io/yaml decode numbers to)
//   bigint      a signed integer (int, int32, int64: one basic kind for eq/lt and printing)
//   Array       []interface{}
//   plain object (prototype Object.prototype or null)   map[string]interface{}
//   GoTyped     everything with a Go type of its own: structs, pointers, typed maps and slices, enums,
//               unsigned ints, functions, and values a pod author controls (Tainted)
// The executor and the functions only ever look at values through this module.

/** The basic kinds Go's eq/lt/le compare (text/template funcs.go basicKind). */
export type BasicKind = 'bool' | 'complex' | 'int' | 'float' | 'string' | 'uint' | 'invalid';

/** A value with a Go type of its own. Subclasses live beside the data model (data/) and the executor. */
export abstract class GoTyped {
  /** The Go type as %T and error messages print it, e.g. "*v1.Container", "[]string", "map[string]string". */
  abstract goType(): string;
  /** The reflect.Kind family: how truth, len, range, index and printing treat the value. */
  abstract kind(): 'struct' | 'ptr' | 'map' | 'slice' | 'bool' | 'int' | 'uint' | 'float' | 'string' | 'func' | 'interface';
  /** A nil pointer, map, slice or func. */
  isNil(): boolean {
    return false;
  }
  /**
   * `.Name` on this value: the field or the niladic method's result (Go tries methods first on the value
   * and its pointer). `undefined` means "no such field or method": the executor raises Go's error
   * ("can't evaluate field Name in type T"). A map answers its key; a missing key is `{ value: undefined }`
   * (Go's invalid value, printed "<no value>"), not the element's zero value: only `index` gives that.
   * It may throw an Error: one whose message starts "nil pointer evaluating " is reported as that (a field of
   * a nil pointer), any other as Go reports a failing method ("error calling Name: message").
   */
  field(_name: string): { value: GoValue } | undefined {
    return undefined;
  }
  /** A method `.Name arg...` taking arguments, for calls such as `.ProxyConfig.GetTracing`; undefined if none. */
  method(_name: string): GoFunction | undefined {
    return undefined;
  }
  /** Elements for len/index/range: maps give sorted [key, value] entries, slices their items. */
  entries(): Array<[GoValue, GoValue]> | undefined {
    return undefined;
  }
  /** len of this map or slice: how many entries() it has, counted without building them where a subclass can. */
  length(): number {
    return this.entries()?.length ?? 0;
  }
  /** Element i (0 <= i < length()) of this slice, built alone where a subclass can (range over 20,000 containers). */
  elementAt(i: number): GoValue {
    return this.entries()?.[i]?.[1];
  }
  /**
   * `index` on this map (key already checked against the key type) or slice (key a bigint within range):
   * the element; a map's missing key gives the element type's zero value (Go's index builtin). The default
   * looks through entries() and takes the zero value of the element type named by goType().
   */
  index(key: GoValue): GoValue {
    const zero = (): GoValue => zeroOfType(mapTypeParts(this.goType()).elem);
    // a string-keyed map answers .key in field(): one lookup, not a walk through entries()
    const byField = this.kind() === 'map' && typeof key === 'string' ? this.field(key) : undefined;
    if (byField !== undefined) return byField.value === undefined ? zero() : byField.value;
    const entries = this.entries() ?? [];
    if (this.kind() === 'slice') return entries[Number(key)]?.[1];
    for (const [k, v] of entries) if (k === key) return v;
    return zero();
  }
  /**
   * Whether a Tainted value is held inside (a struct field, a map value): a function given this value then
   * has its result marked, as if the argument itself were Tainted. Override where pod data can be inside.
   */
  containsTaint(): boolean {
    return false;
  }
  /** Whether a function parameter of Go type `type` accepts this value (interface types: override). */
  assignableTo(type: string): boolean {
    return this.goType() === type;
  }
  /** The value as encoding/json would marshal it, as plain JSON data (ints as bigint allowed). */
  abstract toJSONValue(): unknown;
  /**
   * fmt's %v of the value (Stringer types return String()); undefined: let the executor format it. A pointer
   * to a struct without String() answers fmt's "&{...}"; an action prints it without the "&", as Go does.
   */
  formatV(): string | undefined {
    return undefined;
  }
  /** The scalar inside a named basic type (enum's int32, uint32...), for eq/lt and arithmetic. */
  scalar(): GoValue {
    return undefined;
  }
}

/**
 * A value a pod author controls (annotations, labels, names, the pod's spec, ProxyConfig fields set by its
 * annotation). Field and index access, range and function calls on it yield Tainted results; printed, it
 * marks its span of the output so that the caller can check it landed inside one YAML scalar, or, when
 * `structured` is set (a serializer such as toJSON/toYaml produced the text), that it parses back to exactly
 * that data. Comparisons, truth and function arguments see the unwrapped value.
 */
/**
 * Where a tainted value was read from: the names from SidecarTemplateData's root down (`ObjectMeta`,
 * `Annotations`, a key). Kept apart from the values so that it holds no pod data alive.
 */
export interface TaintSource {
  readonly parent?: TaintSource;
  readonly key?: string;
}

/** The source of a value read from `t` under `key` (without a key: the same place as `t`). */
export const childSource = (t: Tainted | undefined, key?: string): TaintSource | undefined =>
  key === undefined ? t?.source : { parent: t?.source, key };

/**
 * Key and element types of a map type ("map[string]string"), read once per type: map types come from the
 * Go type descriptions (and dict's), a bounded set, and the memo stops growing at 1,000 anyway.
 */
const mapTypes = new Map<string, { key: string; elem: string }>();
export function mapTypeParts(mapType: string): { key: string; elem: string } {
  let parts = mapTypes.get(mapType);
  if (parts === undefined) {
    const m = /^map\[([^\]]*)\](.*)$/.exec(mapType);
    parts = { key: (m?.[1] ?? 'interface {}').replace(/^any$/, 'interface {}'), elem: m?.[2] ?? '' };
    if (mapTypes.size < 1000) mapTypes.set(mapType, parts);
  }
  return parts;
}

export class Tainted extends GoTyped {
  constructor(
    readonly value: GoValue,
    readonly structured?: { data: unknown },
    /** Where the pod wrote it, for the error that names it. */
    readonly source?: TaintSource,
  ) {
    super();
  }
  /** Fields read off this value, each handed out once: a chain such as .ObjectMeta.Annotations runs ~50 times a render. */
  private fields: Map<string, Tainted> | undefined;
  /** Field `name` of this value, which is `value`: Tainted, its source this one's child. */
  child(name: string, value: GoValue): Tainted {
    const known = this.fields?.get(name);
    if (known !== undefined && known.value === value) return known;
    const t = new Tainted(value, undefined, childSource(this, name));
    this.fields ??= new Map();
    this.fields.set(name, t);
    return t;
  }
  /** The names read from the root down to this value (for describing where the pod wrote it). */
  path(): string[] {
    const path: string[] = [];
    for (let t: TaintSource | undefined = this.source, n = 0; t !== undefined && n < 64; t = t.parent, n++) if (t.key !== undefined) path.push(t.key);
    return path.reverse();
  }
  goType(): string {
    return typeOf(this.value);
  }
  kind(): ReturnType<GoTyped['kind']> {
    return kindOf(this.value);
  }
  toJSONValue(): unknown {
    return this.value instanceof GoTyped ? this.value.toJSONValue() : this.value;
  }
}

export type GoValue = undefined | null | boolean | string | number | bigint | GoValue[] | GoMap | GoTyped;
export interface GoMap {
  [key: string]: GoValue;
}

/**
 * A template function: Go's arity and argument type checks come from `params` (Go's reflect signature),
 * and an Error thrown by `call` is Go's `error` result ("error calling NAME: message").
 */
export interface GoFunction {
  /** Go types of the parameters: 'any' (interface{}), 'string', 'int', 'bool', 'float64', '[]string', '[]any', 'map[string]any', ... */
  params: readonly string[];
  /** The element type of a trailing ...param, if variadic. */
  variadic?: string;
  /**
   * How a result made from a pod-controlled (Tainted) argument is marked: 'serializes' (toJSON, toYaml: the
   * text is structured data the caller can parse back), 'preserves' (indent, nindent, quote: structured iff
   * the tainted argument was); by default a plain tainted value that must land inside one scalar.
   */
  taint?: 'serializes' | 'preserves';
  /**
   * sprig's append/push: the result is a new list, the first argument's items and then the second. The
   * executor may then run `$x = append $x v` in place while nothing else can see $x's list (exec/append.ts).
   */
  appends?: true;
  /** Changes a map it is given (sprig's set, unset, merge): a statement calling it has effects beyond its output. */
  mutates?: true;
  /** Untainted arguments (the executor unwraps and re-taints the result when an argument was tainted). */
  call(...args: GoValue[]): GoValue;
}

/** The zero value of a Go type named as goType() names it, for the types the value model holds directly. */
export function zeroOfType(type: string): GoValue {
  if (type === 'string') return '';
  if (type === 'bool') return false;
  if (type === 'float64' || type === 'float32') return 0;
  if (/^int(8|16|32|64)?$/.test(type)) return 0n;
  return null;
}

/** Unwraps a Tainted value; anything else as it is. */
export function untaint(v: GoValue): GoValue {
  return v instanceof Tainted ? v.value : v;
}

export function isGoMap(v: unknown): v is GoMap {
  if (typeof v !== 'object' || v === null || Array.isArray(v) || v instanceof GoTyped) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** The reflect.Kind family of any value (undefined and null: 'interface', as a nil interface). */
export function kindOf(v: GoValue): ReturnType<GoTyped['kind']> {
  switch (typeof v) {
    case 'boolean':
      return 'bool';
    case 'string':
      return 'string';
    case 'number':
      return 'float';
    case 'bigint':
      return 'int';
    case 'undefined':
      return 'interface';
  }
  if (v === null) return 'interface';
  if (Array.isArray(v)) return 'slice';
  if (v instanceof GoTyped) return v.kind();
  return 'map';
}

/** %T of any value. */
export function typeOf(v: GoValue): string {
  switch (typeof v) {
    case 'boolean':
      return 'bool';
    case 'string':
      return 'string';
    case 'number':
      return 'float64';
    case 'bigint':
      return 'int';
    case 'undefined':
      return '<nil>';
  }
  if (v === null) return '<nil>';
  if (Array.isArray(v)) return '[]interface {}';
  if (v instanceof GoTyped) return v.goType();
  return 'map[string]interface {}';
}
