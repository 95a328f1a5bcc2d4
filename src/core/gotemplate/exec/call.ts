// Function calls as Go's evalCall (exec.go): arity, argument conversion to the parameter's Go type
// (validateType), and/or short-circuit, the call builtin, error wrapping, and the taint rule: a Tainted
// argument is unwrapped for the function and its result comes back Tainted.
import type { ArgNode } from '../ast.ts';
import { childSource, type GoFunction, GoTyped, type GoValue, Tainted, type TaintSource, typeOf } from '../value.ts';
import type { Builtin } from './builtins.ts';
import { truth } from './compare.ts';
import { type AnyNode, nodeString } from './nodes.ts';
import type { ExecState, Frame } from './state.ts';
import { GoFuncValue, GoInterface } from './values.ts';

export const MISSING: unique symbol = Symbol('missing');
/** The value a pipeline passes on to its next command, or MISSING for the first one. */
export type Final = GoValue | typeof MISSING;

export type ParamKind = 'bool' | 'int' | 'uint' | 'float' | 'complex' | 'string' | 'any' | 'value' | 'other';
export interface ParamType {
  /** As reflect prints it: "interface {}", "[]string". */
  name: string;
  kind: ParamKind;
  canBeNil: boolean;
}
/** An argument evaluated for a parameter of the given type (Go's evalArg). */
export type ArgFn = (s: ExecState, dot: GoValue, vars: Frame, p: ParamType) => GoValue;

const NIL_INTERFACES = new Set(['error', 'fmt.Stringer', 'proto.Message', 'protoreflect.ProtoMessage']);
const PARAM_KINDS: Record<string, ParamKind> = { bool: 'bool', string: 'string', 'interface {}': 'any', 'reflect.Value': 'value' };
for (const t of ['int', 'int8', 'int16', 'int32', 'int64']) PARAM_KINDS[t] = 'int';
for (const t of ['uint', 'uint8', 'uint16', 'uint32', 'uint64', 'uintptr']) PARAM_KINDS[t] = 'uint';
for (const t of ['float32', 'float64']) PARAM_KINDS[t] = 'float';
for (const t of ['complex64', 'complex128']) PARAM_KINDS[t] = 'complex';

