// `{{ $x = append $x v }}` in place. sprig's append copies its list, so a template collecting names in a
// range (Istio's sidecar template: `$containers = append $containers $container.Name`) is quadratic: 20,000
// containers were 200 million copied items. The copy is unobservable while nothing but the variable holds
// the list, so the first such statement makes the list as sprig does, the variable then owns it (a
// PendingList) and later ones append to it; any other read of the variable ends that (expr.ts readVar).
import type { ActionNode, ArgNode } from '../ast.ts';
import { Tainted } from '../value.ts';
import { paramType } from './call.ts';
import { compileArg } from './expr.ts';
import type { CompileContext } from './scope.ts';
import { type ExecState, type Frame, PendingList } from './state.ts';

type Stmt = (s: ExecState, dot: import('../value.ts').GoValue, vars: Frame) => number;
const ANY = paramType('interface {}');

// an element that cannot declare variables (so compiling it again changes no slot) nor read the list itself
const SIMPLE_ELEMENT = new Set<ArgNode['kind']>(['field', 'variable', 'dot', 'string', 'number', 'bool', 'identifier']);

/**
 * The statement `{{ $x = append $x v }}` (append, push and their must- forms as the function map marks
 * them) done in place, the generic statement `generic` doing the first one; undefined for any other action.
 */
export function compileAppendInPlace(n: ActionNode, generic: Stmt, ctx: CompileContext): Stmt | undefined {
  const p = n.pipe;
  if (!p.isAssign || p.decl.length !== 1 || p.cmds.length !== 1) return undefined;
  const [fnNode, listNode, elemNode, ...more] = p.cmds[0]!.args;
  const name = p.decl[0]!.ident[0];
  if (more.length > 0 || fnNode?.kind !== 'identifier' || listNode?.kind !== 'variable' || elemNode === undefined) return undefined;
  if (ctx.functions.get(fnNode.ident)?.appends !== true) return undefined;
  if (p.decl[0]!.ident.length !== 1 || listNode.ident.length !== 1 || listNode.ident[0] !== name) return undefined;
  if (!SIMPLE_ELEMENT.has(elemNode.kind) || (elemNode.kind === 'variable' && elemNode.ident[0] === name)) return undefined;
  const slot = ctx.scope.assign(name!);
  if (slot < 0) return undefined;
  const element = compileArg(elemNode, ctx);
  return (s, dot, vars) => {
    const owned = vars.values[slot];
    if (!(owned instanceof PendingList)) {
      const r = generic(s, dot, vars);
      const made = vars.values[slot];
      const items = made instanceof Tainted ? made.value : made;
      // the list append just made: no one else has it
      if (Array.isArray(items) && !(made instanceof Tainted && made.structured !== undefined))
        vars.values[slot] = new PendingList(items, made instanceof Tainted, made instanceof Tainted ? made.source : undefined);
      return r;
    }
    // what the generic statement does, without the copy: the same steps, taint rule and result
    s.step();
    s.node = n;
    s.step();
    s.node = fnNode;
    let v = element(s, dot, vars, ANY);
    if (v instanceof Tainted) {
      owned.tainted = true;
      owned.source ??= v.source; // as the copying append: the list's source is its first tainted part's
      v = v.value;
    } else if (s.holdsTaint(v)) owned.tainted = true;
    owned.items.push(v);
    vars.iface[slot] = false;
    return 0;
  };
}
