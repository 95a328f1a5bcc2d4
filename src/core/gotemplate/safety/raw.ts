// Raw text a pod author controls (a name, an annotation, printf of them) must stay inside ONE scalar of
// the rendered YAML and must not decide where that scalar starts or ends, its style, or its type. The
// parser's own node ranges (yaml-nodes.ts) say which scalar holds the span; the rules below look only at
// the characters of that scalar, so the check is linear in the text.
import { yamlPlainValue } from '../../render/istio-yaml.ts';
import { lastNodeStartingAtOrBefore, type ParsedYaml, type YamlNode } from './yaml-nodes.ts';

/**
 * Kubernetes Pod fields of integer type. Istio's templates print some pod values unquoted into them
 * (`initialDelaySeconds: {{ annotation ... }}`, readiness annotations istiod validates as integers): there,
 * and only there, raw text may make a whole scalar that is a plain decimal integer.
 */
export const INTEGER_FIELDS: ReadonlySet<string> = new Set([
  'activeDeadlineSeconds',
  'containerPort',
  'defaultMode',
  'expirationSeconds',
  'failureThreshold',
  'fsGroup',
  'hostPort',
  'initialDelaySeconds',
  'mode',
  'periodSeconds',
  'port',
  'priority',
  'runAsGroup',
  'runAsUser',
  'successThreshold',
  'terminationGracePeriodSeconds',
  'timeoutSeconds',
  'tolerationSeconds',
]);

