// Pipelines, commands, arguments and field chains compiled to closures, after Go's evalPipeline,
// evalCommand, evalArg and evalField (exec.go). Each closure sets s.node where Go calls s.at, so errors
// name the node Go names.
import type { ArgNode, CommandNode, PipeNode } from '../ast.ts';
import { type GoFunction, GoTyped, type GoValue, Tainted, isGoMap, typeOf } from '../value.ts';
import { BUILTINS } from './builtins.ts';
import { type ArgFn, type CallSite, type Final, MISSING, callSite, evalCall, validateType } from './call.ts';
import { nodeString } from './nodes.ts';
import type { CompileContext } from './scope.ts';
import { type ExecState, type Frame, PendingList, UNSET } from './state.ts';
import { goQuote } from '../tokens.ts';
import { idealConstant, literalArg } from './constants.ts';

export type Expr = (s: ExecState, dot: GoValue, vars: Frame) => GoValue;
/** A pipeline and the slots its declarations assign. */
export interface Pipeline {
  run: Expr;
  slots: readonly number[];
}
type Cmd = (s: ExecState, dot: GoValue, vars: Frame, final: Final) => GoValue;

const NO_ARGS: readonly ArgFn[] = [];
const NO_ARG_NODES: readonly ArgNode[] = [];
const UNSAFE_KEYS = new Set([...Object.getOwnPropertyNames(Object.prototype), '__proto__']);
function mapField(m: Record<string, GoValue>, name: string, unsafe: boolean): GoValue {
  if (unsafe && !Object.hasOwn(m, name)) return undefined;
  return m[name];
}

/**
 * evalField: .name on receiver; `iface` says the receiver's static type is interface{} (for the message).
 * Leaves in s.fieldIface whether the result's static type is interface{} (the receiver was a map).
 */
function evalField(
  s: ExecState,
  dot: GoValue,
  vars: Frame,
  name: string,
  node: ArgNode,
  args: readonly ArgFn[],
  argNodes: readonly ArgNode[],
  final: Final,
  receiver: GoValue,
  iface: boolean,
): GoValue {
  s.fieldIface = false;
  if (receiver === undefined) return undefined;
  const tainted = receiver instanceof Tainted;
  const r = tainted ? receiver.value : receiver;
  if (r === undefined) return undefined;
  if (r === null) s.errorf(`nil pointer evaluating interface {}.${name}`);
  const hasArgs = args.length > 0 || final !== MISSING;
  const isMap = isGoMap(r);
  let result: GoValue;
  if (isMap) {
    if (hasArgs) s.errorf(`${name} is not a method but has arguments`);
    result = mapField(r, name, UNSAFE_KEYS.has(name));
  } else if (r instanceof GoTyped) result = typedField(s, dot, vars, r, name, node, args, argNodes, final, hasArgs, iface);
  else s.errorf(`can't evaluate field ${name} in type ${iface ? 'interface {}' : typeOf(r)}`);
  s.fieldIface = isMap;
  return tainted && result !== undefined && result !== null && !(result instanceof Tainted) ? (receiver as Tainted).child(name, result) : result;
}

/** GoTyped.field, its errors as Go reports them: a nil pointer's at the node, a failing method's as a call's. */
function typedFieldOf(s: ExecState, r: GoTyped, name: string): { value: GoValue } | undefined {
  try {
    return r.field(name);
  } catch (e) {
    if (e instanceof RangeError || (e as { code?: string }).code !== undefined) throw e;
    const message = e instanceof Error ? e.message : String(e);
    return s.errorf(message.startsWith('nil pointer evaluating ') ? message : `error calling ${name}: ${message}`);
  }
}

function typedField(
  s: ExecState,
  dot: GoValue,
  vars: Frame,
  r: GoTyped,
  name: string,
  node: ArgNode,
  args: readonly ArgFn[],
  argNodes: readonly ArgNode[],
  final: Final,
  hasArgs: boolean,
  iface: boolean,
): GoValue {
  if (hasArgs) {
    const m = r.method(name);
    if (m !== undefined) return evalCall(s, dot, vars, callSite(m, name), node, args, argNodes, final);
  }
  const f = typedFieldOf(s, r, name);
  if (f !== undefined) {
    if (hasArgs)
      s.errorf(r.kind() === 'map' ? `${name} is not a method but has arguments` : `${name} has arguments but cannot be invoked as function`);
    return f.value;
  }
  const m = r.method(name);
  if (m !== undefined) return evalCall(s, dot, vars, callSite(m, name), node, args, argNodes, final);
  if (r.isNil()) s.errorf(`nil pointer evaluating ${r.goType()}.${name}`);
  return s.errorf(`can't evaluate field ${name} in type ${iface ? 'interface {}' : r.goType()}`);
}

