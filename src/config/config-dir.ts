// Settings from a directory laid out as the ConfigMap is mounted: files `config`, `values`, `mesh`
// (each optional; the keys of Istio's two ConfigMaps, istio-sidecar-injector's config and values and
// istio's mesh, mounted in one directory) and templates as `<name>.tmpl` files, at the top (ConfigMap
// keys cannot hold a "/") or in `templates/`, added to or replacing the built-in ones. `serve --config/
// --values/--mesh` name single files instead (each a document or a whole ConfigMap, as `kubectl get cm
// -o yaml` writes it), which win over the directory's. Reloaded on change
// (settings-loader.ts): settings are put to use only when they pass the type checks and inject a plain
// pod; a directory that fails (unreadable, invalid, or injecting nothing) is reported, and the last good
// settings keep serving until it is repaired.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { settingsDocument, type SettingsKey } from '../core/settings/configmap.ts';
import type { NativeSidecarMode } from '../core/settings/index.ts';
import { readOptionalFile, readTemplatesDir } from './files.ts';
import { settingsLoader, type SettingsFiles, type SettingsSource, type SettingsSourceEvents } from './settings-loader.ts';
import { watchDir, type DirWatcher } from './watch.ts';
import type { SetOverride } from '../core/settings/set-flags.ts';

export { loadSettings, type SettingsFiles, type SettingsSource, type SettingsSourceEvents } from './settings-loader.ts';

/** Single files for some settings keys (serve --config/--values/--mesh): each wins over the directory's. */
export type SettingsFilePaths = Partial<Record<SettingsKey, string>>;

const KEYS: readonly SettingsKey[] = ['config', 'values', 'mesh'];

/** Reads the directory (undefined dir: built-in defaults only) and the single files. Throws on unreadable files. */
export function readSettingsDir(dir: string | undefined, files: SettingsFilePaths = {}): SettingsFiles {
  const builtin = readTemplatesDir();
  const fromDir = (name: string) => (dir !== undefined && existsSync(join(dir, name)) ? readFileSync(join(dir, name), 'utf8') : undefined);
  const read = (key: SettingsKey) => {
    const path = files[key];
    return path === undefined ? fromDir(key) : settingsDocument(readOptionalFile(path, key)!, key, path);
  };
  const [config, values, mesh] = KEYS.map(read);
  if (dir === undefined) return { config, values, mesh, templates: builtin };
  const tdir = join(dir, 'templates');
  return { config, values, mesh, templates: { ...builtin, ...readTemplatesDir(dir), ...(existsSync(tdir) ? readTemplatesDir(tdir) : {}) } };
}

/** What a source reads, for messages: the directory and the single files. */
function describeSource(dir: string | undefined, files: SettingsFilePaths): string {
  const named = KEYS.filter((k) => files[k] !== undefined).map((k) => `--${k} ${files[k]}`);
  if (named.length === 0) return dir ?? '(built-in)';
  return [...(dir === undefined ? [] : [dir]), ...named].join(', ');
}

export function startSettingsSource(
  opts: { dir?: string; files?: SettingsFilePaths; sets?: SetOverride[]; nativeSidecars?: NativeSidecarMode; pollMs?: number },
  events: SettingsSourceEvents,
): SettingsSource {
  const files = opts.files ?? {};
  const where = describeSource(opts.dir, files);
  const loader = settingsLoader(
    { read: () => readSettingsDir(opts.dir, files), where, sets: opts.sets, nativeSidecars: opts.nativeSidecars },
    events,
  );
  loader.reload();
  // a file is watched through its directory: a ConfigMap volume or an editor replaces the file itself
  const dirs = new Set([...(opts.dir === undefined ? [] : [opts.dir]), ...Object.values(files).map((f) => dirname(f!))]);
  const watchers: DirWatcher[] = [...dirs].map((d) => watchDir(d, loader.reload, { pollMs: opts.pollMs }));
  const close = () => {
    for (const w of watchers) w.close();
  };
  return { ...loader, close };
}
