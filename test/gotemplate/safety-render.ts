// Test helpers: a render as the Go executor makes it, built by hand. A template string holds placeholders
// ⟦0⟧, ⟦1⟧...; each is filled by a printer that writes a pod value the way a template function would and
// the span it is recorded with.
import jsyaml from 'js-yaml';
import type { TaintSpan } from '../../src/core/gotemplate/safety/index.ts';

export interface Printed {
  text: string;
  structured: boolean;
  /** What a serializer serialized (a quoting function's string must load as itself). */
  data?: unknown;
  origin?: string;
  /** Where the pod wrote it ("annotation K"). */
  source?: string;
}

/** Raw text: a name, an annotation, printf of them. */
export const raw = (v: string, origin?: string, source?: string): Printed => ({ text: v, structured: false, origin, source });

/** Go's %q (sprig `quote`): JSON's escapes, plus YAML's non-printable characters escaped as Go does. */
export function goQuote(v: string): string {
  return JSON.stringify(v).replace(/[\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
export const quote = (v: string): Printed => ({ text: goQuote(v), structured: true, data: v });

export const toJSON = (v: unknown): Printed => ({ text: JSON.stringify(v), structured: true });

/**
 * Istio's toYaml as go-yaml v2 writes it (block style, list items not indented under their key, strings
 * quoted where YAML 1.1 or 1.2 would read something else: js-yaml's compat mode).
 */
const goYaml = (v: unknown): string => jsyaml.dump(v, { noArrayIndent: true, lineWidth: -1 });

/** toYaml, then Istio's `indent n` (every line but the first). */
export function toYamlIndent(v: unknown, n: number): Printed {
  const y = goYaml(v);
  return { text: y.split('\n').join(`\n${' '.repeat(n)}`), structured: true };
}

/** sprig's `toYaml | nindent n`: a line break, then every line indented. */
export function toYamlNindent(v: unknown, n: number): Printed {
  const y = goYaml(v).replace(/\n$/, '');
  return { text: `\n${y.replace(/^/gm, ' '.repeat(n))}`, structured: true };
}

/** The rendered text and its spans. */
export function render(template: string, printed: readonly Printed[]): { text: string; spans: TaintSpan[] } {
  let text = '';
  const spans: TaintSpan[] = [];
  const parts = template.split(/⟦(\d+)⟧/);
  for (let i = 0; i < parts.length; i++) {
    if (i % 2 === 0) {
      text += parts[i];
      continue;
    }
    const p = printed[Number(parts[i])];
    if (p === undefined) throw new Error(`no value for placeholder ${parts[i]}`);
    const extra = {
      ...(p.data !== undefined ? { data: p.data } : {}),
      ...(p.origin ? { origin: p.origin } : {}),
      ...(p.source ? { source: p.source } : {}),
    };
    spans.push({ start: text.length, end: text.length + p.text.length, structured: p.structured, ...extra });
    text += p.text;
  }
  return { text, spans };
}
