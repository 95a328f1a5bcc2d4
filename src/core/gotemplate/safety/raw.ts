// Raw text a pod author controls (a name, an annotation, printf of them) must stay inside ONE scalar of
// the rendered YAML and must not decide where that scalar starts or ends or its style: the value it makes
// is then whatever istiod's YAML (go-yaml v2, read alike in yaml-nodes.ts) makes of it, a number, a bool,
// null or a folded string, and its type is checked where it lands (types.ts), as istiod's decoding into
// Go's Pod checks it. Blanks at its edges and a trailing comment are dropped as istiod drops them, as
// long as they change nothing of the template's own text (a comment may hide only the rest of the value).
// The parser's node ranges (yaml-nodes.ts) say which scalar holds the span; the rules below look only at
// the characters of that scalar and its line, so the check is linear in the text.
import { nullViolation, outermost } from './landing.ts';
import { lastNodeStartingAtOrBefore, type ParsedYaml, type YamlNode } from './yaml-nodes.ts';

const PLAIN_START_INDICATOR = /^([,[\]{}#&*!|>'"%@`]|[-?:]([ \t\r\n]|$))/;
// line breaks to go-yaml (istiod), characters to js-yaml: the two would read different structure
const GO_ONLY_BREAK = /[\u2028\u2029]/;
const STRUCTURE = 'is not inside one YAML scalar: it adds or ends YAML structure (a key, item, comment, document or flow collection)';

const ESCAPED_BREAK_THEN_EMPTY = /\\(\r\n|\r|\n)[ \t]*[\r\n]/;

const isBlank = (c: string | undefined): boolean => c === ' ' || c === '\t';
const isBreak = (c: string | undefined): boolean => c === '\n' || c === '\r';

/** Index of the innermost node whose range holds [start, end), or -1. */
export function nodeHolding(parsed: ParsedYaml, start: number, end: number): number {
  let i = lastNodeStartingAtOrBefore(parsed.nodes, start);
  while (i >= 0 && parsed.nodes[i]!.end < end) i = parsed.nodes[i]!.parent;
  return i;
}

/** Past a node's properties (`&anchor`, `!tag`): where its content starts. */
function contentStart(text: string, node: YamlNode): number {
  let p = node.start;
  while (p < node.end && (text[p] === '&' || text[p] === '!')) {
    while (p < node.end && !/[ \t\r\n]/.test(text[p]!)) p++;
    while (p < node.end && /[ \t\r\n]/.test(text[p]!)) p++;
  }
  return p;
}

/** Length of a run of `c` ending at i (going back, not past `stop`). */
function runBefore(text: string, i: number, c: string, stop: number): number {
  let k = i;
  while (k > stop && text[k] === c) k--;
  return i - k;
}

/** Characters a double-quoted escape starting with a backslash at i takes (`\x41` 4, `\u263a` 6...). */
function escapeLength(text: string, i: number): number {
  const c = text[i + 1];
  return c === 'x' ? 4 : c === 'u' ? 6 : c === 'U' ? 10 : c === '\r' && text[i + 2] === '\n' ? 3 : 2;
}

/**
 * Whether position b of a quoted scalar opened at `open` falls inside an escape: a backslash escape
 * (`\"`, `\x41`) in double quotes, a `''` in single quotes. Looks back at most one escape's length (and
 * the run of backslashes or quotes before b), so checking every span stays linear.
 */
function insideEscape(text: string, open: number, b: number): boolean {
  if (text[open] === "'") return text[b] === "'" && runBefore(text, b - 1, "'", open) % 2 === 1;
  for (let j = b - 1; j > open && j >= b - 9; j--) {
    if (text[j] !== '\\') continue;
    // the nearest backslash: an escape's start if an even number of backslashes precede it
    if (runBefore(text, j, '\\', open) % 2 === 0) return false;
    return j + escapeLength(text, j) > b;
  }
  return false;
}

/** A span inside a quoted scalar must not cut an escape at either end (`a\\` before the closing quote would escape it). */
function escapeViolation(text: string, open: number, start: number, end: number): string | undefined {
  if (insideEscape(text, open, start) || insideEscape(text, open, end)) {
    return text[open] === '"' ? 'cuts a backslash escape of the quoted value' : "cuts a '' of the quoted value";
  }
  return undefined;
}

/**
 * A value that closes the quotes it is printed in and makes the rest of the line a comment (`"#`), which
 * hides only the template's own closing quote: istiod reads the value cut there, and so do we.
 */
function endsQuoteWithComment(text: string, node: YamlNode, open: number, start: number, end: number): boolean {
  if (node.end - 1 < start || insideEscape(text, open, start)) return false;
  if (!/^[ \t]*#[^\r\n]*$/.test(text.slice(node.end, end))) return false;
  const rest = text.slice(end, end + 256);
  return rest[0] === text[open] && /^.[ \t]*(#[^\r\n]*)?(\r\n|\r|\n|$)/.test(rest);
}

function checkQuoted(text: string, node: YamlNode, open: number, start: number, end: number): string | undefined {
  // raw text that writes the quotes itself loads as another string than the value (`'x'` as x): a
  // container name that no longer matches its container adds one. `quote` of a value is structured.
  if (start <= open)
    return end === node.end
      ? 'writes the quotes of the scalar it is printed as, so YAML reads another string'
      : 'writes quotes that do not close where it ends';
  if (end >= node.end) return endsQuoteWithComment(text, node, open, start, end) ? undefined : 'ends the quoted value it is printed in';
  // an escaped line break then an empty line: go-yaml keeps the empty line as \n, js-yaml drops it
  if (text[open] === '"' && ESCAPED_BREAK_THEN_EMPTY.test(text.slice(Math.max(open, start - 1), Math.min(node.end, end + 8))))
    return 'has an escaped line break before an empty line, which YAML readers fold differently';
  return escapeViolation(text, open, start, end);
}

function checkBlock(text: string, node: YamlNode, open: number, start: number, end: number): string | undefined {
  const headerEnd = text.indexOf('\n', open);
  if (headerEnd < 0 || start <= headerEnd) return 'is in the header of a block scalar';
  // the first content character fixes the block's indentation: the span may not supply it
  let first = headerEnd + 1;
  while (first < node.end && /[ \t\r\n]/.test(text[first]!)) first++;
  if (start < first) return 'sets the indentation of the block scalar it is printed in';
  if (/[\r\n][ ]*\t/.test(text.slice(start, end))) return "indents a line of the block scalar with a tab, which istiod's YAML refuses";
  if (end > node.end) return 'ends the block scalar it is printed in';
  return undefined;
}

/** Whether [start, end) is in a line's indentation (nothing but blanks before it on its line). */
function inIndentation(text: string, start: number): boolean {
  for (let i = start - 1; i >= 0 && !isBreak(text[i]); i--) if (!isBlank(text[i])) return false;
  return true;
}

/** Blanks outside any scalar: harmless where the template's own text already separates there. */
function blanksViolation(text: string, start: number, end: number): string | undefined {
  if (inIndentation(text, start)) return 'writes blanks where YAML reads indentation';
  if (isBlank(text[start - 1]) || end === text.length || isBlank(text[end]) || isBreak(text[end])) return undefined;
  return "writes blanks that split the template's text around it";
}

/** A comment from `hash` to the span's end: dropped as istiod drops it, if it hides none of the template's text. */
function commentViolation(text: string, hash: number, end: number): string | undefined {
  if (!isBlank(text[hash - 1]) && !isBreak(text[hash - 1])) return STRUCTURE;
  if (/[\r\n]/.test(text.slice(hash, end))) return STRUCTURE;
  const after = /^[ \t]*(\r?\n|\r|$)/.exec(text.slice(end, end + 256));
  if (after === null && !/^[ \t]*#/.test(text.slice(end, end + 256))) return "starts a YAML comment that hides the template's text after it";
  return undefined;
}

/** The part of a plain scalar's span past the scalar: blanks, maybe a comment, maybe empty lines. */
function tailViolation(text: string, nodeEnd: number, end: number): string | undefined {
  const tail = text.slice(nodeEnd, end);
  const eol = tail.search(/[\r\n]/);
  if (eol >= 0) {
    // line breaks that end the value: only empty lines may follow, and the template's text after the
    // span must be blank (it would start a line of its own)
    if (!/^[ \t]*(#[^\r\n]*)?$/.test(tail.slice(0, eol)) || !/^((\r\n|\r|\n)[ ]*)+$/.test(tail.slice(eol))) return STRUCTURE;
    return /^[ \t]*(\r\n|\r|\n|$)/.test(text.slice(end, end + 256)) ? undefined : STRUCTURE;
  }
  const hash = tail.indexOf('#');
  if (hash >= 0) {
    if (!/^[ \t]*$/.test(tail.slice(0, hash))) return STRUCTURE;
    return commentViolation(text, nodeEnd + hash, end);
  }
  if (!/^[ \t]*$/.test(tail)) return STRUCTURE;
  return blanksViolation(text, nodeEnd, end);
}

/** Whether node i is inside a flow collection (`[...]`, `{...}`). */
function inFlow(text: string, parsed: ParsedYaml, i: number): boolean {
  for (let p = parsed.nodes[i]!.parent, n = 0; p >= 0 && n < 256; p = parsed.nodes[p]!.parent, n++) {
    const c = text[parsed.nodes[p]!.start];
    if (c === '[' || c === '{') return true;
  }
  return false;
}

function checkPlain(text: string, parsed: ParsedYaml, at: number, open: number, start: number, end: number): string | undefined {
  const node = parsed.nodes[at]!;
  const inside = text.slice(Math.max(start, open), Math.min(end, node.end));
  // go-yaml ends a plain value in a flow collection at `?`, js-yaml does not
  if ((inside.includes('?') || (start <= open && inside[0] === ':')) && inFlow(text, parsed, at))
    return "writes '?' or a leading ':' in a flow collection, which istiod's YAML reads as syntax";
  if (start <= open && PLAIN_START_INDICATOR.test(inside)) return `starts an unquoted YAML value with "${inside[0]}"`;
  if (inside === '<<' && node.end - open === 2) return 'makes a YAML merge key';
  // a line the value continues on: go-yaml refuses a tab in its indentation, js-yaml does not
  if (/[\r\n][ ]*\t/.test(text.slice(Math.max(start, open), Math.min(end + 64, node.end))))
    return "indents a continued line with a tab, which istiod's YAML refuses";
  return (end > node.end ? tailViolation(text, node.end, end) : undefined) ?? nullViolation(parsed, at);
}

/** A value left empty by blanks or a comment on its line (`name: #x`) is null: where that changes structure. */
function emptyValueViolation(text: string, parsed: ParsedYaml, start: number): string | undefined {
  const lineStart = text.lastIndexOf('\n', start - 1) + 1;
  const eol = text.indexOf('\n', start);
  const lineEnd = eol < 0 ? text.length : eol;
  // js-yaml reports no node for an empty list item
  if (/(^|[ \t])-[ \t]*$/.test(text.slice(lineStart, start))) return 'makes a null list item, which istiod writes as an empty value';
  // the value opened on this line (its range then runs past the comment)
  for (let i = Math.max(0, lastNodeStartingAtOrBefore(parsed.nodes, lineStart)), n = 0; i < parsed.nodes.length && n < 16; i++, n++) {
    const node = parsed.nodes[i]!;
    if (node.opened > lineEnd) break;
    if (node.kind === 'empty' && node.opened >= lineStart) return nullViolation(parsed, i);
  }
  return undefined;
}

/** Whether node i is a key of a mapping (tainted text there would name a field). */
function isKey(parsed: ParsedYaml, at: number): boolean {
  const n = parsed.nodes[outermost(parsed, at)]!;
  return n.parent >= 0 && n.index % 2 === 0 && parsed.nodes[n.parent]!.kind === 'mapping';
}

/** Why raw text at [start, end) is unsafe where it landed, or undefined if it is one scalar's content. */
export function rawViolation(text: string, parsed: ParsedYaml, start: number, end: number): string | undefined {
  if (GO_ONLY_BREAK.test(text.slice(start, end))) return "has a Unicode line or paragraph separator, which istiod's YAML reads as a line break";
  let p = start;
  while (p < end && isBlank(text[p])) p++;
  const at = p < end ? nodeHolding(parsed, p, p + 1) : nodeHolding(parsed, start, end);
  const node = parsed.nodes[at];
  if (node === undefined || node.kind !== 'scalar' || node.start > p || (p === end && node.start >= start)) {
    const why = p === end ? blanksViolation(text, start, end) : text[p] === '#' ? commentViolation(text, p, end) : STRUCTURE;
    return why ?? emptyValueViolation(text, parsed, start);
  }
  if (start < node.start && (inIndentation(text, start) || !isBlank(text[start - 1]))) return blanksViolation(text, start, node.start) ?? STRUCTURE;
  if (
    start < node.start &&
    text.slice(start, node.start).includes('\t') &&
    /(^|[ \t\r\n])[-?][ \t]*$/.test(text.slice(Math.max(0, start - 64), start))
  )
    return "writes a tab after a list item's '-', which istiod's YAML refuses";
  if (isKey(parsed, at)) return 'writes a YAML key';
  const open = contentStart(text, node);
  if (Math.max(start, p) < open) return 'writes a YAML anchor or tag';
  const style = text[open];
  if (style === '*') return 'writes a YAML alias';
  if (style === '"' || style === "'") return checkQuoted(text, node, open, start, end);
  if (style === '|' || style === '>') return checkBlock(text, node, open, start, end);
  return checkPlain(text, parsed, at, open, start, end);
}
