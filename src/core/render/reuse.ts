// Render reuse: pods of one Deployment differ only in fields the templates never look at, so a render is
// kept with what it read (read-tracker.ts) and handed out again for data that agrees on every read.
// With `reuse: false` (SettingsInput) every render is fresh and nothing below is kept: results are
// equal either way (test/property/render-reuse.property.test.ts), only the cost differs.
//
// The one rule everything shared relies on, stated here and only here: FROZEN MEANS DEEPLY FROZEN.
// A value that is `Object.isFrozen` is frozen all the way down (made so by deepFreeze, and by nothing
// else), shared between admissions, and never edited. That is the settings' values and mesh (frozen by
// buildSettings), kept renders, and what merging them gives. So:
//  - the read tracker records a frozen object by identity and reads nothing below it;
//  - merge.ts shares frozen patch subtrees instead of copying them, and keeps their merge onto nothing;
//  - a spliced render (splice.ts) shares a kept render's subtrees; its copies along the paths to the new
//    values are not frozen, so that they never key a long-lived cache (merge.ts's) and die young;
//  - the capture check of a frozen list of init containers is done once (rendered-checks.ts);
//  - a compiled Go template reads a field chain under a frozen object once per receiver, and calls a
//    function again only when its arguments, frozen or primitive, differ (gotemplate/exec/expr.ts, call.ts);
//  - injectPod edits only an editable shell of the merged pod: an edit reaching into a frozen part
//    throws (strict mode) instead of corrupting a later admission.
// A pod's own data never is frozen. The caches that rely on the rule live in a RenderMemo, which the
// settings own (one per settings load): the core keeps no module-level state.
import type { MergeMemo } from '../merge.ts';
import { deepFreeze, type JsonObject } from '../types.ts';
import { type Executed, type Loaded, splicer } from './splice.ts';
import { type TemplateStatements, templateStatements } from './statements.ts';
import { answersFor, compileReads, readChars, type ReadShape, type ReadTree, sameAnswers, shapeOf, signatureOf, trackReads } from './read-tracker.ts';

/** A deeply frozen value (the rule above). A name for readers: the check is Object.isFrozen. */
export type Frozen<T> = T;

/** Rendered results kept per template (most recently used first), and the largest one worth keeping. */
const MEMO_SIZE = 32;
const MEMO_MAX_TEXT = 64 * 1024;
const MEMO_MAX_READS = 4000;
/** Longest template-and-workload key remembered as seen (kind, namespace and name are each at most 253). */
const MAX_WORKLOAD_KEY = 1024;

export interface Rendered {
  out: JsonObject;
  /** Length of the rendered text. */
  size: number;
}

/** One template's run, in its two steps: splice.ts may stand in for the second. */
export interface TemplateRun {
  /** With `statements`, may replay statements recorded before (statements.ts); never on tracked data. */
  execute(data: object, statements?: TemplateStatements): Executed;
  load(executed: Executed): Loaded;
}

export interface RenderMemo {
  readonly reuse: boolean;
  /**
   * A render of template `name` for `data`: a kept one when `data` agrees on all it read, else `run` on
   * `data`. `workload` names the pod's workload: what a first pod of one reads is not recorded.
   */
  render(name: string, data: object, run: TemplateRun, workload?: string): JsonObject | Frozen<JsonObject>;
  /** Frozen patch subtree -> its merge onto nothing (merge.ts); absent without reuse. */
  readonly mergedOntoNothing?: MergeMemo;
  /** Frozen renders whose capture init container passed its check (rendered-checks.ts); absent without reuse. */
  readonly capturePassed?: WeakSet<object>;
}

interface Kept {
  reads: ReadTree;
  /** Absent until the render is seen a second time. */
  out?: Frozen<JsonObject>;
}

/** One template's kept renders (most recently used first) and the read shapes they share, with how many use each. */
interface TemplateMemo {
  entries: Kept[];
  shapes: Map<string, { shape: ReadShape; users: number }>;
}

