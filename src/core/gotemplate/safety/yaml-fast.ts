// A fast reader for the YAML rendered templates write: block mappings and sequences, single-line plain and
// quoted scalars, literal block scalars, flow collections, comments. It gives exactly what yaml-nodes.ts's
// js-yaml parse gives (the data, and every node with the range js-yaml's listener reports, including the
// node js-yaml opens for a block-mapping key it tries where a scalar stands), or undefined: anything else
// (tabs, CR, anchors, tags, multi-line plain or quoted scalars, folded scalars, errors...) is left to
// js-yaml, which also writes every error message. A render parses here in a fraction of js-yaml's time:
// js-yaml snapshots its state per node and tries four schema types per scalar.
// test/gotemplate/yaml-fast.test.ts compares the two on Istio's renders and on generated YAML.
import type { YamlNode } from './yaml-nodes.ts';
import { bail, closeNode, empty, isWsOrEol, LF, OUTSIDE, openNode, type Reader, SP, skipSeparation } from './yaml-fast-reader.ts';
import { plainStarts, readDoubleQuoted, readLiteral, readPlain, readSingleQuoted } from './yaml-fast-scalars.ts';

// tab, CR, NUL, BOM, surrogates (js-yaml refuses lone ones in plain text), a document marker or directive at a line start
const OUTSIDE_TEXT = /[\t\r\0\uFEFF\uD800-\uDFFF]|^(?:---|\.\.\.|%)/m;

/** A flow collection: `{k: v, ...}` or `[v, ...]`, over lines if need be, a comma after the last entry allowed. */
function readFlow(r: Reader, indent: number): unknown {
  const t = r.t;
  const isMap = t.charCodeAt(r.pos) === 123;
  const terminator = isMap ? 125 : 93;
  const obj: Record<string, unknown> = {};
  const list: unknown[] = [];
  let readNext = true;
  r.pos++;
  for (;;) {
    if (r.pos >= r.len) bail();
    skipSeparation(r, true);
    const c = t.charCodeAt(r.pos);
    if (c === terminator) {
      r.pos++;
      r.kind = isMap ? 'mapping' : 'sequence';
      return isMap ? obj : list;
    }
    if (!readNext || c === 44 /* , */) bail();
    const entryLine = r.line;
    openNode(r);
    const key = closeNode(r, readFlowEntry(r, indent));
    skipSeparation(r, true);
    if (r.line === entryLine && t.charCodeAt(r.pos) === 58 /* : */) {
      if (!isMap) bail(); // a pair in a list is a mapping of its own
      const name = keyOf(r, key);
      r.pos++;
      skipSeparation(r, true);
      openNode(r);
      setProperty(obj, name, closeNode(r, readFlowEntry(r, indent)));
    } else if (isMap) bail();
    else list.push(key);
    skipSeparation(r, true);
    readNext = t.charCodeAt(r.pos) === 44;
    if (readNext) r.pos++;
  }
}

function readFlowEntry(r: Reader, indent: number): unknown {
  const c = r.t.charCodeAt(r.pos);
  if (c === 123 || c === 91) return readFlow(r, indent);
  if (c === 34) return readDoubleQuoted(r);
  if (c === 39) return readSingleQuoted(r);
  if (!plainStarts(r.t, r.pos, true)) bail();
  return readPlain(r, indent, true);
}

/** A mapping key's string, as js-yaml makes it; what go-yaml refuses or js-yaml merges is left to js-yaml. */
function keyOf(r: Reader, key: unknown): string {
  if (r.kind !== 'scalar' || key === null) bail();
  const name = String(key);
  if (name === '<<' || name === '__proto__') bail();
  return name;
}

function setProperty(obj: Record<string, unknown>, key: string, value: unknown): void {
  obj[key] = value; // json mode: a key given twice keeps its last value
}

/**
 * A block mapping whose first key is where the reader stands (column `indent`), keys read as js-yaml
 * reads them (`keyIndent` for its continuation rule). When what stands there is no key (a scalar or a flow
 * collection without `:` after it), that node is what was read: js-yaml reports it twice, as the key it
 * tried and as the node itself.
 */
function readMappingOrScalar(r: Reader, indent: number, keyIndent: number): unknown {
  const t = r.t;
  const obj: Record<string, unknown> = {};
  let detected = false;
  while (r.pos < r.len) {
    const entryLine = r.line;
    openNode(r);
    const key = closeNode(r, readKeyNode(r, keyIndent));
    if (r.line !== entryLine) {
      if (detected) bail();
      return key;
    }
    while (t.charCodeAt(r.pos) === SP) r.pos++;
    if (t.charCodeAt(r.pos) !== 58 /* : */) {
      if (detected) bail();
      return key;
    }
    const after = t.charCodeAt(r.pos + 1);
    if (!isWsOrEol(after)) bail();
    const name = keyOf(r, key);
    r.pos++;
    detected = true;
    openNode(r);
    setProperty(obj, name, closeNode(r, readValue(r, indent)));
    skipSeparation(r, true);
    if (r.pos < r.len && (r.line === entryLine || r.lineIndent > indent)) bail(); // js-yaml's "bad indentation"
    if (r.lineIndent < indent) break;
  }
  r.kind = 'mapping';
  return obj;
}

