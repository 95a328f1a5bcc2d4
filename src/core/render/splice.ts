// Renders that cannot be reused whole (reuse.ts: a pod of another Deployment reads other names) are still
// run, but their YAML is read again only when their text is not a kept render's text with other pod
// values in its holes (gotemplate/safety/holes.ts says which texts qualify). Otherwise the result is the
// kept render's data with the new values put in: copied along the paths to them, every other subtree the
// kept render's own (frozen, so merge.ts shares it). Equal to reading the YAML, only cheaper; not done
// with `reuse: false`.
import { fillHoles, type Holes, holesOf } from '../gotemplate/safety/index.ts';
import type { ParsedYaml } from '../gotemplate/safety/yaml-nodes.ts';
import type { TaintSpan } from '../gotemplate/exec/state.ts';
import { deepFreeze, type JsonObject } from '../types.ts';
import type { Frozen, Rendered } from './reuse.ts';

/** Renders kept per template to splice into (most recently used first), and the largest one worth keeping. */
const BASES = 2;
const MAX_BASE_TEXT = 64 * 1024;

/** What running a template printed: its text, and where pod values are in it. */
export interface Executed {
  text: string;
  spans: readonly TaintSpan[];
}

/** The executed text read as YAML and checked: the pod fragment, and the parse it came from. */
export interface Loaded extends Rendered {
  doc: unknown;
  parsed: ParsedYaml;
}

type Path = ReadonlyArray<string | number>;

interface Base {
  holes: Holes;
  /** Frozen from the first render spliced into it. */
  out: JsonObject | Frozen<JsonObject>;
  /** Where each hole scalar is in `out`, and its value there. */
  paths: Path[];
  values: string[];
}

/** Per list of the document, how many null items come before each index: built once per list per base. */
type NullsBefore = Map<readonly unknown[], number[]>;

function nullsBefore(list: readonly unknown[], memo: NullsBefore): number[] {
  let counts = memo.get(list);
  if (counts === undefined) {
    counts = new Array<number>(list.length + 1);
    counts[0] = 0;
    for (let i = 0; i < list.length; i++) counts[i + 1] = counts[i]! + (list[i] === null || list[i] === undefined ? 1 : 0);
    memo.set(list, counts);
  }
  return counts;
}

/** The path in `out` (the document without nulls: template-pod.ts) of the value at `path` in `doc`. */
function pathWithoutNulls(doc: unknown, path: readonly (string | number)[], memo: NullsBefore): Path {
  const out: Array<string | number> = [];
  let cur = doc;
  for (const step of path) {
    // a prefix count per list, so a base with many holes in one long list stays linear in its size
    out.push(Array.isArray(cur) && typeof step === 'number' ? step - (nullsBefore(cur, memo)[step] ?? 0) : step);
    cur = (cur as Record<string | number, unknown> | undefined)?.[step];
  }
  return out;
}

function valueAt(root: unknown, path: Path): unknown {
  let cur = root;
  for (const step of path) {
    if (cur === null || typeof cur !== 'object' || !Object.hasOwn(cur, step)) return undefined;
    cur = (cur as Record<string | number, unknown>)[step];
  }
  return cur;
}

/**
 * A base from a render just loaded, or undefined if it has no holes to fill. Its `out` is handed out
 * as it is (renders are never edited: merge.ts copies) and frozen only when a later render is spliced
 * into it: frozen, its subtrees key merge.ts's long-lived memo, and a base no render fits dies young.
 */
function baseOf(executed: Executed, loaded: Loaded): Base | undefined {
  if (executed.text.length > MAX_BASE_TEXT) return undefined;
  const holes = holesOf(executed.text, loaded.parsed, executed.spans);
  if (holes === undefined) return undefined;
  const paths: Path[] = [];
  const values: string[] = [];
  const memo: NullsBefore = new Map();
  for (const h of holes.scalars) {
    const path = pathWithoutNulls(loaded.doc, h.path, memo);
    const value = executed.text.slice(h.start, h.end);
    // where the value landed, as itself (holes.ts makes sure; this guards the path arithmetic)
    if (valueAt(loaded.out, path) !== value) return undefined;
    paths.push(path);
    values.push(value);
  }
  return { holes, out: loaded.out, paths, values };
}

/**
 * `root` with `value` at `path`: containers on the way copied (once per splice: a copy is not frozen). A
 * key `__proto__` is an own data property of the copy (spread defines it), so assigning it sets data.
 */
function setAt(root: Record<string | number, unknown>, path: Path, value: string): void {
  let cur = root;
  for (let i = 0; i < path.length - 1; i++) {
    const step = path[i]!;
    let child = cur[step] as Record<string | number, unknown>;
    if (Object.isFrozen(child)) {
      child = (Array.isArray(child) ? child.slice() : { ...child }) as Record<string | number, unknown>;
      cur[step] = child;
    }
    cur = child;
  }
  cur[path[path.length - 1]!] = value;
}

/**
 * The render of `executed` spliced into `base`, or undefined if its text does not fit the base's holes.
 * The copies are left unfrozen, so that no cache keyed by frozen objects (merge.ts) holds them: they live
 * for one admission, and an entry for each in a long-lived WeakMap moved them to the old generation.
 */
function splice(base: Base, executed: Executed): JsonObject | undefined {
  const values = fillHoles(base.holes, executed.text, executed.spans);
  if (values === undefined) return undefined;
  deepFreeze(base.out); // once: the copies share what the new values do not reach
  let out: JsonObject | undefined;
  for (let k = 0; k < values.length; k++) {
    if (values[k] === base.values[k]) continue;
    out ??= { ...base.out };
    setAt(out, base.paths[k]!, values[k]!);
  }
  return out ?? base.out;
}

/**
 * One template set's splicing: `render(name, executed, load)` is the render of `executed` (what template
 * `name` printed), spliced into a kept render or else `load(executed)`, which may be kept in turn.
 */
export function splicer(): (name: string, executed: Executed, load: (executed: Executed) => Loaded) => JsonObject | Frozen<JsonObject> {
  // a render is kept when none fits: when every pod differs in its holes, one stays (~60 KB) for good;
  // when nothing fits, each replaces an older one, which dies young (not frozen, so in no memo)
  const bases = new Map<string, Base[]>();
  return (name, executed, load) => {
    const kept = bases.get(name) ?? [];
    for (let i = 0; i < kept.length; i++) {
      const out = splice(kept[i]!, executed);
      if (out === undefined) continue;
      if (i > 0) kept.unshift(...kept.splice(i, 1));
      return out;
    }
    const loaded = load(executed);
    const base = baseOf(executed, loaded);
    if (base === undefined) return loaded.out;
    kept.unshift(base);
    if (kept.length > BASES) kept.pop();
    bases.set(name, kept);
    return base.out;
  };
}
