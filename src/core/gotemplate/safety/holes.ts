// Reading a render's YAML costs as much as running its template. Pods of different Deployments mostly
// differ only in names the template prints as they are (the app, its workload, its containers), so a
// render whose text equals a checked one's but inside such printed values loads as that one's data with
// those values put in: no second parse. The checks (index.ts) would find nothing new either, as long as:
//  - the text outside pod values is the same, and so is every pod value not in a hole;
//  - a hole's old and new text are "inert" (letters, digits, `._/-`: nothing YAML reads as syntax) and
//    lie inside one scalar of one line, plain or quoted, whose content is its value as written (no
//    escapes); a quoting function's span (quote, squote) may be that whole quoted scalar;
//  - the scalar is a value, not a key, in no mapping with a key given twice, in a document without
//    anchors, aliases, tags or merge keys (so it lands at one place, as itself);
//  - a plain scalar still resolves to the same string (`yes`, `0x1F`, `1e3` would not), and does not
//    start with `-` or `.` where a hole starts it; Go's type check of its field passes (a quantity).
// Anything else: the caller reads the YAML as usual.
import type { TaintSpan } from '../exec/state.ts';
import { goYamlResolve } from './go-yaml-schema.ts';
import { nodePath, outermost } from './landing.ts';
import { nodeHolding } from './raw.ts';
import { type FieldPath, fieldCheckAt } from './types.ts';
import type { ParsedYaml, YamlNode } from './yaml-nodes.ts';

const INERT = /^[A-Za-z0-9._/-]+$/;
const PLAIN_START = /^[A-Za-z0-9]/;

/** A scalar whose value holds pod values that may differ. */
export interface HoleScalar {
  /** Field path in the document. */
  path: FieldPath;
  /** Its content in the base text (inside the quotes, if quoted), which is its value as written. */
  start: number;
  end: number;
  plain: boolean;
  /** Indices of its first and last span. */
  first: number;
  last: number;
  check: ((v: unknown) => string | undefined) | undefined;
  /** A hole starts the scalar: a plain one's new first character must not be YAML syntax. */
  holeAtStart: boolean;
}

interface BaseSpan {
  /** The text between the previous span and this one. */
  before: string;
  /** The span's text in the base: what a span that is not a hole must print again. */
  text: string;
  structured: boolean;
  /** For a span that is not a hole: the data a serializer printed (the check depends on it). */
  data: unknown;
  /** The hole scalar it lies in, or -1: not a hole. */
  scalar: number;
}

/** A checked render's text, seen as literal text and holes. */
export interface Holes {
  spans: BaseSpan[];
  /** The text after the last span. */
  tail: string;
  scalars: HoleScalar[];
}

/** Nesting past which a scalar is not a hole (the walk up to the root checks each level's key). */
const MAX_HOLE_DEPTH = 256;

/** Keys given twice, by mapping (node index), each with its last key node: only the value after that one lands. */
function repeatedKeys(parsed: ParsedYaml): Map<number, Map<string, number>> {
  const keys = new Map<number, Map<string, number>>();
  const repeated = new Map<number, Map<string, number>>();
  for (const [i, n] of parsed.nodes.entries()) {
    if (n.parent < 0 || n.index % 2 !== 0 || parsed.nodes[n.parent]!.kind !== 'mapping') continue;
    const seen = keys.get(n.parent) ?? new Map<string, number>();
    keys.set(n.parent, seen);
    const k = String(n.result);
    if (seen.has(k)) repeated.set(n.parent, seen);
    seen.set(k, i);
  }
  return repeated;
}

/** The key node of the mapping pair whose value is node `at` (it comes just before it), or -1. */
function keyNodeOf(parsed: ParsedYaml, at: number): number {
  const n = parsed.nodes[at]!;
  for (let k = at - 1; k > n.parent; k--) {
    const m = parsed.nodes[k]!;
    if (m.parent === n.parent && m.index === n.index - 1) return k;
  }
  return -1;
}

/** Anchors, aliases, tags or merge keys: a value may then land in several places, or not as written. */
function hasIndirection(text: string, nodes: readonly YamlNode[]): boolean {
  for (const n of nodes) {
    const c = text[n.start];
    if (c === '&' || c === '*' || c === '!' || (n.kind === 'scalar' && text.startsWith('<<', n.start) && n.end - n.start === 2)) return true;
  }
  return false;
}

/** The content of scalar node i ([start, end) and whether plain) if it is its value as written on one line, a value not a key. */
function scalarContent(
  text: string,
  parsed: ParsedYaml,
  i: number,
  repeated: Map<number, Map<string, number>>,
): { start: number; end: number; plain: boolean } | undefined {
  const n = parsed.nodes[i]!;
  if (n.kind !== 'scalar' || typeof n.result !== 'string' || n.result === '') return undefined;
  const q = text[n.start];
  const quoted = q === '"' || q === "'";
  const start = quoted ? n.start + 1 : n.start;
  const end = quoted ? n.end - 1 : n.end;
  if (quoted && (end < start || text[end] !== q)) return undefined;
  if (text.slice(start, end) !== n.result || /[\r\n]/.test(n.result)) return undefined;
  // a block node may be reported twice (outermost): its outer report is the one in its parent
  let at = outermost(parsed, i);
  for (let depth = 0; parsed.nodes[at]!.parent >= 0; depth++) {
    if (depth >= MAX_HOLE_DEPTH) return undefined; // deeper than any template writes: read the YAML instead
    const node = parsed.nodes[at]!;
    if (parsed.nodes[node.parent]!.kind === 'mapping') {
      if (node.index % 2 === 0) return undefined;
      const last = repeated.get(node.parent);
      const key = last === undefined ? -1 : keyNodeOf(parsed, at);
      if (last !== undefined && (key < 0 || last.get(String(parsed.nodes[key]!.result)) !== key)) return undefined; // overridden
    }
    at = outermost(parsed, node.parent);
  }
  return { start, end, plain: !quoted };
}