function evalFieldChain(
  s: ExecState,
  dot: GoValue,
  vars: Frame,
  receiver: GoValue,
  iface: boolean,
  node: ArgNode,
  ident: readonly string[],
  args: readonly ArgFn[],
  argNodes: readonly ArgNode[],
  final: Final,
): GoValue {
  let r = receiver;
  let rIface = iface;
  const last = ident.length - 1;
  for (let i = 0; i < last; i++) {
    r = evalField(s, dot, vars, ident[i] as string, node, NO_ARGS, NO_ARG_NODES, MISSING, r, rIface);
    rIface = s.fieldIface;
  }
  const v = evalField(s, dot, vars, ident[last] as string, node, args, argNodes, final, r, rIface);
  s.argIface = s.fieldIface;
  return v;
}

/**
 * A field chain such as .Values.global.proxy.image: when its first field is a frozen object (the settings'
 * values and mesh, which never change: the rule in render/reuse.ts), the rest of the chain reads the same
 * value every time, so it is read once per receiver and remembered at this site (Istio's sidecar template
 * has about 100 such chains, each walked on every render before).
 */
function compileFrozenTail(first: ArgNode & { kind: 'field' }): Cmd {
  const head = first.ident[0] as string;
  const rest = first.ident.slice(1);
  let receiver: object | undefined;
  let value: GoValue;
  let iface = false;
  return (s, dot, vars, final) => {
    s.node = first;
    if (final !== MISSING) return evalFieldChain(s, dot, vars, dot, s.dotIface, first, first.ident, NO_ARGS, NO_ARG_NODES, final);
    const r = evalField(s, dot, vars, head, first, NO_ARGS, NO_ARG_NODES, MISSING, dot, s.dotIface);
    const rIface = s.fieldIface;
    const frozen = typeof r === 'object' && r !== null && !(r instanceof GoTyped) && Object.isFrozen(r);
    if (frozen && r === receiver) {
      s.argIface = iface;
      return value;
    }
    const v = evalFieldChain(s, dot, vars, r, rIface, first, rest, NO_ARGS, NO_ARG_NODES, MISSING);
    if (frozen) [receiver, value, iface] = [r, v, s.argIface];
    return v;
  };
}

function readVar(s: ExecState, vars: Frame, slot: number, name: string): GoValue {
  const v = slot < 0 ? UNSET : vars.values[slot];
  if (v === UNSET) return s.errorf(`undefined variable: ${name}`);
  if (!(v instanceof PendingList)) return v;
  // read other than by an append to itself: from now on the list is shared, so it holds a plain value
  const value = v.value();
  vars.values[slot] = value;
  return value;
}

export function compileArg(n: ArgNode, ctx: CompileContext): ArgFn {
  switch (n.kind) {
    case 'dot':
      return (s, dot, _vars, p) => {
        s.node = n;
        s.argIface = s.dotIface;
        return validateType(s, dot, p);
      };
    case 'nil':
      return (s, _dot, _vars, p) => {
        s.node = n;
        s.argIface = false;
        if (p.canBeNil) return p.kind === 'value' ? undefined : null;
        return s.errorf(`cannot assign nil to ${p.name}`);
      };
    case 'field':
    case 'variable':
    case 'pipe':
    case 'identifier':
    case 'chain': {
      const cmd = compileWord(n, [], ctx);
      const fieldLike = n.kind === 'field' || n.kind === 'variable' || n.kind === 'chain';
      return (s, dot, vars, p) => {
        s.node = n;
        const v = cmd(s, dot, vars, MISSING);
        if (!fieldLike) s.argIface = false;
        return validateType(s, v, p);
      };
    }
  }
  return (s, _dot, _vars, p) => literalArg(s, n, p);
}

function notAFunction(s: ExecState, args: readonly ArgNode[], first: ArgNode, final: Final): void {
  if (args.length > 0 || final !== MISSING) s.errorf(`can't give argument to non-function ${nodeString(first)}`);
}

