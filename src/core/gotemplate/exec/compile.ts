// Statements compiled to closures, after Go's walk, walkIfOrWith, walkRange and walkTemplate (exec.go).
// A statement returns 0, or BREAK/CONTINUE for the enclosing range: no exceptions for control flow.
import type { ActionNode, BranchNode, ListNode, Node, RangeNode, TemplateNode } from '../ast.ts';
import { describeTaint } from '../safety/taint-source.ts';
import { GoTyped, type GoValue, Tainted, isGoMap } from '../value.ts';
import { goQuote } from '../tokens.ts';
import { compileAppendInPlace } from './append.ts';
import { truth } from './compare.ts';
import { type Pipeline, compilePipeline } from './expr.ts';
import { formatValue } from './fmt-print.ts';
import { nodeString } from './nodes.ts';
import type { CompileContext } from './scope.ts';
import { type ExecState, Frame } from './state.ts';
import { compareGoStrings } from './strings.ts';
import { GoInt, GoUint } from './values.ts';

export type Stmt = (s: ExecState, dot: GoValue, vars: Frame) => number;
const NEXT = 0;
const BREAK = 1;
const CONTINUE = 2;
const noop: Stmt = () => NEXT;

export function compileList(list: ListNode | undefined, ctx: CompileContext): Stmt {
  const stmts = (list?.nodes ?? []).map((n) => compileNode(n, ctx));
  if (stmts.length === 0) return noop;
  if (stmts.length === 1) return stmts[0] as Stmt;
  return (s, dot, vars) => {
    for (let i = 0; i < stmts.length; i++) {
      const r = (stmts[i] as Stmt)(s, dot, vars);
      if (r !== NEXT) return r;
    }
    return NEXT;
  };
}

export function compileNode(n: Node, ctx: CompileContext): Stmt {
  switch (n.kind) {
    case 'text': {
      const text = n.text;
      return (s) => {
        s.step();
        s.write(text);
        return NEXT;
      };
    }
    case 'action':
      return compileAction(n, ctx);
    case 'if':
    case 'with':
      return compileIfOrWith(n, n.kind === 'with', ctx);
    case 'range':
      return compileRange(n, ctx);
    case 'template':
      return compileTemplateCall(n, ctx);
    case 'break':
      return () => BREAK;
    case 'continue':
      return () => CONTINUE;
    case 'list':
      return compileList(n, ctx);
  }
}

/** printValue: how an action prints its value (invalid: <no value>; Tainted: marked span). */
function printValue(s: ExecState, node: ActionNode, v: GoValue): void {
  if (typeof v === 'string') {
    s.write(v);
    return;
  }
  const mark = v instanceof Tainted ? v : undefined;
  const inner = mark === undefined ? v : mark.value;
  if (inner === undefined) {
    s.write('<no value>');
    return;
  }
  let text: string;
  let nestedMark = false;
  if (typeof inner === 'string') text = inner;
  else {
    if (inner instanceof GoTyped && inner.kind() === 'func') {
      s.node = node;
      s.errorf(`can't print ${nodeString(node)} of type ${inner.goType()}`);
    }
    const f = formatValue(inner);
    nestedMark = f.tainted;
    // Go prints what a pointer points to (printableValue): a struct's {..}, not fmt's &{..}
    text = inner instanceof GoTyped && inner.kind() === 'ptr' && f.text.startsWith('&{') ? f.text.slice(1) : f.text;
  }
  if (mark !== undefined || nestedMark)
    s.writeTainted(text, mark?.structured, () => `${nodeString(node)} (template line ${node.line})`, mark && (() => describeTaint(mark)));
  else s.write(text);
}

function compileAction(n: ActionNode, ctx: CompileContext): Stmt {
  const pipe = compilePipeline(n.pipe, ctx).run;
  if (n.pipe.decl.length > 0) {
    const assign: Stmt = (s, dot, vars) => {
      s.step();
      s.node = n;
      pipe(s, dot, vars);
      return NEXT;
    };
    return compileAppendInPlace(n, assign, ctx) ?? assign;
  }
  return (s, dot, vars) => {
    s.step();
    s.node = n;
    printValue(s, n, pipe(s, dot, vars));
    return NEXT;
  };
}

/** Compiles pipeline and branches in a scope of their own; [first, end) are the slots declared inside. */
interface Branches {
  pipe: Pipeline;
  list: Stmt;
  elseList: Stmt | undefined;
  /** Slots declared inside: [first, end); the body's own from bodyFirst. */
  first: number;
  bodyFirst: number;
  end: number;
}
function branches(n: BranchNode, ctx: CompileContext): Branches {
  const mark = ctx.scope.mark();
  const first = ctx.scope.nextSlot;
  const pipe = compilePipeline(n.pipe, ctx);
  const bodyFirst = ctx.scope.nextSlot;
  const afterPipe = ctx.scope.mark();
  const list = compileList(n.list, ctx);
  // the parser lets else name what the body declared, but at run time Go has popped it (or never pushed it)
  ctx.scope.pop(afterPipe);
  const elseList = n.elseList === undefined ? undefined : compileList(n.elseList, ctx);
  ctx.scope.pop(mark);
  return { pipe, list, elseList, first, bodyFirst, end: ctx.scope.nextSlot };
}

function compileIfOrWith(n: BranchNode, isWith: boolean, ctx: CompileContext): Stmt {
  const {
    pipe: { run: pipe },
    list,
    elseList,
    first,
    end,
  } = branches(n, ctx);
  return (s, dot, vars) => {
    s.step();
    s.node = n as Node;
    if (end > first) vars.reset(first, end);
    const v = pipe(s, dot, vars);
    if (truth(v)) {
      if (!isWith) return list(s, dot, vars);
      const iface = s.dotIface;
      s.dotIface = false;
      const r = list(s, v, vars);
      s.dotIface = iface;
      return r;
    }
    return elseList === undefined ? NEXT : elseList(s, dot, vars);
  };
}

