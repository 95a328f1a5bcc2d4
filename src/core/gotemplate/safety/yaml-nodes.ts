// One parse of a rendered template's YAML that gives both the data and where each node lies in the text:
// js-yaml (the parser engine.ts uses, an order of magnitude faster than `yaml`, whose ranged CST parse
// costs ~12 ms for a 25 KB render) with its `listener`, which reports every node as it opens and closes.
// The checks in raw.ts and structured.ts read these ranges, so what they judge is exactly what the data
// came from: no second tokenizer that could disagree with the parser.
//
// Read as istiod reads it (go-yaml v2, then sigs.k8s.io/yaml's conversion to JSON): plain scalars resolve
// as go-yaml v2 resolves them (go-yaml-schema.ts), NEL is a line break, and what that conversion refuses
// is refused here too (GoYamlRefusal): the escape `\/`, a null or collection as a mapping key, .inf/.nan.
import jsyaml from 'js-yaml';
import { MAX_NODES, MAX_YAML_ALIASES } from '../../limits.ts';
import { GO_YAML_V2_SCHEMA } from './go-yaml-schema.ts';
import { parseFast } from './yaml-fast.ts';
import { skipBlanksAndComments, trimEnd } from './yaml-ranges.ts';

export { skipBlanksAndComments, trimEnd } from './yaml-ranges.ts';

export interface YamlNode {
  /** First character of the node's own text (whitespace and comments before it skipped). */
  start: number;
  /** Past its last non-blank character. */
  end: number;
  /** Where the parser began reading it (before blanks and comments). */
  opened: number;
  kind: 'scalar' | 'mapping' | 'sequence' | 'empty';
  /** The node's value as loaded (a mapping's object, a scalar's string/number/...). */
  result: unknown;
  /** Index of the enclosing node in `nodes`, -1 at a document's root. */
  parent: number;
  /** Position among the parent's children: a mapping's keys are even, values odd. */
  index: number;
}

export interface ParsedYaml {
  /** The text as parsed: the render with NEL as \n (offsets unchanged). */
  text: string;
  documents: unknown[];
  /** Every node, in the order they start (a parent before its children). */
  nodes: YamlNode[];
  /** raw.ts's verdict on the type of each plain scalar holding a span, by node index. */
  plainTypes: Map<number, string | undefined>;
}

export class YamlNodeLimit extends Error {}

// what go-yaml v2's reader refuses: C0 controls but tab/LF/CR, DEL, C1 controls but NEL, U+FFFE/U+FFFF
// biome-ignore lint/complexity/useRegexLiterals: as a literal it trips the control-character lint
const GO_CONTROL = new RegExp('[\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u0084\\u0086-\\u009F\\uFFFE\\uFFFF]');

/** YAML that go-yaml v2 or sigs.k8s.io/yaml refuses though js-yaml reads it; `mark` as js-yaml's errors have it. */
export class GoYamlRefusal extends Error {
  readonly mark: { position: number };
  constructor(
    readonly reason: string,
    position: number,
  ) {
    super(reason);
    this.mark = { position };
  }
}

/** The position of a `\/` escape in the double-quoted scalar at [start, end), or -1: go-yaml v2 has no such escape. */
function slashEscape(text: string, start: number, end: number): number {
  let open = start;
  while (open < end && (text[open] === '&' || text[open] === '!'))
    open = skipBlanksAndComments(text, text.slice(open, end).search(/[ \t\r\n]|$/) + open, end);
  if (text[open] !== '"') return -1;
  for (let i = open + 1; i < end; i++) {
    if (text.charCodeAt(i) !== 92 /* \\ */) continue;
    if (text.charCodeAt(i + 1) === 47 /* / */) return i;
    i++;
  }
  return -1;
}

/** What sigs.k8s.io/yaml refuses in a node js-yaml accepted: a key it cannot make a string, a number JSON cannot hold. */
function goRefusal(n: YamlNode, parent: YamlNode | undefined): string | undefined {
  if (parent?.kind === 'mapping' && n.index % 2 === 0) {
    if (n.kind === 'mapping' || n.kind === 'sequence') return 'a mapping or list as a YAML key';
    if (n.result === null || n.result === undefined) return 'a null YAML key';
  }
  if (typeof n.result === 'number' && !Number.isFinite(n.result)) return `${n.result} as a YAML number, which JSON cannot hold`;
  return undefined;
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
 * With `fastReader` (the default), yaml-fast.ts reads what it can, giving the same; tests turn it off to compare.
 */
export function parseWithNodes(rendered: string, fastReader = true): ParsedYaml {
  // go-yaml reads NEL as a line break (\n in values), js-yaml as a character: the same length, so every offset holds
  // (after a CR, as a CR: \r\n would be one break, \r NEL is two)
  const text = rendered.includes('\u0085') ? rendered.replace(/(\r?)\u0085/g, (_, cr: string) => (cr ? '\r\r' : '\n')) : rendered;
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
      nodes.push({ start: state.position, end: state.position, opened: state.position, kind: 'empty', result: undefined, parent, index });
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
    const refusal = goRefusal(n, nodes[n.parent]);
    if (refusal !== undefined) throw new GoYamlRefusal(refusal, n.start);
    const slash = slashes && n.kind === 'scalar' ? slashEscape(text, n.start, n.end) : -1;
    if (slash >= 0) throw new GoYamlRefusal('the escape \\/, which YAML 1.1 does not have', slash);
    if (text.charCodeAt(n.start) === 42 /* * */ && ++aliases > MAX_YAML_ALIASES)
      throw new YamlNodeLimit(`more than ${MAX_YAML_ALIASES} YAML aliases`);
  };
  // go-yaml's reader refuses these anywhere; js-yaml in JSON mode lets 0x7F-0x9F through between double quotes
  const control = GO_CONTROL.exec(text);
  if (control) throw new GoYamlRefusal('a control character, which YAML does not allow', control.index);
  // most renders are read by the fast reader; what it does not know, js-yaml reads (and names every error)
  const fast = fastReader ? parseFast(text) : undefined;
  if (fast) return { text, documents: fast.documents, nodes: fast.nodes, plainTypes: new Map() };
  const documents: unknown[] = [];
  const slashes = text.includes('\\/');
  // json: a key given twice keeps its last value, as istiod's YAML decoding (go-yaml v2 into a map) does:
  // Istio's own templates rely on it (a userVolume entry's `name` after the template's)
  jsyaml.loadAll(text, (d) => documents.push(d), { schema: GO_YAML_V2_SCHEMA, listener, json: true });
  return { text, documents, nodes, plainTypes: new Map() };
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
