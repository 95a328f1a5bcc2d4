// `sidecar-injector kube-inject`: istioctl kube-inject's flags. The settings come from files
// (--injectConfigFile, --valuesFile, --meshConfigFile: the document or the ConfigMap holding it) and, for
// each one not given, from istiod's ConfigMaps in the cluster (kube-inject-cluster.ts). -o names the file
// to write, as istioctl's does. The injection itself is `inject`'s (inject-command.ts).
import { writeFileSync } from 'node:fs';
import { readOptionalFile, readTemplatesDir } from '../config/files.ts';
import { parseDocuments, toYaml } from '../core/documents.ts';
import { settingsDocument, type SettingsKey } from '../core/settings/configmap.ts';
import { buildSettings, type NativeSidecarMode, type Settings } from '../core/settings/index.ts';
import { withBrokenTemplates } from '../core/settings/trial.ts';
import { KubeApiError } from '../kube/api-errors.ts';
import { reportClusterError } from './cluster-error.ts';
import { KUBE_INJECT } from './commands.ts';
import { oneOf, parseCommand, usageText } from './flags.ts';
import { injectObjects } from './inject-command.ts';
import { CliFailure, readFlagFile, UsageError, type CliIO } from './io.ts';
import { setOverrides, settingsNotices, type SettingsFlags } from './settings-flags.ts';

interface KubeInjectFlags extends Pick<SettingsFlags, 'set' | 'set-string' | 'set-file' | 'native-sidecars'> {
  filename?: string;
  output?: string;
  injectConfigFile?: string;
  meshConfigFile?: string;
  valuesFile?: string;
  injectConfigMapName: string;
  meshConfigMapName: string;
  istioNamespace: string;
  revision?: string;
  kubeconfig?: string;
}

const SOURCES: Array<[SettingsKey, 'injectConfigFile' | 'valuesFile' | 'meshConfigFile']> = [
  ['config', 'injectConfigFile'],
  ['values', 'valuesFile'],
  ['mesh', 'meshConfigFile'],
];

/** The three settings documents: each from its file, else from the cluster's ConfigMap; undefined when the cluster failed (reported). */
async function settingsTexts(f: KubeInjectFlags, io: CliIO): Promise<Record<SettingsKey, string> | undefined> {
  const out = {} as Record<SettingsKey, string>;
  const fromCluster: SettingsKey[] = [];
  const rev = f.revision && f.revision !== 'default' ? `-${f.revision}` : '';
  for (const [key, flag] of SOURCES) {
    const path = f[flag];
    if (path === undefined) fromCluster.push(key);
    else out[key] = settingsDocument(readOptionalFile(path, `--${flag}`)!, key, path, f.revision === 'default' ? undefined : f.revision);
  }
  if (fromCluster.length === 0) return out;
  const refs = fromCluster.map((key) =>
    key === 'mesh'
      ? { name: `${f.meshConfigMapName}${rev}`, key, flag: '--meshConfigMapName' }
      : { name: `${f.injectConfigMapName}${rev}`, key, flag: '--injectConfigMapName' },
  );
  const { readConfigMapKeys } = await import('./kube-inject-cluster.ts');
  try {
    const texts = await readConfigMapKeys(f.kubeconfig, f.istioNamespace, refs);
    for (const [i, key] of fromCluster.entries()) out[key] = texts[i]!;
    return out;
  } catch (e) {
    if (!(e instanceof KubeApiError)) throw e;
    reportClusterError(e, f.kubeconfig, io);
    return undefined;
  }
}

function settingsOf(f: KubeInjectFlags, texts: Record<SettingsKey, string>): Settings {
  const built = buildSettings({
    ...texts,
    sets: setOverrides(f),
    templates: readTemplatesDir(),
    nativeSidecars: oneOf(f['native-sidecars'], '--native-sidecars', ['true', 'false', 'auto']) as NativeSidecarMode | undefined,
  });
  const settings = withBrokenTemplates(built, false);
  // the revision the templates see (.Revision), istioctl's --revision ("default": none)
  if (f.revision === undefined) return settings;
  return { ...settings, summary: { ...settings.summary, revision: f.revision === 'default' ? '' : f.revision } };
}

export async function run(argv: string[], io: CliIO): Promise<number> {
  const parsed = parseCommand(KUBE_INJECT, argv);
  if (parsed.help) {
    io.stdout(usageText(KUBE_INJECT));
    return 0;
  }
  const f = parsed.values as unknown as KubeInjectFlags;
  if (!f.filename) throw new UsageError('kube-inject needs -f FILE (or -f - for standard input) (see: sidecar-injector kube-inject --help)');
  if (f.revision !== undefined && !/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(f.revision))
    throw new UsageError(`--revision must be a revision name such as canary or 1-28-0 (got ${JSON.stringify(f.revision)})`);
  const input = readFlagFile(io, f.filename, '-f');
  const texts = await settingsTexts(f, io);
  if (!texts) return 1;
  const settings = settingsOf(f, texts);
  for (const line of settingsNotices(settings)) io.stderr(line);
  const r = injectObjects(parseDocuments(input, f.filename), { settings, namespace: 'default' });
  for (const s of r.skipped) io.stderr(`${s}\n`);
  if (r.errors.length > 0) {
    for (const e of r.errors) io.stderr(`error: ${e}\n`);
    return 1;
  }
  const yaml = toYaml(r.objects);
  if (f.output === undefined || f.output === '-') io.stdout(yaml);
  else {
    try {
      writeFileSync(f.output, yaml);
    } catch (e) {
      throw new CliFailure(`-o ${f.output}: cannot write (${(e as NodeJS.ErrnoException).code ?? e})`);
    }
  }
  return 0;
}
