// `sidecar-injector explain -f FILE`: for each object, inject or not, the reason, and what decided it:
// the webhook entry, labels, annotations and settings, the templates that ran. The preview's items
// (core/preview.ts, the loop /preview runs), formatted as text or JSON.
import { parseDocuments } from '../core/documents.ts';
import { parseLabelList } from '../core/label-list.ts';
import { previewEachObject, type PreviewItem } from '../core/preview.ts';
import type { InjectionEntry } from '../core/webhooks/entries.ts';
import { describeWebhook, type WebhookRef } from '../core/webhooks/match.ts';
import { readWebhookConfigurations } from '../core/webhooks/read.ts';
import type { Settings } from '../core/settings/index.ts';
import { EXPLAIN } from './commands.ts';
import { oneOf, parseCommand, usageText } from './flags.ts';
import { readFlagFile, UsageError, type CliIO } from './io.ts';
import { proxyConfigsFromFlags, type SettingsFlags, settingsFromFlags, settingsNotices } from './settings-flags.ts';

export interface Explanation {
  object: string;
  inject?: boolean;
  reason?: string;
  message: string;
  decidedBy: string[];
  /** The webhook entry the API server would call (null: none, or the namespace's labels are not known). */
  webhook: WebhookRef | null;
  /** Other entries it would call too (the pod injected twice). */
  alsoMatched?: WebhookRef[];
  templates: string[];
  notes: string[];
  annotations: string[];
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
    notes: item.notes,
    annotations: item.annotations,
  };
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

const revisionPart = (w: WebhookRef): string => `revision ${w.revision}${w.tag !== undefined ? `, tag ${w.tag}` : ''}`;

function explanationText(r: Explanation): string {
  const verdict = r.error
    ? `error ${r.error.code}`
    : r.inject === undefined
      ? 'not applicable'
      : r.inject
        ? `inject (${r.reason})`
        : `skip (${r.reason})`;
  const lines = [`${r.object}: ${verdict}`, `  ${r.message}`];
  if (r.webhook) lines.push(`  webhook: ${r.webhook.configuration}/${r.webhook.name} (${revisionPart(r.webhook)})`);
  for (const w of r.alsoMatched ?? []) lines.push(`  also called: ${describeWebhook(w)}`);
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

interface ExplainFlags {
  filename?: string;
  output?: string;
  namespace?: string;
  'namespace-labels'?: string;
  'webhook-config'?: string;
  kubeconfig?: string;
}

/**
 * --webhook-config FILE: decide with those configurations' entries; --kubeconfig F: with the cluster's, and the
 * namespace's labels from it (--webhook-config and --namespace-labels win over what the cluster says).
 */
export function explainCommand(argv: string[], io: CliIO): number | Promise<number> {
  const parsed = parseCommand(EXPLAIN, argv);
  if (parsed.help) {
    io.stdout(usageText(EXPLAIN));
    return 0;
  }
  const f = parsed.values as ExplainFlags & SettingsFlags;
  if (!f.filename) throw new UsageError('explain needs -f FILE (or -f - for standard input) (see: sidecar-injector explain --help)');
  oneOf(f.output, '-o', ['text', 'json']);
  const settings = settingsFromFlags(f);
  for (const line of settingsNotices(settings)) io.stderr(line);
  const fileEntries =
    f['webhook-config'] !== undefined
      ? readWebhookConfigurations(readFlagFile(io, f['webhook-config'], '--webhook-config'), f['webhook-config'])
      : undefined;
  const given = parseLabelList(f['namespace-labels'], '--namespace-labels', (message) => new UsageError(message));
  const input: ExplainInput = { f, settings, webhooks: fileEntries, namespaceLabels: given };
  if (f.kubeconfig === undefined) return explain(input, io);
  const kubeconfig = f.kubeconfig;
  return import('./explain-cluster.ts').then(async ({ clusterInputsOrReport }) => {
    const cluster = await clusterInputsOrReport(kubeconfig, f.namespace || 'default', io, settings.summary.revision);
    if (!cluster) return 1;
    return explain({ ...input, webhooks: fileEntries ?? cluster.webhooks, namespaceLabels: given ?? cluster.namespaceLabels }, io);
  });
}

interface ExplainInput {
  f: ExplainFlags & Parameters<typeof proxyConfigsFromFlags>[0];
  settings: Settings;
  webhooks: InjectionEntry[] | undefined;
  namespaceLabels: Record<string, string> | undefined;
}

function explain({ f, settings, webhooks, namespaceLabels }: ExplainInput, io: CliIO): number {
  const proxyConfigs = proxyConfigsFromFlags(f, io.stderr);
  const objects = parseDocuments(readFlagFile(io, f.filename!, '-f'), f.filename);
  const ctx = { settings, namespace: f.namespace || 'default', namespaceLabels, proxyConfigs, webhooks };
  const results = previewEachObject(objects, ctx).map(explanationOf);
  if (f.output === 'json') io.stdout(`${JSON.stringify(results, null, 2)}\n`);
  else for (const r of results) io.stdout(explanationText(r));
  return results.some((r) => r.error) ? 1 : 0;
}
