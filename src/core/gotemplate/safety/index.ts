// The safety claim for Go templates: text a pod author controls never adds or changes fields of what a
// template renders. The executor marks where each pod value was printed (TaintSpan); this module parses
// the render once (yaml-nodes.ts: js-yaml read as istiod's go-yaml v2 reads it, whose listener gives every
// node's range, so the data and the check come from the same parse) and returns the data, or refuses:
//
// - TEMPLATE_RENDER, naming where the pod wrote the value, where istiod refuses the pod too: YAML that
//   does not parse (blamed on the last pod value before the error), or a value whose type Go's Pod
//   cannot hold (types.ts: `name: yes` is a bool; blamed on the pod value printed in that field).
// - TEMPLATE_UNSAFE_VALUE where the pod value would add or change structure istiod would accept: raw text
//   (raw.ts) must lie inside ONE scalar as its content (blanks at its edges and a trailing comment are
//   dropped as istiod drops them, if they hide none of the template's text); serializer output
//   (structured.ts) must cover whole nodes of one collection that load as exactly what it holds alone.
//
// Inside a scalar, the value is what istiod's YAML makes of it: `010` is 8, `null` no value (the field
// is absent, as a strategic merge patch drops it), a line break folded, `''` a quote.
import { clipJson } from '../../clip.ts';
import type { TaintSpan } from '../exec/state.ts';
import { InjectionError } from '../../errors.ts';
import { rawViolation } from './raw.ts';
import { structuredViolation } from './structured.ts';
import { nodeAtPath } from './landing.ts';
import { fieldPathText, podTypeProblem, type TypeProblem } from './types.ts';
import { type ParsedYaml, parseWithNodes, YamlNodeLimit } from './yaml-nodes.ts';

/** Where the executor printed a value the pod author controls (UTF-16 offsets into the rendered text). */
export type { TaintSpan } from '../exec/state.ts';
export { fillHoles, type Holes, holesOf } from './holes.ts';

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
export function findViolation(rendered: string, spans: readonly TaintSpan[], parsed: ParsedYaml): Violation | undefined {
  const text = parsed.text; // the render as parsed (NEL as a line break)
  for (const span of spans) {
    if (!(Number.isInteger(span.start) && Number.isInteger(span.end) && span.start >= 0 && span.start <= span.end && span.end <= text.length)) {
      throw new Error(`taint span [${span.start}, ${span.end}) is outside the rendered text (${text.length} characters)`);
    }
    if (span.start === span.end) continue; // printed nothing: the template's own text decides
    const reason = span.structured
      ? structuredViolation(text, parsed, span.start, span.end, span.data, rendered)
      : rawViolation(text, parsed, span.start, span.end);
    if (reason !== undefined) return violation(text, span, reason);
  }
  return undefined;
}

