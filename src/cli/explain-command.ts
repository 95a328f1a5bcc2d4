// `sidecar-injector explain -f FILE`: for each object, inject or not, the reason, and what decided it:
// the webhook entry, labels, annotations and settings, the templates that ran, the sidecar's shape and
// warnings. The preview's items (core/preview.ts, the loop /preview runs), formatted as text, JSON or
// YAML (explain-output.ts), each written as soon as it is made.
import { eachDocument } from '../core/documents.ts';
import { parseLabelList } from '../core/label-list.ts';
import { previewEach } from '../core/preview.ts';
import type { InjectionEntry } from '../core/webhooks/entries.ts';
import { readWebhookConfigurations } from '../core/webhooks/read.ts';
import type { Settings } from '../core/settings/index.ts';
import { EXPLAIN } from './commands.ts';
import { explanationOf, explanationWriter } from './explain-output.ts';
import { oneOf, parseCommand, usageText } from './flags.ts';
import { readFlagFile, UsageError, type CliIO } from './io.ts';
import { progress } from './progress.ts';
import { proxyConfigsFromFlags, type SettingsFlags, settingsFromFlags, settingsNotices } from './settings-flags.ts';

export { type Explanation, explanationOf } from './explain-output.ts';

interface ExplainFlags {
  filename?: string;
  output?: string;
  rules?: boolean;
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
  oneOf(f.output, '-o', ['text', 'json', 'yaml']);
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
  const ctx = {
    settings,
    namespace: f.namespace || 'default',
    namespaceExplicit: f.namespace !== undefined,
    namespaceLabels,
    proxyConfigs,
    webhooks,
  };
  const writer = explanationWriter(f.output!, io.stdout, f.rules === true);
  const shown = progress(io, 'explain');
  let failed = false;
  try {
    for (const item of previewEach(eachDocument(readFlagFile(io, f.filename!, '-f'), f.filename), ctx)) {
      const r = explanationOf(item);
      failed ||= r.error !== undefined;
      writer.write(r);
      shown.tick();
    }
  } finally {
    shown.done();
    writer.end(); // the JSON array closed even when the input breaks off: what came before stays readable
  }
  return failed ? 1 : 0;
}
