// `sidecar-injector inject -f FILE|-`: like `istioctl kube-inject`. Every injectable object in the input
// is injected; other kinds pass through; skipped objects pass through with the reason on stderr. Any
// error fails the whole run (nothing is written), naming the object and what is wrong.
import { parseArgs } from 'node:util';
import { parseDocuments, mapObjects, toJson, toYaml, type KubeObject } from '../core/documents.ts';
import { isInjectionError } from '../core/errors.ts';
import { injectPod } from '../core/inject.ts';
import type { Settings } from '../core/settings/index.ts';
import { isInjectableKind, objectName, podOf, withPod, workloadOfObject } from '../core/workloads.ts';
import { UsageError, type CliIO } from './io.ts';
import { SETTINGS_OPTIONS, settingsFromFlags } from './settings-flags.ts';

export interface InjectOutcome {
  objects: KubeObject[];
  skipped: string[];
  errors: string[];
}

export function injectObjects(objects: KubeObject[], settings: Settings, namespace: string | undefined): InjectOutcome {
  const skipped: string[] = [];
  const errors: string[] = [];
  const out = mapObjects(objects, (obj) => {
    if (!isInjectableKind(obj.kind)) return obj;
    try {
      const meta = (obj.metadata ?? {}) as { namespace?: string };
      const ns = meta.namespace || namespace || 'default';
      const r = injectPod(podOf(obj), { settings, namespace: ns, workload: workloadOfObject(obj, ns) });
      if (!r.decision.inject) {
        skipped.push(`===> Skipping injection because ${objectName(obj)}: ${r.decision.message} [${r.decision.reason}]`);
        return obj;
      }
      return withPod(obj, r.pod);
    } catch (e) {
      if (!isInjectionError(e)) throw e;
      errors.push(`${objectName(obj)}: ${e.message} [${e.code}]`);
      return obj;
    }
  });
  return { objects: out, skipped, errors };
}

export function injectCommand(argv: string[], io: CliIO): number {
  const { values: f } = parseArgs({
    args: argv,
    options: { ...SETTINGS_OPTIONS, filename: { type: 'string', short: 'f' }, output: { type: 'string', short: 'o', default: 'yaml' }, namespace: { type: 'string', short: 'n' } },
    strict: true,
  });
  if (!f.filename) throw new UsageError('inject needs -f FILE (or -f - for standard input)');
  if (f.output !== 'yaml' && f.output !== 'json') throw new UsageError(`-o must be yaml or json (got ${f.output})`);
  const settings = settingsFromFlags(f);
  const objects = parseDocuments(io.readInput(f.filename), f.filename);
  const r = injectObjects(objects, settings, f.namespace);
  for (const s of r.skipped) io.stderr(`${s}\n`);
  if (r.errors.length > 0) {
    for (const e of r.errors) io.stderr(`error: ${e}\n`);
    return 1;
  }
  io.stdout(f.output === 'json' ? toJson(r.objects) : toYaml(r.objects));
  return 0;
}
