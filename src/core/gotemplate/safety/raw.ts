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

/**
 * Units that must not be cut by a span boundary: a double-quoted scalar's backslash escapes (`\"`, `\x41`,
 * an escaped line break) and a single-quoted one's `''`. Returns a reason if [start, end) cuts one, or
 * writes `\/`: YAML 1.2 (js-yaml) reads it, istiod's YAML 1.1 refuses the render.
 */
function escapeViolation(text: string, open: number, close: number, start: number, end: number): string | undefined {
  const quote = text[open];
  for (let i = open + 1; i < close; ) {
    let unit = 1;
    if (quote === '"' && text[i] === '\\') {
      const c = text[i + 1];
      if (c === '/' && i >= start && i < end) return "writes the escape \\/, which istiod's YAML refuses";
      unit = c === 'x' ? 4 : c === 'u' ? 6 : c === 'U' ? 10 : c === '\r' && text[i + 2] === '\n' ? 3 : 2;
    } else if (quote === "'" && text[i] === "'") unit = 2;
    const cut = (b: number) => i < b && b < i + unit;
    if (cut(start) || cut(end)) return quote === '"' ? 'cuts a backslash escape of the quoted value' : "cuts a '' of the quoted value";
    i += unit;
  }
  return undefined;
}

function checkQuoted(text: string, node: YamlNode, open: number, start: number, end: number): string | undefined {
  // YAML folds a line break between quotes, and parsers differ on the details (an escaped break then an
  // empty line: js-yaml "", the spec "\n"): never a pod value's own, so refused as in unquoted text
  if (ANY_BREAK.test(text.slice(start, end))) return 'has a line break, which YAML would fold';
  // the span wrote the whole quoted scalar (e.g. `quote` of the value): it is a string, nothing else
  if (start === open) return end === node.end ? undefined : 'writes quotes that do not close where it ends';
  if (end >= node.end) return 'ends the quoted value it is printed in';
  return escapeViolation(text, open, node.end - 1, start, end);
}

function checkBlock(text: string, node: YamlNode, open: number, start: number): string | undefined {
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

function checkPlain(text: string, parsed: ParsedYaml, at: number, open: number, start: number, end: number): string | undefined {
  const node = parsed.nodes[at]!;
  const value = text.slice(start, end);
  if (ANY_BREAK.test(value)) return 'has a line break where the YAML is unquoted';
  if (start === open && PLAIN_START_INDICATOR.test(value)) return `starts an unquoted YAML value with "${value[0]}"`;
  const scalar = text.slice(open, node.end);
  if (scalar === '<<') return 'makes a YAML merge key';
  if (typeof node.result === 'string') {
    try {
      // how istiod's YAML (go-yaml, 1.1) reads it: `yes`, `010`, `1_000` are not strings there
      if (yamlPlainValue(scalar, 'it') !== '' || scalar === '') return undefined;
      return 'makes a YAML null where a string was written';
    } catch (e) {
      return `makes the unquoted YAML value ${JSON.stringify(scalar)}, which is not a string (${(e as Error).message.replace(/^it /, '')})`;
    }
  }
  const key = keyOf(parsed, at);
  if (typeof key === 'string' && INTEGER_FIELDS.has(key) && DECIMAL.test(scalar)) return undefined;
  return `makes the unquoted YAML value ${JSON.stringify(scalar)} a ${node.result === null ? 'null' : typeof node.result}, not a string`;
}

/** Why raw text at [start, end) is unsafe where it landed, or undefined if it is one scalar's content. */
export function rawViolation(text: string, parsed: ParsedYaml, start: number, end: number): string | undefined {
  const at = nodeHolding(parsed, start, end);
  const node = parsed.nodes[at];
  if (node === undefined || node.kind !== 'scalar' || start < node.start) {
    return 'is not inside one YAML scalar: it adds or ends YAML structure (a key, item, comment, document or flow collection)';
  }
  const open = contentStart(text, node);
  if (start < open) return 'writes a YAML anchor or tag';
  const style = text[open];
  if (style === '*') return 'writes a YAML alias';
  if (style === '"' || style === "'") return checkQuoted(text, node, open, start, end);
  if (style === '|' || style === '>') return checkBlock(text, node, open, start);
  return checkPlain(text, parsed, at, open, start, end);
}
