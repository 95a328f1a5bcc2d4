// The fast YAML reader's state (yaml-fast.ts): where it stands, as js-yaml counts lines and indentation,
// and the nodes it reports, opened and closed where js-yaml's listener would see them.
import { MAX_NODES } from '../../limits.ts';
import type { YamlNode } from './yaml-nodes.ts';
import { skipBlanksAndComments, trimEnd } from './yaml-ranges.ts';

/** Thrown inside, never outside: the text is left to js-yaml. */
class OutsideSubset extends Error {}
export const OUTSIDE = new OutsideSubset('outside the fast subset');
export const bail = (): never => {
  throw OUTSIDE;
};

/** Deeper than this is left to js-yaml (its own limit is 100). */
const MAX_DEPTH = 90;

export type Kind = YamlNode['kind'];

export interface Reader {
  t: string;
  len: number;
  pos: number;
  /** Line breaks crossed so far, and the indentation of the line last entered. */
  line: number;
  lineStart: number;
  lineIndent: number;
  nodes: YamlNode[];
  kids: number[];
  open: number[];
  /** The kind of the node read last (each read returns its value). */
  kind: Kind;
}

export const SP = 32;
export const LF = 10;
export const isWsOrEol = (c: number): boolean => c === SP || c === LF;
export const isFlowIndicator = (c: number): boolean => c === 44 || c === 91 || c === 93 || c === 123 || c === 125;

export function openNode(r: Reader): number {
  if (r.nodes.length >= MAX_NODES || r.open.length >= MAX_DEPTH) bail();
  const parent = r.open.length === 0 ? -1 : r.open[r.open.length - 1]!;
  const index = parent < 0 ? 0 : r.kids[parent]!++;
  r.nodes.push({ start: r.pos, end: r.pos, opened: r.pos, kind: 'empty', result: undefined, parent, index });
  r.kids.push(0);
  r.open.push(r.nodes.length - 1);
  return r.nodes.length - 1;
}

/** Closes the innermost open node as what was read last: `result`, of kind r.kind. */
export function closeNode(r: Reader, result: unknown): unknown {
  const n = r.nodes[r.open.pop()!]!;
  n.start = skipBlanksAndComments(r.t, n.opened, r.pos);
  n.end = trimEnd(r.t, n.start, r.pos);
  n.kind = r.kind;
  n.result = result;
  return result;
}

export function empty(r: Reader): null {
  r.kind = 'empty';
  return null;
}

export function scalar(r: Reader, value: unknown): unknown {
  r.kind = 'scalar';
  return value;
}

/** Skips spaces, line breaks and (if allowed) comments; returns the line breaks crossed. */
export function skipSeparation(r: Reader, comments: boolean): number {
  const t = r.t;
  let breaks = 0;
  let c = t.charCodeAt(r.pos);
  for (;;) {
    while (c === SP) c = t.charCodeAt(++r.pos);
    if (comments && c === 35 /* # */) {
      const eol = t.indexOf('\n', r.pos);
      r.pos = eol < 0 ? r.len : eol;
      c = t.charCodeAt(r.pos);
    }
    if (c !== LF) return breaks;
    r.pos++;
    breaks++;
    r.line++;
    r.lineStart = r.pos;
    let indent = 0;
    c = t.charCodeAt(r.pos);
    while (c === SP) {
      indent++;
      c = t.charCodeAt(++r.pos);
    }
    r.lineIndent = indent;
  }
}
