// The safety claim for Go templates: text a pod author controls never adds or changes fields of what a
// template renders. The executor marks where each pod value was printed (TaintSpan); this module parses
// the render once (yaml-nodes.ts: js-yaml, whose listener gives every node's range, so the data and the
// check come from the same parse), checks every span against those ranges and returns the data, or
// refuses the render with TEMPLATE_UNSAFE_VALUE naming the template and the value.
//
// Raw text (raw.ts) must lie inside ONE scalar and be only its content: not its anchor, tag, alias or
// block header, not a quote or escape that ends or extends it, not the first character of a block
// scalar (which fixes its indentation). Refused as well, though istiod would read them: a line break in
// a plain or quoted scalar (YAML folds it, and parsers disagree on how), `\/` (js-yaml reads it, istiod
// refuses), NEL/LS/PS in a block scalar (line breaks to istiod only), blanks at the edges of an unquoted
// value. An unquoted scalar holding raw text must read as a string here and to istiod's YAML 1.1 (not
// `true`, `yes`, `010`, `~`), except a decimal integer making a whole value of a Kubernetes integer field
// (INTEGER_FIELDS: Istio prints readiness annotations there). A raw span that is exactly a whole quoted
// scalar is refused: YAML reads it without its quotes, another string (`quote` of a value is serializer
// output, which must load as that value). An empty value prints
// nothing: the template's own text decides (`name: ` is null, as in istiod).
//
// Serializer output (structured.ts) must cover whole nodes of one collection (a node, whole pairs, whole
// items) that load as exactly what the text loads to alone; printed inside a scalar (JSON in a block
// scalar, as PROXY_CONFIG) it is text of that string and follows the raw rules.
import { clipJson } from '../../clip.ts';
import type { TaintSpan } from '../exec/state.ts';
import { InjectionError } from '../../errors.ts';
import { rawViolation } from './raw.ts';
import { structuredViolation } from './structured.ts';
import { type ParsedYaml, parseWithNodes, YamlNodeLimit } from './yaml-nodes.ts';

export { INTEGER_FIELDS } from './raw.ts';

/** Where the executor printed a value the pod author controls (UTF-16 offsets into the rendered text). */
export type { TaintSpan } from '../exec/state.ts';

export interface Violation {
  span: TaintSpan;
  /** What the value does, e.g. "ends the quoted value it is printed in". */
  reason: string;
  /** The printed text. */
  value: string;
  /** 1-based, in the rendered text. */
  line: number;
  column: number;
}

function violation(text: string, span: TaintSpan, reason: string): Violation {
  const lineStart = text.lastIndexOf('\n', span.start - 1) + 1;
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < span.start; i = text.indexOf('\n', i + 1)) line++;
  return { span, reason, value: text.slice(span.start, span.end), line, column: span.start - lineStart + 1 };
}

/** The first span that is unsafe where it landed in `parsed` (the parse of `text`), if any. */
export function findViolation(text: string, spans: readonly TaintSpan[], parsed: ParsedYaml): Violation | undefined {
  for (const span of spans) {
    if (!(Number.isInteger(span.start) && Number.isInteger(span.end) && span.start >= 0 && span.start <= span.end && span.end <= text.length)) {
      throw new Error(`taint span [${span.start}, ${span.end}) is outside the rendered text (${text.length} characters)`);
    }
    if (span.start === span.end) continue; // printed nothing: the template's own text decides
    const reason = span.structured
      ? structuredViolation(text, parsed, span.start, span.end, span.data)
      : rawViolation(text, parsed, span.start, span.end);
    if (reason !== undefined) return violation(text, span, reason);
  }
  return undefined;
}

/** The span to blame for YAML that does not parse: the last one printed before the error. */
function blameForParseError(text: string, spans: readonly TaintSpan[], e: unknown): Violation | undefined {
  const at = (e as { mark?: { position?: number } }).mark?.position;
  if (at === undefined) return undefined;
  let blamed: TaintSpan | undefined;
  for (const s of spans) if (s.end > s.start && s.start <= at && (blamed === undefined || s.start > blamed.start)) blamed = s;
  const why = String((e as { reason?: string }).reason ?? (e as Error).message).split('\n')[0];
  return blamed && violation(text, blamed, `makes the rendered YAML invalid after it (${why})`);
}

/**
 * Checks a render's spans; parses `text` itself. Invalid YAML is blamed on the last span before the
 * error (thrown as js-yaml's error when no span precedes it): a render that cannot be read is not safe.
 */
export function checkTaintedSpans(text: string, spans: readonly TaintSpan[]): Violation | undefined {
  let parsed: ParsedYaml;
  try {
    parsed = parseWithNodes(text);
  } catch (e) {
    const blamed = blameForParseError(text, spans, e);
    if (blamed) return blamed;
    throw e;
  }
  return findViolation(text, spans, parsed);
}

export function unsafeValueError(template: string, v: Violation): InjectionError {
  const what = v.span.origin ?? 'a value from the pod';
  return new InjectionError(
    'TEMPLATE_UNSAFE_VALUE',
    `injection template "${template}" printed ${what} (${clipJson(v.value)}) where it ${v.reason} (rendered line ${v.line}, column ${v.column}): refused, so that text from the pod cannot add or change fields`,
    v.span.origin ?? template,
  );
}

/**
 * The data a Go template rendered, after checking every span: the one parse gives both. Throws
 * TEMPLATE_UNSAFE_VALUE for a span that is unsafe (or breaks the YAML), TEMPLATE_NOT_POD for YAML the
 * template itself broke or several documents, LIMIT_EXCEEDED past the node or alias caps. The caller
 * drops nulls and checks the pod shape as engine.ts does for Liquid.
 */
export function loadRenderedYaml(template: string, text: string, spans: readonly TaintSpan[]): unknown {
  let parsed: ParsedYaml;
  try {
    parsed = parseWithNodes(text);
  } catch (e) {
    if (e instanceof YamlNodeLimit || e instanceof RangeError) {
      throw new InjectionError(
        'LIMIT_EXCEEDED',
        `injection template "${template}" rendered ${e instanceof RangeError ? 'YAML nested too deeply' : (e as Error).message}`,
        template,
      );
    }
    const blamed = blameForParseError(text, spans, e);
    if (blamed) throw unsafeValueError(template, blamed);
    const line = (e as { mark?: { line?: number } }).mark?.line;
    const why = String((e as { reason?: string }).reason ?? (e as Error).message).split('\n')[0];
    throw new InjectionError(
      'TEMPLATE_NOT_POD',
      `injection template "${template}" rendered invalid YAML${line === undefined ? '' : ` at rendered line ${line + 1}`}: ${why}`,
      template,
    );
  }
  const v = findViolation(text, spans, parsed);
  if (v) throw unsafeValueError(template, v);
  if (parsed.documents.length > 1) {
    throw new InjectionError(
      'TEMPLATE_NOT_POD',
      `injection template "${template}" rendered ${parsed.documents.length} YAML documents, want one`,
      template,
    );
  }
  return parsed.documents[0] ?? null;
}