/** Line breaks of YAML 1.1 (go-yaml, istiod's parser) beyond \n and \r: a break there, not here. */
const ANY_BREAK = /[\r\n\u0085\u2028\u2029]/;
// a decimal integer both YAML 1.1 and 1.2 read alike (a leading 0 is octal in 1.1)
const DECIMAL = /^(0|[1-9][0-9]*)$/;
const PLAIN_START_INDICATOR = /^([,[\]{}#&*!|>'"%@`]|[-?:]([ \t\r\n]|$))/;

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

/**
 * A span inside a quoted scalar must not cut an escape at either end (`a\` before the closing quote would
 * escape it), nor write `\/`: YAML 1.2 (js-yaml) reads it, istiod's YAML 1.1 refuses the render.
 */
function escapeViolation(text: string, open: number, start: number, end: number): string | undefined {
  if (insideEscape(text, open, start) || insideEscape(text, open, end)) {
    return text[open] === '"' ? 'cuts a backslash escape of the quoted value' : "cuts a '' of the quoted value";
  }
  if (text[open] !== '"') return undefined;
  for (let i = start; i < end; i += text[i] === '\\' ? escapeLength(text, i) : 1) {
    if (text[i] === '\\' && text[i + 1] === '/') return "writes the escape \\/, which istiod's YAML refuses";
  }
  return undefined;
}

const isBlank = (c: string | undefined): boolean => c === ' ' || c === '\t';

/**
 * Whether the span's leading or trailing blanks sit where a multi-line flow scalar drops them: at the
 * start of a continuation line, or before a line break (the value would not arrive intact).
 */
function blanksFolded(text: string, node: YamlNode, start: number, end: number): boolean {
  if (isBlank(text[start])) {
    let i = start;
    while (i > node.start && isBlank(text[i - 1])) i--;
    if (i > node.start && (text[i - 1] === '\n' || text[i - 1] === '\r')) return true;
  }
  if (isBlank(text[end - 1])) {
    let i = end;
    while (i < node.end && isBlank(text[i])) i++;
    if (i < node.end && (text[i] === '\n' || text[i] === '\r')) return true;
  }
  return false;
}

function checkQuoted(text: string, node: YamlNode, open: number, start: number, end: number): string | undefined {
  // YAML folds a line break between quotes, and parsers differ on the details (an escaped break then an
  // empty line: js-yaml "", the spec "\n"): never a pod value's own, so refused as in unquoted text
  if (ANY_BREAK.test(text.slice(start, end))) return 'has a line break, which YAML would fold';
  if (blanksFolded(text, node, start, end)) return 'begins or ends with blanks, which YAML drops at a line break';
  // raw text that writes the quotes itself loads as another string than the value (`'x'` as x): a
  // container name that no longer matches its container adds one. `quote` of a value is structured.
  if (start === open)
    return end === node.end
      ? 'writes the quotes of the scalar it is printed as, so YAML reads another string'
      : 'writes quotes that do not close where it ends';
  if (end >= node.end) return 'ends the quoted value it is printed in';
  return escapeViolation(text, open, start, end);
}

function checkBlock(text: string, node: YamlNode, open: number, start: number, end: number): string | undefined {
  // line breaks are content here, but not these: go-yaml (istiod) ends a line at them, js-yaml does not
  if (/[\u0085\u2028\u2029]/.test(text.slice(start, end))) return 'has a YAML 1.1 line break (NEL, LS or PS)';
  const headerEnd = text.indexOf('\n', open);
  if (headerEnd < 0 || start <= headerEnd) return 'is in the header of a block scalar';
  // the first content character fixes the block's indentation: the span may not supply it
  let first = headerEnd + 1;
  while (first < node.end && /[ \t\r\n]/.test(text[first]!)) first++;
  if (start < first) return 'sets the indentation of the block scalar it is printed in';
  return undefined;
}

/** The key of the mapping pair whose value is node `i`, if it is one. */
function keyOf(parsed: ParsedYaml, i: number): unknown {
  const node = parsed.nodes[i]!;
  if (node.parent < 0 || node.index % 2 === 0 || parsed.nodes[node.parent]!.kind !== 'mapping') return undefined;
  for (let k = i - 1; k > node.parent; k--) {
    const n = parsed.nodes[k]!;
    if (n.parent === node.parent && n.index === node.index - 1) return n.result;
  }
  return undefined;
}

/** Whether the plain scalar node `at` (content from `open`) is a string, as here and as istiod reads it. */
function plainTypeViolation(text: string, parsed: ParsedYaml, at: number, open: number): string | undefined {
  const node = parsed.nodes[at]!;
  const scalar = text.slice(open, node.end);
  if (scalar === '<<') return 'makes a YAML merge key';
  if (typeof node.result === 'string') {
    // lines the template folds into one value: a space joins them, and no YAML type but string has one
    if (ANY_BREAK.test(scalar)) return undefined;
    try {
      // how istiod's YAML (go-yaml, 1.1) reads it: `yes`, `010`, `1_000` are not strings there
      if (yamlPlainValue(scalar, 'it') !== '') return undefined;
      return 'makes a YAML null where a string was written';
    } catch (e) {
      return `makes the unquoted YAML value ${JSON.stringify(scalar)}, which is not a string (${(e as Error).message.replace(/^it /, '')})`;
    }
  }
  const key = keyOf(parsed, at);
  if (typeof key === 'string' && INTEGER_FIELDS.has(key) && DECIMAL.test(scalar)) return undefined;
  return `makes the unquoted YAML value ${JSON.stringify(scalar)} a ${node.result === null ? 'null' : typeof node.result}, not a string`;
}

function checkPlain(text: string, parsed: ParsedYaml, at: number, open: number, start: number, end: number): string | undefined {
  const value = text.slice(start, end);
  if (ANY_BREAK.test(value)) return 'has a line break where the YAML is unquoted';
  if (blanksFolded(text, parsed.nodes[at]!, start, end)) return 'begins or ends with blanks, which YAML drops at a line break';
  if (start === open && PLAIN_START_INDICATOR.test(value)) return `starts an unquoted YAML value with "${value[0]}"`;
  // once per scalar: many spans in one long scalar must not cost its length each
  if (!parsed.plainTypes.has(at)) parsed.plainTypes.set(at, plainTypeViolation(text, parsed, at, open));
  return parsed.plainTypes.get(at);
}

/** Whether only blanks at the span's edges kept it out of a scalar (for a clearer refusal). */
function onlyBlanksOutside(text: string, parsed: ParsedYaml, start: number, end: number): boolean {
  const value = text.slice(start, end);
  const lead = value.length - value.trimStart().length;
  const trail = value.length - value.trimEnd().length;
  if ((lead === 0 && trail === 0) || lead === value.length || ANY_BREAK.test(value)) return false;
  return rawViolation(text, parsed, start + lead, end - trail) === undefined;
}

/** Why raw text at [start, end) is unsafe where it landed, or undefined if it is one scalar's content. */
export function rawViolation(text: string, parsed: ParsedYaml, start: number, end: number): string | undefined {
  const at = nodeHolding(parsed, start, end);
  const node = parsed.nodes[at];
  if (node === undefined || node.kind !== 'scalar' || start < node.start) {
    return onlyBlanksOutside(text, parsed, start, end)
      ? 'begins or ends with blanks, which YAML drops around an unquoted value'
      : 'is not inside one YAML scalar: it adds or ends YAML structure (a key, item, comment, document or flow collection)';
  }
  const open = contentStart(text, node);
  if (start < open) return 'writes a YAML anchor or tag';
  const style = text[open];
  if (style === '*') return 'writes a YAML alias';
  if (style === '"' || style === "'") return checkQuoted(text, node, open, start, end);
  if (style === '|' || style === '>') return checkBlock(text, node, open, start, end);
  return checkPlain(text, parsed, at, open, start, end);
}
