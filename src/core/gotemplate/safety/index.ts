// The safety claim for Go templates: text a pod author controls never adds or changes fields of what a
// template renders. The executor marks where each pod value was printed (TaintSpan); this module parses
// the render once (yaml-nodes.ts), checks every span against the parser's own node ranges (raw.ts,
// structured.ts) and returns the data, or refuses the render with TEMPLATE_UNSAFE_VALUE naming the value.
import { clipJson } from '../../clip.ts';
import { InjectionError } from '../../errors.ts';
import { rawViolation } from './raw.ts';
import { structuredViolation } from './structured.ts';
import { type ParsedYaml, parseWithNodes, YamlNodeLimit } from './yaml-nodes.ts';

export { INTEGER_FIELDS } from './raw.ts';

/** Where the executor printed a value the pod author controls: UTF-16 offsets into the rendered text. */
export interface TaintSpan {
  start: number;
  end: number;
  /** A serializer (toJSON, toYaml, structToJSON..., maybe then indented or quoted) wrote it. */
  structured: boolean;
  /** Which pod value it came from, for the error: e.g. "annotation sidecar.istio.io/proxyImage". */
  origin?: string;
}

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
    const reason = span.structured ? structuredViolation(text, parsed, span.start, span.end) : rawViolation(text, parsed, span.start, span.end);
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