/** x read from `from` (a ranged collection): tainted when the collection is, its source the collection's. */
const taintIf = (from: GoValue, x: GoValue): GoValue =>
  from instanceof Tainted && x !== undefined && x !== null && !(x instanceof Tainted) ? new Tainted(x, undefined, from.source) : x;

type Iteration = (index: GoValue, elem: GoValue) => number;

/** Calls `each` per element as Go's walkRange orders them; false if there were none. Throws Go's errors. */
function iterate(s: ExecState, val: GoValue, decls: number, each: Iteration): boolean {
  const v = val instanceof Tainted ? val.value : val;

  let items: ReadonlyArray<readonly [GoValue, GoValue]> | undefined;
  let count: bigint | undefined;
  if (typeof v === 'bigint') count = v;
  else if (v instanceof GoTyped && (v.kind() === 'int' || v.kind() === 'uint') && typeof v.scalar() === 'bigint') count = v.scalar() as bigint;
  if (count !== undefined) {
    if (decls > 1) s.errorf(`can't use ${formatValue(v).text} to iterate over more than one variable`);
    // the elements have the range value's own type (a byte ranges over uint8s, an int32 over int32s)
    const type = v instanceof GoTyped ? v.goType() : undefined;
    const typed =
      type === undefined
        ? (i: bigint): GoValue => i
        : v instanceof GoUint
          ? (i: bigint): GoValue => new GoUint(type, i)
          : (i: bigint): GoValue => new GoInt(type, i);
    for (let i = 0n; i < count; i++) if (each(undefined, typed(i)) === BREAK) break;
    return count > 0n;
  }
  if (Array.isArray(v)) {
    // the index too: how many elements there are is the pod's
    for (let i = 0; i < v.length; i++) if (each(taintIf(val, BigInt(i)), taintIf(val, v[i])) === BREAK) break;
    return v.length > 0;
  }
  if (isGoMap(v)) {
    const keys = Object.keys(v).sort(compareGoStrings);
    for (const k of keys) if (each(taintIf(val, k), taintIf(val, v[k])) === BREAK) break;
    return keys.length > 0;
  }
  if (v instanceof GoTyped && v.kind() === 'slice') {
    // one element at a time: a slice of the pod's (20,000 containers) is not built whole and kept for the loop
    const n = v.isNil() ? 0 : v.length();
    for (let i = 0; i < n; i++) if (each(taintIf(val, BigInt(i)), taintIf(val, v.elementAt(i))) === BREAK) break;
    return n > 0;
  }
  if (v instanceof GoTyped && v.kind() === 'map') items = v.isNil() ? [] : (v.entries() ?? []);
  if (v === undefined || v === null) return false; // Go: an invalid (nil) value ranges over nothing
  if (items === undefined) {
    const source = val instanceof Tainted ? ` (${describeTaint(val)} is not a map or a list)` : '';
    return s.errorf(`range can't iterate over ${formatValue(v).text}${source}`);
  }
  const keyed = v instanceof GoTyped && v.kind() === 'map';
  for (let i = 0; i < items.length; i++) {
    const [k, e] = items[i] as readonly [GoValue, GoValue];
    if (each(taintIf(val, keyed ? k : BigInt(i)), taintIf(val, e)) === BREAK) break;
  }
  return items.length > 0;
}

function compileRange(n: RangeNode, ctx: CompileContext): Stmt {
  const { pipe, list, elseList, first, bodyFirst, end } = branches(n, ctx);
  const slots = pipe.slots;
  const [indexSlot, elemSlot] = slots.length === 2 ? slots : [undefined, slots[0]];
  return (s, dot, vars) => {
    s.step();
    s.node = n;
    if (end > first) vars.reset(first, end);
    const val = pipe.run(s, dot, vars);
    const iface = s.dotIface;
    const inner = val instanceof Tainted ? val.value : val;
    const elemIface = Array.isArray(inner) || isGoMap(inner);
    const ran = iterate(s, val, slots.length, (index, elem) => {
      s.step();
      if (elemSlot !== undefined) vars.set(elemSlot, elem, elemIface);
      if (indexSlot !== undefined) vars.set(indexSlot, index, false);
      if (end > bodyFirst) vars.reset(bodyFirst, end);
      s.dotIface = elemIface;
      const r = list(s, elem, vars);
      s.dotIface = iface;
      return r;
    });
    if (!ran && elseList !== undefined) return elseList(s, dot, vars);
    return NEXT;
  };
}

function compileTemplateCall(n: TemplateNode, ctx: CompileContext): Stmt {
  const pipe = n.pipe === undefined ? undefined : compilePipeline(n.pipe, ctx).run;
  const target = ctx.templates.get(n.name);
  return (s, dot, vars) => {
    s.step();
    s.node = n;
    if (target?.run === undefined) return s.errorf(`template ${goQuote(n.name)} not defined`);
    if (s.depth >= s.limits.maxDepth) s.limitError(`exceeded maximum template depth (${s.limits.maxDepth})`);
    const newDot = pipe === undefined ? undefined : pipe(s, dot, vars);
    const [name, iface] = [s.tmplName, s.dotIface];
    s.depth++;
    s.tmplName = target.name;
    s.dotIface = false;
    target.run(s, newDot, new Frame(target.frameSize, newDot));
    s.depth--;
    s.tmplName = name;
    s.dotIface = iface;
    return NEXT;
  };
}