/** evalCommand for a command whose first word is `first` and whose other words are `argNodes`. */
function compileWord(first: ArgNode, argNodes: readonly ArgNode[], ctx: CompileContext, cmd?: CommandNode): Cmd {
  const args = argNodes.map((a) => compileArg(a, ctx));
  switch (first.kind) {
    case 'field':
      if (args.length === 0 && first.ident.length > 1) return compileFrozenTail(first);
      return (s, dot, vars, final) => {
        s.node = first;
        return evalFieldChain(s, dot, vars, dot, s.dotIface, first, first.ident, args, argNodes, final);
      };
    case 'chain': {
      const receiver = compileWord(first.node, [], ctx);
      return (s, dot, vars, final) => {
        s.node = first;
        const r = receiver(s, dot, vars, MISSING);
        return evalFieldChain(s, dot, vars, r, false, first, first.field, args, argNodes, final);
      };
    }
    case 'identifier':
      return compileFunction(first.ident, first, cmd ?? first, args, argNodes, ctx);
    case 'pipe': {
      const pipe = compilePipeline(first, ctx).run;
      return (s, dot, vars, final) => {
        notAFunction(s, argNodes, first, final);
        return pipe(s, dot, vars);
      };
    }
    case 'variable': {
      const slot = ctx.scope.lookup(first.ident[0] as string);
      const name = first.ident[0] as string;
      const fields = first.ident.slice(1);
      return (s, dot, vars, final) => {
        s.node = first;
        const v = readVar(s, vars, slot, name);
        if (fields.length === 0) {
          notAFunction(s, argNodes, first, final);
          s.argIface = vars.iface[slot] === true;
          return v;
        }
        return evalFieldChain(s, dot, vars, v, vars.iface[slot] === true, first, fields, args, argNodes, final);
      };
    }
  }
  return (s, dot, _vars, final) => {
    s.node = first;
    notAFunction(s, argNodes, first, final);
    switch (first.kind) {
      case 'bool':
        return first.value;
      case 'dot':
        return dot;
      case 'nil':
        return s.errorf('nil is not a command');
      case 'number':
        return idealConstant(s, first);
      case 'string':
        return first.text;
    }
  };
}

function compileFunction(
  name: string,
  ident: ArgNode,
  node: CommandNode | ArgNode,
  args: readonly ArgFn[],
  argNodes: readonly ArgNode[],
  ctx: CompileContext,
): Cmd {
  const fn: GoFunction | undefined = ctx.functions.get(name) ?? BUILTINS.get(name);
  if (fn?.mutates === true && ctx.scope.uses !== undefined) ctx.scope.uses.mutates = true;
  if (fn === undefined)
    return (s) => {
      s.node = ident;
      return s.errorf(`${goQuote(name)} is not a defined function`);
    };
  const site: CallSite = { ...callSite(fn, name), remembers: true };
  return (s, dot, vars, final) => {
    s.node = ident;
    return evalCall(s, dot, vars, site, node, args, argNodes, final);
  };
}

function compileCommand(cmd: CommandNode, ctx: CompileContext): Cmd {
  const [first, ...rest] = cmd.args as [ArgNode, ...ArgNode[]];
  const word = compileWord(first, rest, ctx, cmd);
  return (s, dot, vars, final) => {
    s.step();
    return word(s, dot, vars, final);
  };
}

/** evalPipeline: the commands, each passing its value on as the next one's last argument, then the declarations. */
export function compilePipeline(pipe: PipeNode, ctx: CompileContext): Pipeline {
  // commands first: `$x := $x` reads an earlier $x, as Go evaluates before it declares
  const cmds = pipe.cmds.map((c) => compileCommand(c, ctx));
  const names = pipe.decl.map((d) => d.ident[0] as string);
  const slots = names.map((name) => (pipe.isAssign ? ctx.scope.assign(name) : ctx.scope.declare(name)));
  // an assignment to an unknown name fails when it runs; the slot declared for it stays unset
  names.forEach((name, i) => {
    if (slots[i] === -1) ctx.scope.declare(name);
  });
  return { run: runPipeline(pipe, cmds, names, slots), slots };
}

function runPipeline(pipe: PipeNode, cmds: readonly Cmd[], names: readonly string[], slots: readonly number[]): Expr {
  const only = cmds.length === 1 && slots.length === 0 ? cmds[0] : undefined;
  if (only !== undefined)
    return (s, dot, vars) => {
      s.node = pipe;
      const v = only(s, dot, vars, MISSING);
      return v === null ? undefined : v;
    };
  return (s, dot, vars) => {
    s.node = pipe;
    let v: Final = MISSING;
    for (const cmd of cmds) {
      v = cmd(s, dot, vars, v);
      if (v === null) v = undefined;
    }
    const value = v as GoValue;
    for (let i = 0; i < slots.length; i++) {
      const slot = slots[i] as number;
      if (slot < 0 || (pipe.isAssign && vars.values[slot] === UNSET)) s.errorf(`undefined variable: ${names[i]}`);
      vars.set(slot, value, false);
    }
    return value;
  };
}
