// `sidecar-injector explain -f FILE`: for each object, inject or not, the reason, and what decided it:
// the webhook entry, labels, annotations and settings, the templates that ran.
import { parseArgs } from 'node:util';
import { clipJson } from '../core/clip.ts';
import { parseDocuments, isList, type KubeObject } from '../core/documents.ts';
import { isInjectionError } from '../core/errors.ts';
import { injectPod } from '../core/inject.ts';
import { captureOrNote, type PreviewItem } from '../core/preview.ts';
import { isInjectableKind, objectName, podOf, workloadOfObject } from '../core/workloads.ts';
import { UsageError, type CliIO } from './io.ts';
import { SETTINGS_OPTIONS, settingsFromFlags } from './settings-flags.ts';

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

export function parseLabelList(s: string | undefined): Record<string, string> | undefined {
  if (s === undefined) return undefined;
  const out: Record<string, string> = {};
  for (const part of s.split(',').map((p) => p.trim()).filter((p) => p !== '')) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new UsageError(`--namespace-labels: "${part}" is not KEY=VALUE`);
    out[part.slice(0, eq)] = part.slice(eq + 1);
  }
  return out;
}

function flatten(objects: KubeObject[]): KubeObject[] {
  return objects.flatMap((o) => (isList(o) ? (o.items as KubeObject[]) : [o]));
}

export function explainCommand(argv: string[], io: CliIO): number {
  const { values: f } = parseArgs({
    args: argv,
    options: { ...SETTINGS_OPTIONS, filename: { type: 'string', short: 'f' }, output: { type: 'string', short: 'o', default: 'text' },
      namespace: { type: 'string', short: 'n' }, 'namespace-labels': { type: 'string' } },
    strict: true,
  });
  if (!f.filename) throw new UsageError('explain needs -f FILE (or -f - for standard input)');
  const settings = settingsFromFlags(f);
  const namespaceLabels = parseLabelList(f['namespace-labels']);
  const results: Explanation[] = [];
  for (const obj of flatten(parseDocuments(io.readInput(f.filename), f.filename))) {
    const name = objectName(obj);
    if (!isInjectableKind(obj.kind)) {
      results.push({ object: name, message: `kind ${clipJson(obj.kind)} has no pod: passed through`, decidedBy: [], templates: [], notes: [], annotations: [] });
      continue;
    }
    try {
      const ns = ((obj.metadata ?? {}) as { namespace?: string }).namespace || f.namespace || 'default';
      const r = injectPod(podOf(obj), { settings, namespace: ns, workload: workloadOfObject(obj, ns), namespaceLabels });
      const notes = [...r.notes];
      const capture = r.decision.inject ? captureOrNote(r.pod, notes) : undefined;
      results.push({ object: name, inject: r.decision.inject, reason: r.decision.reason, message: r.decision.message, decidedBy: r.decision.decidedBy, templates: r.templates, notes, annotations: r.annotationsUsed,
        ...(capture ? { capture } : {}) });
    } catch (e) {
      if (!isInjectionError(e)) throw e;
      results.push({ object: name, inject: false, reason: 'ERROR', message: e.message, decidedBy: [], templates: [], notes: [], annotations: [], error: { code: e.code, ...(e.subject ? { subject: e.subject } : {}) } });
    }
  }
  if (f.output === 'json') {
    io.stdout(`${JSON.stringify(results, null, 2)}\n`);
  } else {
    for (const r of results) {
      const verdict = r.error ? `error ${r.error.code}` : r.inject === undefined ? 'not applicable' : r.inject ? `inject (${r.reason})` : `skip (${r.reason})`;
      io.stdout(`${r.object}: ${verdict}\n  ${r.message}\n`);
      for (const d of r.decidedBy) io.stdout(`  decided by: ${d}\n`);
      if (r.templates.length) io.stdout(`  templates: ${r.templates.join(', ')}\n`);
      for (const a of r.annotations) io.stdout(`  annotation: ${a}\n`);
      for (const n of r.notes) io.stdout(`  note: ${n}\n`);
      if (r.capture) {
        io.stdout(`  capture: ${r.capture.container} runs ${r.capture.runner === 'native' ? 'sidecar-injector iptables' : "Istio's istio-iptables"}; iptables-restore input:\n`);
        for (const line of r.capture.ipv4.trimEnd().split('\n')) io.stdout(`    ${line}\n`);
      }
    }
  }
  return results.some((r) => r.error) ? 1 : 0;
}
