// explain's answers, one object at a time: an item as text (the capture summed up in one line unless
// --rules), as a JSON array written element by element, or as a YAML sequence written item by item.
import { stringify } from 'yaml';
import type { PreviewItem } from '../core/preview.ts';
import { describeWebhook, type WebhookRef } from '../core/webhooks/match.ts';

export interface Explanation {
  object: string;
  inject?: boolean;
  reason?: string;
  message: string;
  /** Injected: native (an init container with restartPolicy Always) or classic, and why. */
  sidecar?: PreviewItem['sidecar'];
  decidedBy: string[];
  /** The webhook entry the API server would call (null: none, or the namespace's labels are not known). */
  webhook: WebhookRef | null;
  /** Other entries it would call too (the pod injected twice). */
  alsoMatched?: WebhookRef[];
  templates: string[];
  /** Annotations that changed the result (`key=value`); those read to no effect are among the notes. */
  annotations: string[];
  warnings: string[];
  notes: string[];
  capture?: PreviewItem['capture'];
  error?: { code: string; subject?: string };
}

/** A preview item as `explain` shows it: no patch or injected object; a kind without a pod has no verdict. */
export function explanationOf(item: PreviewItem): Explanation {
  const shaped = {
    decidedBy: item.decidedBy,
    webhook: item.webhook ?? null,
    ...(item.alsoMatched ? { alsoMatched: item.alsoMatched } : {}),
    templates: item.templates,
    annotations: item.annotations,
    warnings: item.warnings,
    notes: item.notes,
  };
  if (item.inject === null) return { object: item.object, message: item.message, ...shaped };
  return {
    object: item.object,
    inject: item.inject,
    reason: item.reason,
    message: item.message,
    ...(item.sidecar ? { sidecar: item.sidecar } : {}),
    ...shaped,
    ...(item.capture ? { capture: item.capture } : {}),
    ...(item.error ? { error: item.error } : {}),
  };
}

const revisionPart = (w: WebhookRef): string => `revision ${w.revision}${w.tag !== undefined ? `, tag ${w.tag}` : ''}`;

function captureLines(c: NonNullable<Explanation['capture']>, rules: boolean): string[] {
  const runner = c.runner === 'native' ? 'sidecar-injector iptables' : "Istio's istio-iptables";
  const families = [c.ipv4, ...(c.ipv6 ? [c.ipv6] : [])];
  const count = families.reduce((n, text) => n + text.split('\n').filter((l) => l.startsWith('-A ') || l.startsWith('-I ')).length, 0);
  if (!rules) return [`  capture: ${c.container} runs ${runner}: ${count} iptables rules${c.ipv6 ? ' (IPv4 and IPv6)' : ''} (--rules prints them)`];
  const lines = [`  capture: ${c.container} runs ${runner}; iptables-restore input:`];
  for (const line of c.ipv4.trimEnd().split('\n')) lines.push(`    ${line}`);
  if (c.ipv6) {
    lines.push('  capture (IPv6): ip6tables-restore input:');
    for (const line of c.ipv6.trimEnd().split('\n')) lines.push(`    ${line}`);
  }
  return lines;
}

export function explanationText(r: Explanation, rules = false): string {
  const verdict = r.error
    ? `error ${r.error.code}`
    : r.inject === undefined
      ? 'not applicable'
      : r.inject
        ? `inject (${r.reason})`
        : `skip (${r.reason})`;
  const lines = [`${r.object}: ${verdict}`, `  ${r.message}`];
  if (r.sidecar) lines.push(`  sidecar: ${r.sidecar.mode} (${r.sidecar.why})`);
  if (r.webhook) lines.push(`  webhook: ${r.webhook.configuration}/${r.webhook.name} (${revisionPart(r.webhook)})`);
  for (const w of r.alsoMatched ?? []) lines.push(`  also called: ${describeWebhook(w)}`);
  for (const d of r.decidedBy) lines.push(`  decided by: ${d}`);
  if (r.templates.length) lines.push(`  templates: ${r.templates.join(', ')}`);
  for (const a of r.annotations) lines.push(`  annotation: ${a}`);
  for (const w of r.warnings) lines.push(`  warning: ${w}`);
  for (const n of r.notes) lines.push(`  note: ${n}`);
  if (r.capture) lines.push(...captureLines(r.capture, rules));
  return `${lines.join('\n')}\n`;
}

/** Writes explanations as they come, in one of the formats; `end()` closes the JSON array. */
export interface ExplanationWriter {
  write(r: Explanation): void;
  end(): void;
}

export function explanationWriter(format: string, out: (text: string) => void, rules: boolean): ExplanationWriter {
  if (format === 'json') {
    // JSON.stringify(all, null, 2), element by element
    let n = 0;
    return {
      write: (r) => out(`${n++ === 0 ? '[\n' : ',\n'}  ${JSON.stringify(r, null, 2).replaceAll('\n', '\n  ')}`),
      end: () => out(n === 0 ? '[]\n' : '\n]\n'),
    };
  }
  if (format === 'yaml') {
    let n = 0;
    return {
      write: (r) => {
        n++;
        out(stringify([r], { lineWidth: 0, aliasDuplicateObjects: false }));
      },
      end: () => {
        if (n === 0) out('[]\n');
      },
    };
  }
  return { write: (r) => out(explanationText(r, rules)), end: () => undefined };
}
