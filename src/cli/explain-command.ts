// `sidecar-injector explain -f FILE`: for each object, inject or not, the reason, and what decided it:
// the webhook entry, labels, annotations and settings, the templates that ran. The preview's items
// (core/preview.ts, the loop /preview runs), formatted as text or JSON.
import { parseArgs } from 'node:util';
import { parseDocuments } from '../core/documents.ts';
import { parseLabelList } from '../core/label-list.ts';
import { previewEachObject, type PreviewItem } from '../core/preview.ts';
import { UsageError, type CliIO } from './io.ts';
import { proxyConfigsFromFlags, SETTINGS_OPTIONS, settingsFromFlags, settingsNotices } from './settings-flags.ts';

export interface Explanation {
  object: string;
  inject?: boolean;
  reason?: string;
  message: string;
  decidedBy: string[];
  templates: string[];
  notes: string[];
  annotations: string[];
  capture?: PreviewItem['capture'];
  error?: { code: string; subject?: string };
}

/** A preview item as `explain` shows it: no patch or injected object; a kind without a pod has no verdict. */
export function explanationOf(item: PreviewItem): Explanation {
  const shaped = { decidedBy: item.decidedBy, templates: item.templates, notes: item.notes, annotations: item.annotations };
  if (item.inject === null) return { object: item.object, message: item.message, ...shaped };
  return {
    object: item.object,
    inject: item.inject,
    reason: item.reason,
    message: item.message,
    ...shaped,
    ...(item.capture ? { capture: item.capture } : {}),
    ...(item.error ? { error: item.error } : {}),
  };
}

function explanationText(r: Explanation): string {
  const verdict = r.error
    ? `error ${r.error.code}`
    : r.inject === undefined
      ? 'not applicable'
      : r.inject
        ? `inject (${r.reason})`
        : `skip (${r.reason})`;
  const lines = [`${r.object}: ${verdict}`, `  ${r.message}`];
  for (const d of r.decidedBy) lines.push(`  decided by: ${d}`);
  if (r.templates.length) lines.push(`  templates: ${r.templates.join(', ')}`);
  for (const a of r.annotations) lines.push(`  annotation: ${a}`);
  for (const n of r.notes) lines.push(`  note: ${n}`);
  if (r.capture) {
    lines.push(
      `  capture: ${r.capture.container} runs ${r.capture.runner === 'native' ? 'sidecar-injector iptables' : "Istio's istio-iptables"}; iptables-restore input:`,
    );
    for (const line of r.capture.ipv4.trimEnd().split('\n')) lines.push(`    ${line}`);
  }
  return `${lines.join('\n')}\n`;
}

export function explainCommand(argv: string[], io: CliIO): number {
  const { values: f } = parseArgs({
    args: argv,
    options: {
      ...SETTINGS_OPTIONS,
      filename: { type: 'string', short: 'f' },
      output: { type: 'string', short: 'o', default: 'text' },
      namespace: { type: 'string', short: 'n' },
      'namespace-labels': { type: 'string' },
    },
    strict: true,
  });
  if (!f.filename) throw new UsageError('explain needs -f FILE (or -f - for standard input)');
  const settings = settingsFromFlags(f);
  for (const line of settingsNotices(settings)) io.stderr(line);
  const proxyConfigs = proxyConfigsFromFlags(f, io.stderr);
  const namespaceLabels = parseLabelList(f['namespace-labels'], '--namespace-labels', (message) => new UsageError(message));
  const objects = parseDocuments(io.readInput(f.filename), f.filename);
  const results = previewEachObject(objects, { settings, namespace: f.namespace || 'default', namespaceLabels, proxyConfigs }).map(explanationOf);
  if (f.output === 'json') io.stdout(`${JSON.stringify(results, null, 2)}\n`);
  else for (const r of results) io.stdout(explanationText(r));
  return results.some((r) => r.error) ? 1 : 0;
}
