// A template's top-level statements, one at a time, so that the caller may replay what one printed
// (render/statements.ts): pods of different workloads read the same annotations and settings in most of
// Istio's sidecar template, and differ only in a few statements (the app label, the container names).
// A statement is replayable when all it does is print: it declares or assigns no variable a later
// statement sees, and no statement of the set changes a map in place (sprig's set, unset, merge).
import type { ListNode } from '../ast.ts';
import type { GoValue } from '../value.ts';
import { compileNode, type Stmt } from './compile.ts';
import type { CompileContext, Uses } from './scope.ts';
import type { ExecState, Frame, TaintSpan } from './state.ts';

export interface StatementInfo {
  /** Plain text: run, never kept. */
  text: boolean;
  /** Prints and does nothing else: its output may stand in for running it. */
  replayable: boolean;
  /** Variables (frame slots, $ excluded) it reads, and those it declares or assigns for later statements. */
  reads: readonly number[];
  writes: readonly number[];
}

/** What one statement did to an execution: its text, the pod values in it (offsets from its start), its cost. */
export interface StatementOutput {
  text: string;
  spans: readonly TaintSpan[];
  steps: number;
  produced: number;
}

/** The caller's part in an execution run statement by statement (render/statements.ts). */
export interface StatementHooks {
  /** Every statement runs, each on data of its own (dataFor), and what it did is reported (ran). */
  recording: boolean;
  dataFor(i: number): GoValue | undefined;
  ran(i: number, out: StatementOutput): void;
  /** Not recording: what replayable statement i printed before for data that agrees on all it reads. */
  replay(i: number): StatementOutput | undefined;
}

export interface TopLevel {
  run: Stmt;
  stmts: readonly Stmt[];
  infos: readonly StatementInfo[];
  /** Some statement, here or in a template called, changes a map in place: nothing is replayed. */
  mutates: boolean;
}

/** Compiles the top-level statements of a tree one by one, noting the variables each reads and writes. */
export function compileTopLevel(root: ListNode | undefined, ctx: CompileContext): TopLevel {
  const stmts: Stmt[] = [];
  const infos: StatementInfo[] = [];
  let mutates = false;
  for (const n of root?.nodes ?? []) {
    const uses: Uses = { reads: new Set(), writes: new Set(), mutates: false };
    const before = ctx.scope.nextSlot;
    ctx.scope.uses = uses;
    stmts.push(compileNode(n, ctx));
    ctx.scope.uses = undefined;
    // a top-level declaration stays visible to the statements after it
    for (let slot = before; slot < ctx.scope.nextSlot; slot++) if (ctx.scope.visible(slot)) uses.writes.add(slot);
    mutates ||= uses.mutates;
    infos.push({
      text: n.kind === 'text',
      replayable: uses.writes.size === 0 && !uses.mutates,
      // its own variables (a range's $c) are its business: only earlier statements' matter
      reads: [...uses.reads].filter((slot) => slot < before),
      writes: [...uses.writes],
    });
  }
  const run: Stmt = (s, dot, vars) => {
    for (let i = 0; i < stmts.length; i++) (stmts[i] as Stmt)(s, dot, vars);
    return 0;
  };
  return { run, stmts, infos, mutates };
}

/** The statement would take the execution past a limit: it is run, so the error names where. */
const overLimits = (s: ExecState, r: StatementOutput): boolean =>
  s.steps + r.steps > s.limits.maxSteps || s.produced + r.produced > s.limits.maxProducedChars || s.length + r.text.length > s.limits.maxOutputChars;

/** Runs top-level statements as `run` would, with the hooks replaying or recording each. */
export function runTopLevel(top: TopLevel, s: ExecState, dot: GoValue, vars: Frame, hooks: StatementHooks): void {
  const { stmts, infos } = top;
  for (let i = 0; i < stmts.length; i++) {
    const stmt = stmts[i] as Stmt;
    const info = infos[i] as StatementInfo;
    if (info.text) {
      stmt(s, dot, vars);
      continue;
    }
    if (!hooks.recording) {
      const kept = info.replayable ? hooks.replay(i) : undefined;
      if (kept !== undefined && !overLimits(s, kept)) s.replay(kept);
      else stmt(s, dot, vars);
      continue;
    }
    const own = hooks.dataFor(i);
    const stmtDot = own === undefined ? dot : own;
    vars.values[0] = stmtDot;
    const mark = s.mark();
    stmt(s, stmtDot, vars);
    hooks.ran(i, s.since(mark));
  }
  vars.values[0] = dot;
}