/** Where span `s` may be a hole: its scalar node, if its text and where it landed allow it. */
function holeNode(text: string, parsed: ParsedYaml, s: TaintSpan): number {
  const printed = text.slice(s.start, s.end);
  if (!s.structured) return INERT.test(printed) ? nodeHolding(parsed, s.start, s.end) : -1;
  // a quoting function's output: the whole quoted scalar, holding what was quoted
  const q = printed[0];
  if ((q !== '"' && q !== "'") || printed[printed.length - 1] !== q || !INERT.test(printed.slice(1, -1)) || s.data !== printed.slice(1, -1))
    return -1;
  const i = nodeHolding(parsed, s.start, s.end);
  const n = parsed.nodes[i];
  return n !== undefined && n.start === s.start && n.end === s.end ? i : -1;
}

/** The holes of a checked render (its text, parse and spans): every span, and the scalars some of them may change. */
export function holesOf(rendered: string, parsed: ParsedYaml, spans: readonly TaintSpan[]): Holes | undefined {
  const { text } = parsed;
  // a NEL is parsed as a line break, though the checks read some text as written (index.ts)
  if (parsed.documents.length !== 1 || text !== rendered) return undefined;
  const open = !hasIndirection(text, parsed.nodes);
  const repeated = open ? repeatedKeys(parsed) : new Map<number, Map<string, number>>();
  const scalars: HoleScalar[] = [];
  const contents = new Map<number, ReturnType<typeof scalarContent>>(); // by node
  const byNode = new Map<number, number>(); // node -> its scalar in `scalars`
  const out: BaseSpan[] = [];
  let pos = 0;
  for (const [k, s] of spans.entries()) {
    const i = open && s.end > s.start ? holeNode(text, parsed, s) : -1;
    if (i >= 0 && !contents.has(i)) contents.set(i, scalarContent(text, parsed, i, repeated));
    const content = i >= 0 ? contents.get(i) : undefined;
    const edge = s.structured ? 1 : 0; // a quoting function's span takes in the quotes
    let scalar = -1;
    if (content && s.start + edge >= content.start && s.end - edge <= content.end) {
      scalar = byNode.get(i) ?? -1;
      if (scalar < 0) {
        const path = nodePath(parsed, outermost(parsed, i));
        scalar = scalars.push({ ...content, path, first: k, last: k, check: fieldCheckAt(path), holeAtStart: false }) - 1;
        byNode.set(i, scalar);
      }
      const h = scalars[scalar]!;
      h.last = k;
      if (s.start + edge === h.start) h.holeAtStart = true;
    }
    out.push({
      before: text.slice(pos, s.start),
      text: text.slice(s.start, s.end),
      structured: s.structured,
      data: scalar < 0 ? s.data : undefined,
      scalar,
    });
    pos = s.end;
  }
  return { spans: out, tail: text.slice(pos), scalars };
}

/** Whether new span `s` (printed `printed`) may stand where base span `b` was. */
function spanFits(b: BaseSpan, s: TaintSpan, printed: string): boolean {
  if (s.structured !== b.structured) return false;
  // the check of a serializer's text looks at its data only where that is a string (structured.ts)
  if (b.scalar < 0) return printed === b.text && (s.data === b.data || (typeof s.data !== 'string' && typeof b.data !== 'string'));
  if (!s.structured) return INERT.test(printed);
  const q = b.text[0]!;
  const inner = printed.slice(1, -1);
  return printed.length > 2 && printed[0] === q && printed[printed.length - 1] === q && INERT.test(inner) && s.data === inner;
}

/**
 * The values of the hole scalars in a render of `text` with `spans`, in the order of holes.scalars, if
 * it is the base text with only holes changed (and each changed value passes as the module comment
 * says); undefined otherwise.
 */
export function fillHoles(holes: Holes, text: string, spans: readonly TaintSpan[]): string[] | undefined {
  if (spans.length !== holes.spans.length) return undefined;
  const shift = new Array<number>(spans.length + 1); // shift[k]: how much longer the text is before span k
  shift[0] = 0;
  let pos = 0;
  for (let k = 0; k < spans.length; k++) {
    const b = holes.spans[k]!;
    const s = spans[k]!;
    // slice and ===: V8 compares flat strings by memory, startsWith character by character (8x slower here)
    if (s.start !== pos + b.before.length || text.slice(pos, s.start) !== b.before) return undefined;
    if (!spanFits(b, s, text.slice(s.start, s.end))) return undefined;
    shift[k + 1] = shift[k]! + (s.end - s.start) - b.text.length;
    pos = s.end;
  }
  if (text.length !== pos + holes.tail.length || text.slice(pos) !== holes.tail) return undefined;
  const values: string[] = [];
  for (const h of holes.scalars) {
    const value = text.slice(h.start + shift[h.first]!, h.end + shift[h.last + 1]!);
    if (h.plain && (goYamlResolve(value) !== value || (h.holeAtStart && !PLAIN_START.test(value)))) return undefined;
    if (h.check?.(value) !== undefined) return undefined;
    values.push(value);
  }
  return values;
}
