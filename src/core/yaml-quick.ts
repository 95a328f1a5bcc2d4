// The quick reading of YAML documents (documents.ts). `yaml` builds tokens and then Document nodes before
// a document's value: about 1 KB of heap per value, so a 3.6 MB List of 250 pods (`kubectl get pods -o
// yaml`) needed more than 160 MB and did not fit a preview's 64 MB. js-yaml builds the value directly (19
// MB and 90 ms for that List). Its schema here resolves plain scalars as `yaml`'s YAML 1.2 core schema
// does (js-yaml's own core schema reads `0b101` and `-0x1F` as numbers and `+.5` as a string). What js-yaml
// reads otherwise than `yaml` is left to `yaml`, so values and refusals stay what they were: a document
// js-yaml refuses (a duplicate key, bad syntax, a stack overflow), one with aliases of collections (`yaml`
// counts them against MAX_YAML_ALIASES: an alias bomb). Nesting past MAX_NESTING_DEPTH stops js-yaml where
// it is met (its maxDepth counts collections as checkTree does), and the document is refused.
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
// maxDepth (js-yaml 4.3; its default is 100, and @types/js-yaml does not know it yet) counts collections as
// checkTree does: 255 lists in a mapping are read, 256 stop there
const LOAD = { schema: CORE, maxDepth: MAX_NESTING_DEPTH };

/** One document of a stream: its text and the line (1-based) it starts on. */
export interface DocumentText {
  text: string;
  line: number;
}

// sticky, multiline: tried at a line's start in the whole text, so no line is copied out to be tested
const MARKER = /(?:---|\.\.\.)(?:[ \t\r]|$)/my;
/** A line that holds nothing of a document: blank, a comment, or a directive (which belongs to the next). */
const EMPTY_LINE = /(?:[ \t\r]*(?:#.*)?|%.*)$/my;

const matchesAt = (re: RegExp, text: string, at: number): boolean => {
  re.lastIndex = at;
  return re.test(text);
};

/**
 * The stream's documents, split at `---` and `...` at the start of a line (YAML allows them nowhere inside
 * a document), in one pass. A part with a `---` is a document even when empty; a part without one only
 * when it holds something (`yaml` counts the same way). Comments and directives (`%TAG`) before a `---`
 * stay with the document it opens, as its directives must.
 */
export function* documentTexts(text: string): Generator<DocumentText> {
  let start = 0;
  let startLine = 1;
  let marked = false;
  let content = false;
  const part = (end: number): DocumentText | undefined => (marked || content ? { text: text.slice(start, end), line: startLine } : undefined);
  for (let at = 0, line = 1; at < text.length; line++) {
    const nl = text.indexOf('\n', at);
    const end = nl < 0 ? text.length : nl + 1;
    if (matchesAt(MARKER, text, at)) {
      const done = part(at);
      if (done) yield done;
      if (text.startsWith('---', at)) {
        // opens a document here, or after the comments and directives read since the last one
        if (done) [start, startLine] = [at, line];
        [marked, content] = [true, false];
      } else [start, startLine, marked, content] = [end, line + 1, false, false]; // `...` closes one
    } else if (!content && !matchesAt(EMPTY_LINE, text, at)) content = true;
    if (nl < 0) break;
    at = end;
  }
  const last = part(text.length);
  if (last) yield last;
}

/** Whether `value` shares a collection: an alias, which `yaml` counts (a walk without recursion, each object once). */
function sharesCollection(value: unknown): boolean {
  const seen = new Set<object>();
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (v === null || typeof v !== 'object') continue;
    if (seen.has(v)) return true;
    seen.add(v);
    for (const c of Array.isArray(v) ? v : Object.values(v)) if (c !== null && typeof c === 'object') stack.push(c);
  }
  return false;
}

/** One document's value read by js-yaml; too deep (past MAX_NESTING_DEPTH); or undefined: `yaml`'s to read. */
export function quickValue(text: string): { value: unknown } | 'too-deep' | undefined {
  let value: unknown;
  try {
    value = jsyaml.load(text, LOAD);
  } catch (e) {
    return String((e as { reason?: unknown }).reason).startsWith('nesting exceeded maxDepth') ? 'too-deep' : undefined;
  }
  return sharesCollection(value) ? undefined : { value };
}
