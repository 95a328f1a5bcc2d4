// The quick reading of YAML documents (documents.ts). `yaml` builds tokens and then Document nodes before
// a document's value: about 1 KB of heap per value, so a 3.6 MB List of 250 pods (`kubectl get pods -o
// yaml`) needed more than 160 MB and did not fit a preview's 64 MB. js-yaml builds the value directly (19
// MB and 90 ms for that List). Its schema here resolves plain scalars as `yaml`'s YAML 1.2 core schema
// does (js-yaml's own core schema reads `0b101` and `-0x1F` as numbers and `+.5` as a string). What js-yaml
// reads otherwise than `yaml` is left to `yaml`, so values and refusals stay what they were: a document
// js-yaml refuses (a duplicate key, bad syntax, a stack overflow), one with aliases of collections (`yaml`
// counts them against MAX_YAML_ALIASES: an alias bomb), one nested past the cap.
// Keys that are not strings (`~:`, `[1, 2]:`) are stringified differently; no Kubernetes object has them.
import jsyaml from 'js-yaml';
import { MAX_NESTING_DEPTH } from './limits.ts';

const INT = /^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$/;
const FLOAT = /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN|[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+|[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*))$/;

const int = new jsyaml.Type('tag:yaml.org,2002:int', {
  kind: 'scalar',
  resolve: (d: string) => INT.test(d),
  construct: (d: string) => (d.startsWith('0o') ? Number.parseInt(d.slice(2), 8) : d.startsWith('0x') ? Number.parseInt(d.slice(2), 16) : Number(d)),
});
const float = new jsyaml.Type('tag:yaml.org,2002:float', {
  kind: 'scalar',
  resolve: (d: string) => FLOAT.test(d),
  construct: (d: string) => (/nan$/i.test(d) ? Number.NaN : /inf$/i.test(d) ? (d.startsWith('-') ? -Infinity : Infinity) : Number(d)),
});
const nil = new jsyaml.Type('tag:yaml.org,2002:null', {
  kind: 'scalar',
  resolve: (d: string) => d === '' || d === '~' || d === 'null' || d === 'Null' || d === 'NULL',
  construct: () => null,
});
const bool = new jsyaml.Type('tag:yaml.org,2002:bool', {
  kind: 'scalar',
  resolve: (d: string) => /^(?:true|True|TRUE|false|False|FALSE)$/.test(d),
  construct: (d: string) => d[0] === 't' || d[0] === 'T',
});
const CORE = jsyaml.FAILSAFE_SCHEMA.extend({ implicit: [nil, bool, int, float] });

/** One document of a stream: its text and the line (1-based) it starts on. */
export interface DocumentText {
  text: string;
  line: number;
}

const MARKER = /^(?:---|\.\.\.)(?:[ \t\r]|$)/;
/** A line that holds nothing of a document: blank, a comment, or a directive (which belongs to the next). */
const EMPTY_LINE = /^(?:[ \t\r]*(?:#.*)?|%.*)$/;

/**
 * The stream's documents, split at `---` and `...` at the start of a line (YAML allows them nowhere inside
 * a document), in one pass. A part with a `---` is a document even when empty; a part without one only
 * when it holds something (`yaml` counts the same way); directives go with the document that follows.
 */
export function* documentTexts(text: string): Generator<DocumentText> {
  let start = 0;
  let startLine = 1;
  let line = 1;
  let marked = false;
  let content = false;
  const part = (end: number): DocumentText | undefined => (marked || content ? { text: text.slice(start, end), line: startLine } : undefined);
  for (let at = 0; at <= text.length; line++) {
    const nl = text.indexOf('\n', at);
    const end = nl < 0 ? text.length : nl + 1;
    const l = text.slice(at, nl < 0 ? text.length : nl);
    if (MARKER.test(l)) {
      const done = part(at);
      if (done) yield done;
      const opens = l.startsWith('---');
      // `---` opens a document on this line; `...` closes one, and what follows starts after it
      [start, startLine, marked, content] = opens ? [at, line, true, false] : [end, line + 1, false, false];
    } else if (!content && !EMPTY_LINE.test(l)) content = true;
    if (nl < 0) break;
    at = end;
  }
  const last = part(text.length);
  if (last) yield last;
}

/** Whether `value` shares a collection (an alias) or nests collections past the cap: a walk without recursion. */
function sharedOrTooDeep(value: unknown): boolean {
  const seen = new Set<object>();
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (seen.has(v) || depth >= MAX_NESTING_DEPTH) return true;
    seen.add(v);
    for (const c of Array.isArray(v) ? v : Object.values(v)) if (c !== null && typeof c === 'object') stack.push([c, depth + 1]);
  }
  return false;
}

/** One document's value read by js-yaml, or undefined when it is `yaml`'s to read (see the top). */
export function quickValue(text: string): { value: unknown } | undefined {
  let value: unknown;
  try {
    value = jsyaml.load(text, { schema: CORE });
  } catch {
    return undefined;
  }
  return sharedOrTooDeep(value) ? undefined : { value };
}
