// Settings from a directory laid out as the ConfigMap is mounted: files `config`, `values`, `mesh`
// (each optional; the keys of Istio's two ConfigMaps, istio-sidecar-injector's config and values and
// istio's mesh, mounted in one directory) and templates as `<name>.liquid` files, at the top (ConfigMap
// keys cannot hold a "/") or in `templates/`, added to or replacing the built-in ones. Reloaded on change
// (settings-loader.ts): settings are put to use only when they pass the type checks and inject a plain
// pod; a directory that fails (unreadable, invalid, or injecting nothing) is reported, and the last good
// settings keep serving until it is repaired.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NativeSidecarMode } from '../core/settings/index.ts';
import { readTemplatesDir } from './files.ts';
import { settingsLoader, type SettingsFiles, type SettingsSource, type SettingsSourceEvents } from './settings-loader.ts';
import { watchDir, type DirWatcher } from './watch.ts';

export { loadSettings, type SettingsFiles, type SettingsSource, type SettingsSourceEvents } from './settings-loader.ts';

/** Reads the directory (undefined dir: built-in defaults only). Throws on unreadable files. */
export function readSettingsDir(dir: string | undefined): SettingsFiles {
  const builtin = readTemplatesDir();
  if (dir === undefined) return { templates: builtin };
  const file = (name: string) => (existsSync(join(dir, name)) ? readFileSync(join(dir, name), 'utf8') : undefined);
  const tdir = join(dir, 'templates');
  return {
    config: file('config'),
    values: file('values'),
    mesh: file('mesh'),
    templates: { ...builtin, ...readTemplatesDir(dir), ...(existsSync(tdir) ? readTemplatesDir(tdir) : {}) },
  };
}

export function startSettingsSource(
  opts: { dir?: string; sets?: string[]; nativeSidecars?: NativeSidecarMode; pollMs?: number },
  events: SettingsSourceEvents,
): SettingsSource {
  const loader = settingsLoader(
    { read: () => readSettingsDir(opts.dir), where: opts.dir ?? '(built-in)', sets: opts.sets, nativeSidecars: opts.nativeSidecars },
    events,
  );
  loader.reload();
  const watcher: DirWatcher | undefined = opts.dir ? watchDir(opts.dir, loader.reload, { pollMs: opts.pollMs }) : undefined;
  return { ...loader, close: () => watcher?.close() };
}