const paramCache = new Map<string, ParamType>();
export function paramType(raw: string): ParamType {
  let p = paramCache.get(raw);
  if (p === undefined) {
    const name = raw.replace(/\binterface ?\{\}|\bany\b/g, 'interface {}');
    const kind = PARAM_KINDS[name] ?? 'other';
    const canBeNil = kind === 'any' || kind === 'value' || /^(\[\]|map\[|\*|func|chan)/.test(name) || NIL_INTERFACES.has(name);
    p = { name, kind, canBeNil };
    paramCache.set(raw, p);
  }
  return p;
}
export const VALUE_PARAM = paramType('reflect.Value');

interface Signature {
  fixed: ParamType[];
  variadic: ParamType | undefined;
}
const signatures = new WeakMap<GoFunction, Signature>();
function signatureOf(fn: GoFunction): Signature {
  let sig = signatures.get(fn);
  if (sig === undefined) {
    sig = { fixed: fn.params.map(paramType), variadic: fn.variadic === undefined ? undefined : paramType(fn.variadic) };
    signatures.set(fn, sig);
  }
  return sig;
}

/** validateType: the value converted for a parameter of type p, or Go's error. */
export function validateType(s: ExecState, value: GoValue, p: ParamType): GoValue {
  if (value === undefined) {
    if (p.kind === 'value') return undefined;
    if (p.canBeNil) return null;
    s.errorf(`invalid value; expected ${p.name}`);
  }
  if (p.kind === 'any' || p.kind === 'value') return value;
  const inner = value instanceof Tainted ? value.value : value;
  const type = inner === null ? 'interface {}' : typeOf(inner);
  if (type === p.name || (inner instanceof GoTyped && inner.assignableTo(p.name))) return value;
  return s.errorf(`wrong type for value; expected ${p.name}; got ${type}`);
}

/** The data a serializer wrote, with the marks taken off: what its text must parse back to. */
function plainData(v: GoValue): unknown {
  if (v instanceof Tainted) return plainData(v.value);
  if (v instanceof GoTyped) return v.toJSONValue();
  if (Array.isArray(v)) return v.map(plainData);
  if (typeof v === 'object' && v !== null) return Object.fromEntries(Object.entries(v).map(([k, e]) => [k, plainData(e)]));
  return v;
}

/**
 * Where a function's tainted result was read from, for the error that names it: `index` of a collection
 * and Istio's `annotation` read one key of it; any other function's result comes from its first tainted argument.
 */
function taintFrom(name: string, argv: readonly GoValue[], tainted: readonly Tainted[]): TaintSource | undefined {
  const first = tainted[0]!;
  if (name === 'index' && argv.length === 2 && (typeof argv[1] === 'string' || typeof argv[1] === 'bigint'))
    return childSource(first, String(argv[1]));
  if (name === 'annotation' && typeof argv[1] === 'string') return { parent: childSource(first, 'Annotations'), key: argv[1] };
  return first.source;
}

/** The data a serializer's tainted result holds, worked out when asked: only a printed one needs it (a check). */
class SerializedData {
  private value: unknown;
  private done = false;
  constructor(private readonly source: GoValue) {}
  get data(): unknown {
    if (!this.done) {
      this.value = plainData(this.source);
      this.done = true;
    }
    return this.value;
  }
}

function structuredResult(fn: GoFunction, tainted: Tainted[]): { data: unknown } | undefined {
  if (fn.taint === 'serializes') return new SerializedData(tainted[0]?.value);
  if (fn.taint === 'preserves') return tainted.find((t) => t.structured !== undefined)?.structured;
  return undefined;
}

/** The call builtin: calls a function value with Go's checks (funcs.go call). */
function callFunctionValue(name: string, fnv: GoValue, args: GoValue[]): GoValue {
  if (fnv === undefined || fnv === null) throw new Error('call of nil');
  if (!(fnv instanceof GoFuncValue)) throw new Error(`non-function ${name} of type ${typeOf(fnv)}`);
  const sig = signatureOf(fnv.fn);
  const numIn = sig.fixed.length + (sig.variadic ? 1 : 0);
  if (sig.variadic && args.length < numIn - 1) throw new Error(`wrong number of args for ${name}: got ${args.length} want at least ${numIn - 1}`);
  if (!sig.variadic && args.length !== numIn) throw new Error(`wrong number of args for ${name}: got ${args.length} want ${numIn}`);
  const argv = args.map((arg, i) => {
    const p = (i < sig.fixed.length ? sig.fixed[i] : sig.variadic) as ParamType;
    if (arg === undefined || arg === null) {
      if (!p.canBeNil) throw new Error(`arg ${i}: value is nil; should be of type ${p.name}`);
      return p.kind === 'value' ? undefined : null;
    }
    if (p.kind === 'any' || p.kind === 'value' || typeOf(arg) === p.name || (arg instanceof GoTyped && arg.assignableTo(p.name))) return arg;
    throw new Error(`arg ${i}: value has type ${typeOf(arg)}; should be ${p.name}`);
  });
  return fnv.fn.call(...argv);
}

// slice, unlike index, does not look inside an interface{} index: its error names the static type
function sliceIndex(s: ExecState, v: GoValue): GoValue {
  return s.argIface && v !== undefined ? new GoInterface(v) : v;
}

function evalArgs(s: ExecState, dot: GoValue, vars: Frame, sig: Signature, args: readonly ArgFn[], final: Final, isSlice: boolean): GoValue[] {
  const numIn = args.length + (final === MISSING ? 0 : 1);
  const numFixed = sig.variadic ? sig.fixed.length : args.length;
  const argv = new Array<GoValue>(numIn);
  let i = 0;
  for (; i < numFixed && i < args.length; i++) argv[i] = (args[i] as ArgFn)(s, dot, vars, sig.fixed[i] as ParamType);
  if (sig.variadic)
    for (; i < args.length; i++) {
      const v = (args[i] as ArgFn)(s, dot, vars, sig.variadic);
      argv[i] = isSlice ? sliceIndex(s, v) : v;
    }
  if (final !== MISSING) {
    const p = sig.variadic ? (numIn - 1 < numFixed ? sig.fixed[numIn - 1] : sig.variadic) : sig.fixed[sig.fixed.length - 1];
    argv[i] = validateType(s, final, p as ParamType);
  }
  return argv;
}

/** What a call needs to know of its function, worked out once per call site (or per method name). */
export interface CallSite {
  fn: GoFunction;
  name: string;
  sig: Signature;
  /** The builtin it is, if it is one. */
  builtin: Builtin | undefined;
  /** and/or short-circuit; call; len; slice; anything else. */
  special: 'and' | 'or' | 'call' | 'len' | 'slice' | undefined;
  /**
   * A call site of the template (not a method's) remembers its last call whose arguments and result were
   * all immutable (render/reuse.ts: frozen means deeply frozen), as `toYaml .Values.x | indent 8`'s are.
   * The functions are deterministic (funcs/index.ts leaves out clock and random ones), so the same
   * arguments give the same result: it is not computed again.
   */
  remembers?: boolean;
  last?: { args: readonly GoValue[]; result: GoValue };
}

export function callSite(fn: GoFunction, name: string): CallSite {
  const builtin = (fn as Builtin).builtin === true ? (fn as Builtin) : undefined;
  const special = builtin && (name === 'and' || name === 'or' || name === 'call' || name === 'len' || name === 'slice') ? name : undefined;
  return { fn, name, sig: signatureOf(fn), builtin, special };
}

/** The call itself, its failure Go's "error calling". */
function invoke(s: ExecState, site: CallSite, node: AnyNode, argNodes: readonly ArgNode[], argv: GoValue[]): GoValue {
  const { fn, name, special } = site;
  try {
    if (special === 'call') {
      const callee = argNodes.length > 0 ? nodeString(argNodes[0] as ArgNode) : typeof argv[0] === 'string' ? argv[0] : `<${typeOf(argv[0])} Value>`;
      return callFunctionValue(callee, argv[0], argv.slice(1));
    }
    if (special === 'len') return s.lengthOf(argv[0], () => fn.call(...argv));
    return fn.call(...argv);
  } catch (e) {
    if (e instanceof RangeError || (e as { code?: string }).code === 'LIMIT_EXCEEDED') throw e;
    s.node = node;
    return s.errorf(`error calling ${name}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** A value no call can change and no later call can tell apart from an equal one: a primitive, or frozen data. */
const isImmutable = (v: GoValue): boolean => typeof v !== 'object' || v === null || (!(v instanceof GoTyped) && Object.isFrozen(v));

function sameArgs(a: readonly GoValue[], b: readonly GoValue[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * evalCall: `node` is what an "error calling" names (the command, or the field for a method); the caller
 * has set s.node where Go's arity errors point.
 */
export function evalCall(
  s: ExecState,
  dot: GoValue,
  vars: Frame,
  site: CallSite,
  node: AnyNode,
  args: readonly ArgFn[],
  argNodes: readonly ArgNode[],
  final: Final,
): GoValue {
  const { fn, name, sig, builtin, special } = site;
  const numIn = args.length + (final === MISSING ? 0 : 1);
  if (sig.variadic) {
    if (numIn < sig.fixed.length) s.errorf(`wrong number of args for ${name}: want at least ${sig.fixed.length} got ${args.length}`);
  } else if (numIn !== sig.fixed.length) s.errorf(`wrong number of args for ${name}: want ${sig.fixed.length} got ${numIn}`);
  if (special === 'and' || special === 'or') {
    let v: GoValue;
    for (const arg of args) {
      v = arg(s, dot, vars, VALUE_PARAM);
      if (truth(v) === (special === 'or')) return v;
    }
    return final === MISSING ? v : final;
  }
  const argv = evalArgs(s, dot, vars, sig, args, final, special === 'slice');
  let tainted: Tainted[] | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    let t: Tainted | undefined;
    if (a instanceof Tainted) {
      t = a;
      argv[i] = a.value;
    } else if (builtin === undefined && s.holdsTaint(a)) t = new Tainted(a);
    if (t === undefined) continue;
    if (tainted === undefined) tainted = [t];
    else tainted.push(t);
  }
  let result: GoValue;
  const last = tainted === undefined ? site.last : undefined;
  if (last !== undefined && sameArgs(last.args, argv)) result = last.result;
  else {
    result = invoke(s, site, node, argNodes, argv);
    if (site.remembers && tainted === undefined && special === undefined && isImmutable(result) && argv.every(isImmutable))
      site.last = { args: argv, result };
  }
  if (typeof result === 'string') s.produce(result.length);
  if (
    tainted !== undefined &&
    (builtin === undefined || builtin.keepsTaint) &&
    result !== undefined &&
    result !== null &&
    !(result instanceof Tainted)
  )
    result = new Tainted(result, structuredResult(fn, tainted), taintFrom(name, argv, tainted));
  else if (result instanceof Tainted && result.source === undefined && tainted !== undefined)
    result = new Tainted(result.value, result.structured, tainted[0]!.source); // printf of a pod value: that value's source
  return result;
}
