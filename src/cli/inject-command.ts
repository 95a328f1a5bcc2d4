// `sidecar-injector inject -f FILE|-`: like `istioctl kube-inject`. Every injectable object in the input
// is injected; other kinds pass through; skipped objects pass through with the reason on stderr. Each
// object is written as soon as it is injected (a List once all its items are); as in istioctl kube-inject,
// an error stops the output there: the objects before it are written, none after, every error is named
// on stderr (the object and what is wrong) and the exit code is 1. The objects go through the preview's
// per-object loop (core/preview.ts), the injector's own pod put in place.
import { stringify } from 'yaml';
import { eachDocument, unflattenLists, type KubeObject } from '../core/documents.ts';
import { injectorPod, previewEach, type PreviewContext } from '../core/preview.ts';
import { INJECT } from './commands.ts';
import { oneOf, parseCommand, usageText } from './flags.ts';
import { readFlagFile, UsageError, type CliIO } from './io.ts';
import { progress } from './progress.ts';
import { proxyConfigsFromFlags, type SettingsFlags, settingsFromFlags, settingsNotices } from './settings-flags.ts';

export interface InjectOutcome {
  /** The object as it is written: injected, passed through, or a List of those. */
  object: KubeObject;
  skipped: string[];
  errors: string[];
}

/** One object of the input (a List whole), injected. */
export function injectOne(top: KubeObject, ctx: PreviewContext): InjectOutcome {
  const items = [...previewEach([top], ctx, { injected: injectorPod, capture: false, effects: false })];
  const skipped: string[] = [];
  const errors: string[] = [];
  for (const item of items) {
    if (item.error) errors.push(`${item.object}: ${item.message} [${item.error.code}]`);
    else if (item.inject === false) skipped.push(`===> Skipping injection because ${item.object}: ${item.message} [${item.reason}]`);
  }
  return {
    object: unflattenLists(
      [top],
      items.map((item) => item.injected),
    )[0]!,
    skipped,
    errors,
  };
}

/** Every object injected, for a caller that writes them all at once (kube-inject writes to a file). */
export function injectObjects(objects: KubeObject[], ctx: PreviewContext): { objects: KubeObject[]; skipped: string[]; errors: string[] } {
  const outcomes = objects.map((o) => injectOne(o, ctx));
  return {
    objects: outcomes.map((r) => r.object),
    skipped: outcomes.flatMap((r) => r.skipped),
    errors: outcomes.flatMap((r) => r.errors),
  };
}

/** Writes objects as they come, as `toYaml` / `toJson` would have written them all at once. */
function objectWriter(format: string, out: (text: string) => void): { write(o: KubeObject): void; end(): void } {
  if (format === 'yaml') {
    let n = 0;
    return { write: (o) => out(`${n++ === 0 ? '' : '---\n'}${stringify(o, { lineWidth: 0, aliasDuplicateObjects: false })}`), end: () => undefined };
  }
  // one object: itself; more: a List of them (JSON.stringify(v, null, 2), element by element)
  let first: KubeObject | undefined;
  let n = 0;
  const item = (o: KubeObject) => `    ${JSON.stringify(o, null, 2).replaceAll('\n', '\n    ')}`;
  return {
    write: (o) => {
      if (++n === 1) first = o;
      else out(n === 2 ? `{\n  "apiVersion": "v1",\n  "kind": "List",\n  "items": [\n${item(first!)},\n${item(o)}` : `,\n${item(o)}`);
    },
    end: () => {
      if (n === 1) out(`${JSON.stringify(first, null, 2)}\n`);
      else out(n === 0 ? `${JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [] }, null, 2)}\n` : '\n  ]\n}\n');
    },
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
  const ctx: PreviewContext = { settings, namespace: f.namespace || 'default', proxyConfigs };
  const writer = objectWriter(f.output ?? 'yaml', io.stdout);
  const shown = progress(io, 'inject');
  let failed = false;
  try {
    for (const top of eachDocument(readFlagFile(io, f.filename, '-f'), f.filename)) {
      const r = injectOne(top, ctx);
      for (const s of r.skipped) io.stderr(`${s}\n`);
      for (const e of r.errors) io.stderr(`error: ${e}\n`);
      failed ||= r.errors.length > 0;
      if (!failed) writer.write(r.object);
      shown.tick();
    }
  } finally {
    shown.done();
  }
  if (failed) return 1;
  writer.end();
  return 0;
}