// text that can break YAML far from where it is printed: quotes, escapes, line breaks
const YAML_SIGNIFICANT = /["'\\\r\n\u0085\u2028\u2029]/;

/**
 * The span to blame for YAML that does not parse: the last one printed before the error (or on its line)
 * that holds a quote, backslash or line break (an unclosed quote breaks the YAML far after it, past plain
 * values; a serializer's quotes are whole), else the last one before it.
 */
function blameForParseError(text: string, spans: readonly TaintSpan[], e: unknown): Violation | undefined {
  const mark = (e as { mark?: { position?: number } }).mark?.position;
  if (mark === undefined) return undefined;
  // a span on the error's line counts as before it (the parser may stop at the line's start)
  const eol = text.indexOf('\n', mark);
  const at = eol < 0 ? text.length : eol;
  let blamed: TaintSpan | undefined;
  let significant: TaintSpan | undefined;
  for (const s of spans) {
    if (s.end <= s.start || s.start > at) continue;
    if (blamed === undefined || s.start > blamed.start) blamed = s;
    if ((significant === undefined || s.start > significant.start) && (s.structured ? /[\r\n]/ : YAML_SIGNIFICANT).test(text.slice(s.start, s.end)))
      significant = s;
  }
  blamed = significant ?? blamed;
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
  const from = v.span.source === undefined ? '' : ` from ${v.span.source}`;
  return new InjectionError(
    'TEMPLATE_UNSAFE_VALUE',
    `injection template "${template}" printed ${what} (${clipJson(v.value)})${from} where it ${v.reason} (rendered line ${v.line}, column ${v.column}): refused, so that text from the pod cannot add or change fields`,
    v.span.source ?? v.span.origin ?? template,
  );
}

/** A pod value that makes istiod refuse the pod (its YAML or its decoding fails): TEMPLATE_RENDER naming where the pod wrote it. */
function refusedAsIstiod(template: string, span: TaintSpan, text: string, why: string): InjectionError {
  const source = span.source ?? 'a value from the pod';
  const printed = span.origin === undefined ? '' : ` ${span.origin}`;
  return new InjectionError(
    'TEMPLATE_RENDER',
    `${source} is not valid where injection template "${template}" prints it${printed} (${clipJson(text.slice(span.start, span.end))}): ${why}; istiod refuses the pod too`,
    span.source ?? span.origin ?? template,
  );
}

/** The render refused for a value Go's Pod cannot hold, blamed on the pod value printed there if there is one. */
function typeError(template: string, text: string, spans: readonly TaintSpan[], parsed: ParsedYaml, p: TypeProblem): InjectionError {
  const where = fieldPathText(p.path);
  const node = parsed.nodes[nodeAtPath(parsed, p.path)];
  const span = node && spans.find((s) => s.end > s.start && s.start < Math.max(node.end, node.start + 1) && s.end > node.start);
  const why = `istiod's YAML reads ${where} as ${p.problem}`;
  if (span) return refusedAsIstiod(template, span, text, why);
  return new InjectionError('TEMPLATE_RENDER', `injection template "${template}" renders ${where} as ${p.problem}, which istiod refuses`, template);
}

/**
 * The data a Go template rendered, after checking every span: the one parse gives both. Throws
 * TEMPLATE_RENDER for YAML or a value istiod would refuse, TEMPLATE_UNSAFE_VALUE for a span that would
 * change structure, TEMPLATE_NOT_POD for YAML the template itself broke or several documents,
 * LIMIT_EXCEEDED past the node or alias caps. The caller drops nulls and checks the pod shape.
 */
export function loadRenderedYaml(template: string, text: string, spans: readonly TaintSpan[]): unknown {
  return loadRenderedYamlParsed(template, text, spans).doc;
}

/** loadRenderedYaml, with the parse the data came from (holes.ts finds in it what a later render may change). */
export function loadRenderedYamlParsed(template: string, text: string, spans: readonly TaintSpan[]): { doc: unknown; parsed: ParsedYaml } {
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
    const why = String((e as { reason?: string }).reason ?? (e as Error).message).split('\n')[0];
    if (blamed) throw refusedAsIstiod(template, blamed.span, text, `the rendered YAML has ${why} after it`);
    const line = (e as { mark?: { line?: number } }).mark?.line;
    throw new InjectionError(
      'TEMPLATE_NOT_POD',
      `injection template "${template}" rendered invalid YAML${line === undefined ? '' : ` at rendered line ${line + 1}`}: ${why}`,
      template,
    );
  }
  const problem = podTypeProblem(parsed.documents[0]);
  if (problem) throw typeError(template, text, spans, parsed, problem);
  const v = findViolation(text, spans, parsed);
  if (v) throw unsafeValueError(template, v);
  if (parsed.documents.length > 1) {
    throw new InjectionError(
      'TEMPLATE_NOT_POD',
      `injection template "${template}" rendered ${parsed.documents.length} YAML documents, want one`,
      template,
    );
  }
  return { doc: parsed.documents[0] ?? null, parsed };
}
