// `sidecar-injector inject -f FILE|-`: like `istioctl kube-inject`. Every injectable object in the input
// is injected; other kinds pass through; skipped objects pass through with the reason on stderr. Any
// error fails the whole run (nothing is written), naming the object and what is wrong. The objects go
// through the preview's per-object loop (core/preview.ts), the injector's own pod put in place.
import { parseDocuments, toJson, toYaml, unflattenLists, type KubeObject } from '../core/documents.ts';
import { injectorPod, previewEachObject } from '../core/preview.ts';
import type { ProxyConfigSet } from '../core/proxy-configs.ts';
import type { Settings } from '../core/settings/index.ts';
import { INJECT } from './commands.ts';
import { oneOf, parseCommand, usageText } from './flags.ts';
import { readFlagFile, UsageError, type CliIO } from './io.ts';
import { proxyConfigsFromFlags, type SettingsFlags, settingsFromFlags, settingsNotices } from './settings-flags.ts';

export interface InjectOutcome {
  objects: KubeObject[];
  skipped: string[];
  errors: string[];
}

export function injectObjects(
  objects: KubeObject[],
  settings: Settings,
  namespace: string | undefined,
  proxyConfigs?: ProxyConfigSet,
): InjectOutcome {
  const items = previewEachObject(objects, { settings, namespace: namespace || 'default', proxyConfigs }, injectorPod);
  const skipped: string[] = [];
  const errors: string[] = [];
  for (const item of items) {
    if (item.error) errors.push(`${item.object}: ${item.message} [${item.error.code}]`);
    else if (item.inject === false) skipped.push(`===> Skipping injection because ${item.object}: ${item.message} [${item.reason}]`);
  }
  return {
    objects: unflattenLists(
      objects,
      items.map((item) => item.injected),
    ),
    skipped,
    errors,
  };
}

export function injectCommand(argv: string[], io: CliIO): number {
  const parsed = parseCommand(INJECT, argv);
  if (parsed.help) {
    io.stdout(usageText(INJECT));
    return 0;
  }
  const f = parsed.values as SettingsFlags & { filename?: string; output?: string; namespace?: string };
  if (!f.filename) throw new UsageError('inject needs -f FILE (or -f - for standard input) (see: sidecar-injector inject --help)');
  oneOf(f.output, '-o', ['yaml', 'json']);
  const settings = settingsFromFlags(f);
  for (const line of settingsNotices(settings)) io.stderr(line);
  const proxyConfigs = proxyConfigsFromFlags(f, io.stderr);
  const objects = parseDocuments(readFlagFile(io, f.filename, '-f'), f.filename);
  const r = injectObjects(objects, settings, f.namespace, proxyConfigs);
  for (const s of r.skipped) io.stderr(`${s}\n`);
  if (r.errors.length > 0) {
    for (const e of r.errors) io.stderr(`error: ${e}\n`);
    return 1;
  }
  io.stdout(f.output === 'json' ? toJson(r.objects) : toYaml(r.objects));
  return 0;
}