function keep(m: TemplateMemo, reads: Parameters<typeof shapeOf>[0]): void {
  const signature = signatureOf(reads);
  const shared = m.shapes.get(signature) ?? { shape: shapeOf(reads, signature), users: 0 };
  shared.users++;
  m.shapes.set(signature, shared);
  m.entries.unshift({ reads: compileReads(reads, shared.shape) });
  const dropped = m.entries.length > MEMO_SIZE ? m.entries.pop() : undefined;
  if (dropped) {
    const s = m.shapes.get(dropped.reads.shape.signature)!;
    if (--s.users === 0) m.shapes.delete(dropped.reads.shape.signature);
  }
}

export function renderMemo(reuse: boolean, replay = true): RenderMemo {
  if (!reuse) return { reuse, render: (_name, data, run) => run.load(run.execute(data)).out };
  // Recent renders per template, with what each read: data that agrees on those reads renders the same.
  // A render's output is kept only when it is seen a second time; the first time, only its answers are
  // (a few KB: the shape of its reads is shared). When every pod differs, nothing can be reused, and
  // each render kept for the next 32 admissions only moved ~80 KB to V8's old generation to die there
  // (the young generation grew to its cap, the old one to a multiple of the live heap: ~200 MB more
  // RSS). A render not reused is run, and spliced into a kept one where only printed names differ
  // (splice.ts: it keeps one or two per template). What a render read is recorded only for a workload
  // seen lately, so replicas of one Deployment pay a third render, then reuse; pods of workloads that
  // never repeat record nothing.
  const memos = new Map<string, TemplateMemo>();
  const spliced = splicer();
  const statements = new Map<string, TemplateStatements>();
  const statementsOf = (name: string): TemplateStatements => {
    const memo = statements.get(name) ?? templateStatements();
    statements.set(name, memo);
    return memo;
  };
  // a render whose reads are being recorded runs every statement: a replayed one would read nothing
  const fresh = (name: string, data: object, run: TemplateRun, tracked = false): Rendered => {
    const executed = run.execute(data, tracked || !replay ? undefined : statementsOf(name));
    return { out: spliced(name, executed, (e) => run.load(e)), size: executed.text.length };
  };
  // workloads seen lately (most recent last): recording what a render reads costs a fifth of it, and only
  // pays when a pod that reads alike comes next, in practice a replica of the same workload
  const seen = new Map<string, true>();
  const seenBefore = (workload: string): boolean => {
    if (workload.length > MAX_WORKLOAD_KEY) return false; // no real workload (names are <= 253): kept out of `seen`
    const was = seen.delete(workload);
    seen.set(workload, true);
    if (seen.size > MEMO_SIZE) seen.delete(seen.keys().next().value!);
    return was;
  };
  const render = (name: string, data: object, run: TemplateRun, workload?: string): JsonObject => {
    const m: TemplateMemo = memos.get(name) ?? { entries: [], shapes: new Map() };
    memos.set(name, m);
    const answers = new Map<ReadShape, unknown[]>(); // what `data` answers, per shape the kept renders have
    const hit = m.entries.findIndex((e) => {
      let a = answers.get(e.reads.shape);
      if (a === undefined) {
        a = answersFor(e.reads.shape, data);
        answers.set(e.reads.shape, a);
      }
      return sameAnswers(e.reads, a);
    });
    if (hit >= 0) {
      const [e] = m.entries.splice(hit, 1);
      m.entries.unshift(e!);
      // seen before: the data agrees on every read, so an untracked render makes what a kept one would
      e!.out ??= deepFreeze(fresh(name, data, run).out);
      return e!.out;
    }
    if (workload !== undefined && !seenBefore(`${name}\u0000${workload}`)) return fresh(name, data, run).out;
    const tracked = trackReads(data, MEMO_MAX_READS); // past that, a pod is too big to keep: read it directly
    const { out, size } = fresh(name, tracked.data, run, true);
    const reads = tracked.reads();
    // only ordinary pods are kept: a huge one (a 5 MiB name, 20,000 containers) is rendered and forgotten
    if (reads && size <= MEMO_MAX_TEXT && readChars(reads) <= MEMO_MAX_TEXT) keep(m, reads);
    return out;
  };
  return { reuse, render, mergedOntoNothing: new WeakMap(), capturePassed: new WeakSet() };
}
