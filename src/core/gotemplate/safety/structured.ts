// Text a serializer wrote from pod data (toJSON, toYaml, structToJSON..., then indent/nindent/quote) is
// YAML structure by design, and must land as itself: it covers whole nodes of one collection (one node,
// whole pairs of a mapping, whole items of a sequence) and those nodes hold exactly the data the text
// parses to on its own. Printed inside a scalar instead (JSON in a block scalar, as Istio's PROXY_CONFIG),
// it is text in a string and follows the raw rules.
import jsyaml from 'js-yaml';
import { MAX_NESTING_DEPTH } from '../../limits.ts';
import { GO_YAML_V2_SCHEMA } from './go-yaml-schema.ts';
import { rawViolation } from './raw.ts';
import { lastNodeStartingAtOrBefore, type ParsedYaml, skipBlanksAndComments, trimEnd } from './yaml-nodes.ts';

function sameData(a: unknown, b: unknown, depth = 0): boolean {
  if (a === b) return true;
  if (typeof a === 'number' && typeof b === 'number') return Number.isNaN(a) && Number.isNaN(b);
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || depth > MAX_NESTING_DEPTH) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  return ka.every((k) => Object.hasOwn(rb, k) && sameData(ra[k], rb[k], depth + 1));
}

/** The span's text as a document of its own: its first line at its column, common indentation removed. */
function standalone(text: string, start: number, end: number): string {
  const lineStart = text.lastIndexOf('\n', start - 1) + 1;
  const lines = (' '.repeat(start - lineStart) + text.slice(start, end)).split('\n');
  let common = Number.POSITIVE_INFINITY;
  for (const line of lines) {
    const indent = /^ */.exec(line)![0].length;
    if (indent < line.trimEnd().length) common = Math.min(common, indent);
  }
  return lines.map((l) => l.slice(Math.min(common, /^ */.exec(l)![0].length))).join('\n');
}

/** Top-level nodes inside [start, end), or a reason the span cuts a node. */
function coveredNodes(parsed: ParsedYaml, start: number, end: number): number[] | string {
  const { nodes } = parsed;
  const first = lastNodeStartingAtOrBefore(nodes, start - 1) + 1;
  // a node that starts before the span and ends inside it would be cut: only the chain above the node
  // before the span can (any other node before it ended before that node began)
  for (let i = first - 1; i >= 0; i = nodes[i]!.parent) {
    const n = nodes[i]!;
    if (n.end > start && n.end < end) return 'ends a YAML node that began before it';
  }
  const covered: number[] = [];
  for (let i = first; i < nodes.length && nodes[i]!.start < end; i++) {
    const n = nodes[i]!;
    if (n.end > end) return 'begins a YAML node that goes on after it';
    if (n.parent < first) covered.push(i);
  }
  return covered;
}

/** The data the covered nodes hold together, or a reason they are not one whole piece of a collection. */
function coveredData(text: string, parsed: ParsedYaml, covered: number[], start: number, end: number): { data: unknown } | string {
  const nodes = covered.map((i) => parsed.nodes[i]!);
  const parent = nodes[0]!.parent;
  if (nodes.some((n) => n.parent !== parent)) return 'spans nodes of several YAML collections';
  if (nodes[nodes.length - 1]!.end !== end) return 'ends with something other than a YAML node';
  const kind = parent < 0 ? 'root' : parsed.nodes[parent]!.kind;
  const items = kind === 'sequence' && text[start] === '-' && /[ \t\r\n]/.test(text[start + 1] ?? ' ');
  if (!items && nodes[0]!.start !== start) return 'begins with something other than a YAML node';
  if (items) return { data: nodes.map((n) => n.result) };
  if (nodes.length === 1 && !(kind === 'mapping' && nodes[0]!.index % 2 === 0)) return { data: nodes[0]!.result };
  if (kind !== 'mapping' || nodes[0]!.index % 2 !== 0 || nodes.length % 2 !== 0) return 'covers part of a YAML mapping pair or collection';
  const pairs: Record<string, unknown> = {};
  for (let k = 0; k < nodes.length; k += 2) {
    // defineProperty: a key named __proto__ is data, as js-yaml loads it
    Object.defineProperty(pairs, String(nodes[k]!.result), { value: nodes[k + 1]!.result, enumerable: true, writable: true, configurable: true });
  }
  return { data: pairs };
}

/**
 * Why serializer output at [start, end) did not land as itself, or undefined. `data`: what was serialized;
 * a string must land as that string (`squote` of `it's` does not). `rendered`: the text before NEL became
 * a line break for parsing.
 */
export function structuredViolation(
  text: string,
  parsed: ParsedYaml,
  spanStart: number,
  spanEnd: number,
  data?: unknown,
  rendered = text,
): string | undefined {
  const start = skipBlanksAndComments(text, spanStart, spanEnd);
  const end = trimEnd(text, start, spanEnd);
  if (start >= end) return undefined;
  const covered = coveredNodes(parsed, start, end);
  if (typeof covered === 'string') return covered;
  if (covered.length === 0) return rawViolation(text, parsed, start, end);
  const landed = coveredData(text, parsed, covered, start, end);
  if (typeof landed === 'string') return landed;
  let alone: unknown;
  try {
    // as written (a NEL left raw in serialized text is a line break where it landed): it must land as itself
    alone = jsyaml.load(standalone(rendered, start, end), { schema: GO_YAML_V2_SCHEMA });
  } catch (e) {
    return `is not YAML on its own (${String((e as Error).message).split('\n')[0]})`;
  }
  if (!sameData(alone, landed.data)) return 'landed as different YAML data than it holds on its own';
  if (typeof data === 'string' && typeof landed.data === 'string' && landed.data !== data) return 'loads as another string than the value it quotes';
  return undefined;
}
