// Flags every command that injects shares: where the settings come from and how to override them.
import { readFileSync } from 'node:fs';
import { readOptionalFile, readTemplatesDir } from '../config/files.ts';
import { proxyConfigsFromText, type ProxyConfigSet } from '../core/proxy-configs.ts';
import { buildSettings, type NativeSidecarMode, type Settings } from '../core/settings/index.ts';
import { settingsDocument, type SettingsKey } from '../core/settings/configmap.ts';
import type { SetOverride } from '../core/settings/set-flags.ts';
import { withBrokenTemplates } from '../core/settings/trial.ts';
import { oneOf } from './flags.ts';
import { CliFailure, UsageError } from './io.ts';

export interface SettingsFlags {
  config?: string;
  values?: string[];
  mesh?: string;
  set?: string[];
  'set-string'?: string[];
  'set-file'?: string[];
  'native-sidecars'?: string;
  'templates-dir'?: string;
  'proxy-configs'?: string;
}

/** --set, then --set-string, then --set-file (each file read now), the order Helm applies them in. */
export function setOverrides(f: Pick<SettingsFlags, 'set' | 'set-string' | 'set-file'>): SetOverride[] {
  const files = (f['set-file'] ?? []).map((expr) => {
    const eq = expr.indexOf('=');
    if (eq <= 0 || eq === expr.length - 1) throw new UsageError(`--set-file "${expr}": want KEY=PATH`);
    const path = expr.slice(eq + 1);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      throw new CliFailure(`--set-file ${expr.slice(0, eq)}=${path}: cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? e})`);
    }
    return { key: expr.slice(0, eq), text };
  });
  return [...(f.set ?? []), ...(f['set-string'] ?? []).map((setString) => ({ setString })), ...files];
}

/** A --config/--values/--mesh file: the document, or a ConfigMap (kubectl get cm -o yaml, a List, both in one file) holding it. */
function settingsFile(path: string | undefined, key: SettingsKey): string | undefined {
  const text = readOptionalFile(path, `--${key}`);
  return text === undefined ? undefined : settingsDocument(text, key, path!);
}

/** The settings the flags give, each template but the defaults tried as serve tries them (trial.ts): a
 * broken one is kept, to be named (settingsNotices) and refused to the objects asking for it. The default
 * templates fail, if they do, object by object, as istioctl kube-inject's do. */
export function settingsFromFlags(f: SettingsFlags): Settings {
  const built = buildSettings({
    config: settingsFile(f.config, 'config'),
    values: (f.values ?? []).map((v) => settingsFile(v, 'values')!),
    mesh: settingsFile(f.mesh, 'mesh'),
    sets: setOverrides(f),
    templates: readTemplatesDir(f['templates-dir']),
    nativeSidecars: oneOf(f['native-sidecars'], '--native-sidecars', ['true', 'false', 'auto']) as NativeSidecarMode | undefined,
  });
  return withBrokenTemplates(built, false);
}

/** What the CLI says on stderr about the settings: Istio's warnings, and each broken template with why. */
export function settingsNotices(settings: Settings): string[] {
  return [
    ...settings.warnings.map((w) => `warning: ${w}\n`),
    ...Object.entries(settings.brokenTemplates).map(
      ([name, why]) => `warning: template ${JSON.stringify(name)} is broken, objects that ask for it fail: ${why}\n`,
    ),
  ];
}

/** --proxy-configs FILE: Istio's ProxyConfig resources; each one left out is said on stderr. */
export function proxyConfigsFromFlags(f: SettingsFlags, warn: (line: string) => void): ProxyConfigSet | undefined {
  const text = readOptionalFile(f['proxy-configs'], 'proxy-configs');
  if (text === undefined) return undefined;
  const { set, warnings } = proxyConfigsFromText(text, f['proxy-configs']!);
  for (const w of warnings) warn(`warning: ${w}\n`);
  return set;
}
