// The scalars of the fast YAML reader (yaml-fast.ts), each read as js-yaml reads it in the places
// templates write it, or left to js-yaml (bail): multi-line plain and quoted scalars, folded ones, rare escapes.
import { goYamlResolve } from './go-yaml-schema.ts';
import { bail, isFlowIndicator, isWsOrEol, LF, type Reader, SP, scalar } from './yaml-fast-reader.ts';

/** Whether a plain scalar may start here (what js-yaml's readPlainScalar accepts, less `:`). */
export function plainStarts(t: string, pos: number, inFlow: boolean): boolean {
  const c = t.charCodeAt(pos);
  // blank, flow indicator, # & * ! | > ' " % @ ` :
  if (isWsOrEol(c) || isFlowIndicator(c) || Number.isNaN(c) || '#&*!|>\'"%@`:'.includes(t[pos]!)) return false;
  if (c === 63 /* ? */ || c === 45 /* - */) {
    const next = t.charCodeAt(pos + 1);
    if (isWsOrEol(next) || (inFlow && isFlowIndicator(next))) return false;
  }
  return true;
}

/**
 * A single-line plain scalar, resolved as go-yaml v2 resolves it. One that would go on over the next
 * line (content there indented at least `indent`) is left to js-yaml.
 */
export function readPlain(r: Reader, indent: number, inFlow: boolean): unknown {
  const t = r.t;
  const start = r.pos;
  let captureEnd = start;
  let pos = start;
  for (; pos < r.len; pos++) {
    const c = t.charCodeAt(pos);
    if (c === 58 /* : */) {
      const next = t.charCodeAt(pos + 1);
      if (isWsOrEol(next) || (inFlow && isFlowIndicator(next))) break;
    } else if (c === 35 /* # */) {
      if (isWsOrEol(t.charCodeAt(pos - 1))) break;
    } else if (inFlow && isFlowIndicator(c)) break;
    else if (c === LF) {
      plainEndsAtLine(r, pos, indent, inFlow);
      pos = captureEnd;
      break;
    }
    if (c !== SP) captureEnd = pos + 1;
  }
  r.pos = pos;
  const value = resolvePlain(t.slice(start, captureEnd));
  if (typeof value === 'number' && !Number.isFinite(value)) bail(); // js-yaml's path refuses it
  return scalar(r, value);
}

/**
 * goYamlResolve, with its common case first: a word of more than five characters starting with a letter
 * is a string (every null, bool or .inf spelling is five or fewer; numbers start with a digit, sign or dot).
 */
function resolvePlain(s: string): unknown {
  const c = s.charCodeAt(0) | 32; // lower case, for letters
  return s.length > 5 && c >= 97 && c <= 122 ? s : goYamlResolve(s);
}

/** Leaves to js-yaml a plain scalar that goes on over the line break at `eol`. */
function plainEndsAtLine(r: Reader, eol: number, indent: number, inFlow: boolean): void {
  if (indent <= 0) bail();
  const t = r.t;
  let pos = eol;
  let lineIndent = 0;
  for (; pos < r.len; pos++) {
    const c = t.charCodeAt(pos);
    if (c === LF) lineIndent = 0;
    else if (c === SP) lineIndent++;
    else break;
  }
  if (pos >= r.len || lineIndent < indent) return;
  const c = t.charCodeAt(pos);
  if (c === 35 /* # */ || (inFlow && isFlowIndicator(c))) return;
  bail();
}

/** A double-quoted scalar on one line, with the escapes templates write. */
export function readDoubleQuoted(r: Reader): unknown {
  const t = r.t;
  let out = '';
  let from = ++r.pos;
  for (let pos = from; pos < r.len; pos++) {
    const c = t.charCodeAt(pos);
    if (c === 34 /* " */) {
      r.pos = pos + 1;
      return scalar(r, out + t.slice(from, pos));
    }
    if (c === LF) bail();
    if (c !== 92 /* \ */) continue;
    out += t.slice(from, pos);
    const e = t[++pos];
    if (e === 'u') {
      const hex = t.slice(pos + 1, pos + 5);
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) bail();
      out += String.fromCharCode(Number.parseInt(hex, 16));
      pos += 4;
    } else {
      const s = e === undefined ? undefined : SIMPLE_ESCAPES[e];
      if (s === undefined) bail();
      out += s;
    }
    from = pos + 1;
  }
  return bail();
}
const SIMPLE_ESCAPES: Readonly<Record<string, string>> = { '"': '"', '\\': '\\', n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', '0': '\0' };

/** A single-quoted scalar on one line. */
export function readSingleQuoted(r: Reader): unknown {
  const t = r.t;
  let out = '';
  let from = ++r.pos;
  for (let pos = from; pos < r.len; pos++) {
    const c = t.charCodeAt(pos);
    if (c === LF) bail();
    if (c !== 39 /* ' */) continue;
    out += t.slice(from, pos);
    if (t.charCodeAt(pos + 1) !== 39) {
      r.pos = pos + 1;
      return scalar(r, out);
    }
    out += "'";
    from = ++pos + 1;
  }
  return bail();
}

/**
 * A literal block scalar (`|`, `|-`, `|+`) as a block mapping's value; its lines are those indented more
 * than `indent` - 1, the indentation taken from the first line with content (or a longer blank one before it).
 */
export function readLiteral(r: Reader, indent: number): unknown {
  const t = r.t;
  let pos = r.pos + 1;
  let chomp = t[pos];
  if (chomp === '-' || chomp === '+') pos++;
  else chomp = '';
  while (t.charCodeAt(pos) === SP) pos++;
  if (t.charCodeAt(pos) !== LF) bail(); // an indentation digit, a comment, text: js-yaml's
  let textIndent = indent;
  let detected = false;
  let emptyLines = 0;
  let read = false;
  let out = '';
  let lineIndent = 0;
  while (pos < r.len) {
    pos++; // the line break
    r.line++;
    r.lineStart = pos;
    lineIndent = 0;
    while ((!detected || lineIndent < textIndent) && t.charCodeAt(pos) === SP) {
      lineIndent++;
      pos++;
    }
    if (!detected && lineIndent > textIndent) textIndent = lineIndent;
    if (t.charCodeAt(pos) === LF) {
      emptyLines++;
      continue;
    }
    if (lineIndent < textIndent) break; // also at the end of the text
    out += '\n'.repeat(read ? 1 + emptyLines : emptyLines);
    read = true;
    detected = true;
    emptyLines = 0;
    const eol = t.indexOf('\n', pos);
    if (eol < 0) bail();
    out += t.slice(pos, eol);
    pos = eol;
  }
  if (chomp === '+') out += '\n'.repeat(read ? 1 + emptyLines : emptyLines);
  else if (chomp === '' && read) out += '\n';
  r.pos = pos;
  r.lineIndent = lineIndent;
  return scalar(r, out);
}
