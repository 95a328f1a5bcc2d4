// One parse of a rendered template's YAML that gives both the data and where each node lies in the text:
// js-yaml (the parser engine.ts uses, an order of magnitude faster than `yaml`, whose ranged CST parse
// costs ~12 ms for a 25 KB render) with its `listener`, which reports every node as it opens and closes.
// The checks in raw.ts and structured.ts read these ranges, so what they judge is exactly what the data
// came from: no second tokenizer that could disagree with the parser.
import jsyaml from 'js-yaml';
import { MAX_NODES, MAX_YAML_ALIASES } from '../../limits.ts';

export interface YamlNode {
  /** First character of the node's own text (whitespace and comments before it skipped). */
  start: number;
  /** Past its last non-blank character. */
  end: number;
  kind: 'scalar' | 'mapping' | 'sequence' | 'empty';
  /** The node's value as loaded (a mapping's object, a scalar's string/number/...). */
  result: unknown;
  /** Index of the enclosing node in `nodes`, -1 at a document's root. */
  parent: number;
  /** Position among the parent's children: a mapping's keys are even, values odd. */
  index: number;
}

export interface ParsedYaml {
  documents: unknown[];
  /** Every node, in the order they start (a parent before its children). */
  nodes: YamlNode[];
  /** raw.ts's verdict on the type of each plain scalar holding a span, by node index. */
  plainTypes: Map<number, string | undefined>;
}

export class YamlNodeLimit extends Error {}

// space, tab, line feed, carriage return
const isBlank = (c: number): boolean => c === 32 || c === 9 || c === 10 || c === 13;

/** The first character at or after `i` that is neither blank nor in a comment. */
export function skipBlanksAndComments(text: string, i: number, end: number): number {
  while (i < end) {
    const c = text.charCodeAt(i);
    if (isBlank(c)) i++;
    else if (c === 35 /* # */ && (i === 0 || isBlank(text.charCodeAt(i - 1)))) {
      const eol = text.indexOf('\n', i);
      i = eol < 0 ? end : eol + 1;
    } else break;
  }
  return Math.min(i, end);
}

/** Past the last non-blank character before `end`. */
export function trimEnd(text: string, start: number, end: number): number {
  while (end > start && isBlank(text.charCodeAt(end - 1))) end--;
  return end;
}

interface ListenerState {
  position: number;
  kind: string | null;
  result: unknown;
}

/**
 * Loads every document of `text` (YAML 1.2 core schema, as engine.ts) and records each node's range.
 * Throws js-yaml's YAMLException for invalid YAML, YamlNodeLimit past MAX_NODES nodes or MAX_YAML_ALIASES
 * aliases (a billion-laughs render would otherwise cost exponential time in whoever walks the data).
 */
export function parseWithNodes(text: string): ParsedYaml {
  const nodes: YamlNode[] = [];
  const children: number[] = []; // per node, its children so far
  const open: number[] = []; // indices of the nodes not closed yet
  let aliases = 0;
  const listener = (event: 'open' | 'close', state: ListenerState): void => {
    if (event === 'open') {
      if (nodes.length >= MAX_NODES) throw new YamlNodeLimit(`more than ${MAX_NODES} YAML nodes`);
      const parent = open.length === 0 ? -1 : open[open.length - 1]!;
      const index = parent < 0 ? 0 : children[parent]!++;
      // start holds where the node opened until it closes
      nodes.push({ start: state.position, end: state.position, kind: 'empty', result: undefined, parent, index });
      children.push(0);
      open.push(nodes.length - 1);
      return;
    }
    const n = nodes[open.pop()!]!;
    n.start = skipBlanksAndComments(text, n.start, state.position);
    n.end = trimEnd(text, n.start, state.position);
    n.result = state.result;
    const kind = state.kind;
    n.kind = kind === 'scalar' || kind === 'mapping' || kind === 'sequence' ? kind : 'empty';
    if (text.charCodeAt(n.start) === 42 /* * */ && ++aliases > MAX_YAML_ALIASES)
      throw new YamlNodeLimit(`more than ${MAX_YAML_ALIASES} YAML aliases`);
  };
  const documents: unknown[] = [];
  // json: a key given twice keeps its last value, as istiod's YAML decoding (go-yaml v2 into a map) does:
  // Istio's own templates rely on it (a userVolume entry's `name` after the template's)
  jsyaml.loadAll(text, (d) => documents.push(d), { schema: jsyaml.CORE_SCHEMA, listener, json: true });
  return { documents, nodes, plainTypes: new Map() };
}

/** Index of the last node starting at or before `pos` (nodes are in start order), or -1. */
export function lastNodeStartingAtOrBefore(nodes: readonly YamlNode[], pos: number): number {
  let lo = 0;
  let hi = nodes.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (nodes[mid]!.start <= pos) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}