function readKeyNode(r: Reader, keyIndent: number): unknown {
  const t = r.t;
  const c = t.charCodeAt(r.pos);
  if ((c === 63 || c === 58) && isWsOrEol(t.charCodeAt(r.pos + 1))) bail(); // explicit key
  if (c === 123 || c === 91) return readFlow(r, keyIndent);
  if (c === 34) return readDoubleQuoted(r);
  if (c === 39) return readSingleQuoted(r);
  if (!plainStarts(t, r.pos, false)) bail(); // a block scalar, a compact list, a property...
  return readPlain(r, keyIndent, false);
}

/** A block mapping's value, from just after the `:` of its key in a mapping at column `indent`. */
function readValue(r: Reader, indent: number): unknown {
  const t = r.t;
  if (skipSeparation(r, true) > 0) {
    if (r.pos >= r.len) return empty(r);
    const column = r.pos - r.lineStart;
    const dash = t.charCodeAt(r.pos) === 45 && isWsOrEol(t.charCodeAt(r.pos + 1));
    if (r.lineIndent > indent) return dash ? readSequence(r, column) : readMappingOrScalar(r, column, indent + 1);
    if (r.lineIndent === indent && dash) return readSequence(r, column);
    return empty(r);
  }
  const c = t.charCodeAt(r.pos);
  if (c === 123 || c === 91) return readFlow(r, indent + 1);
  if (c === 124 /* | */) return readLiteral(r, indent + 1);
  if (c === 34) return readDoubleQuoted(r);
  if (c === 39) return readSingleQuoted(r);
  if (!plainStarts(t, r.pos, false)) bail();
  return readPlain(r, indent + 1, false);
}

/** A block sequence whose first `-` is where the reader stands, at column `indent`. */
function readSequence(r: Reader, indent: number): unknown {
  const t = r.t;
  const list: unknown[] = [];
  while (r.pos < r.len) {
    if (t.charCodeAt(r.pos) !== 45 || !isWsOrEol(t.charCodeAt(r.pos + 1))) break;
    r.pos++;
    if (skipSeparation(r, true) > 0 && r.lineIndent <= indent) {
      list.push(null); // `-` and nothing: no node
      continue;
    }
    const entryLine = r.line;
    const c = t.charCodeAt(r.pos);
    if (r.pos >= r.len || c === 62 || (c === 45 && isWsOrEol(t.charCodeAt(r.pos + 1)))) bail();
    openNode(r);
    list.push(closeNode(r, c === 124 ? readLiteralItem(r, indent) : readMappingOrScalar(r, r.pos - r.lineStart, indent + 1)));
    skipSeparation(r, true);
    if (r.pos < r.len && (r.line === entryLine || r.lineIndent > indent)) bail();
    if (r.lineIndent < indent) break;
  }
  r.kind = 'sequence';
  return list;
}

/** `- |`: js-yaml first tries a mapping key there and reports that empty node, then reads the block scalar. */
function readLiteralItem(r: Reader, indent: number): unknown {
  openNode(r);
  closeNode(r, empty(r));
  return readLiteral(r, indent + 1);
}

/**
 * The one document of `text` (NEL already made a line break) with every node, as yaml-nodes.ts's js-yaml
 * parse gives them; undefined when the text is outside what this reader knows, or not valid.
 */
export function parseFast(text: string): { documents: unknown[]; nodes: YamlNode[] } | undefined {
  if (text.charCodeAt(text.length - 1) !== LF || OUTSIDE_TEXT.test(text) || text.includes('\\/')) return undefined;
  const r: Reader = { t: text, len: text.length, pos: 0, line: 0, lineStart: 0, lineIndent: 0, nodes: [], kids: [], open: [], kind: 'empty' };
  try {
    while (text.charCodeAt(r.pos) === SP) r.pos++;
    r.lineIndent = r.pos;
    skipSeparation(r, true);
    if (r.pos >= r.len) return undefined;
    openNode(r);
    const root = closeNode(r, readMappingOrScalar(r, r.pos - r.lineStart, r.lineIndent));
    if (r.kind !== 'mapping') return undefined;
    skipSeparation(r, true);
    if (r.pos < r.len) return undefined; // another document, or an error js-yaml will name
    return { documents: [root], nodes: r.nodes };
  } catch (e) {
    if (e === OUTSIDE) return undefined;
    throw e;
  }
}
