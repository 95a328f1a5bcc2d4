// Settings from a directory laid out as the ConfigMap is mounted: files `config`, `values`, `mesh`
// (each optional) and templates as `<name>.liquid` files, at the top (ConfigMap keys cannot hold a "/")
// or in `templates/`, added to or replacing the built-in ones. Reloaded on change; a broken directory is
// reported and the last good settings keep serving.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSettings, type NativeSidecarMode, type Settings } from '../core/settings/index.ts';
import { readTemplatesDir } from './files.ts';
import { watchDir, type DirWatcher } from './watch.ts';

export interface SettingsFiles {
  config?: string;
  values?: string;
  mesh?: string;
  templates: Record<string, string>;
}

/** Reads the directory (undefined dir: built-in defaults only). Throws on unreadable files. */
export function readSettingsDir(dir: string | undefined): SettingsFiles {
  const builtin = readTemplatesDir();
  if (dir === undefined) return { templates: builtin };
  const file = (name: string) => (existsSync(join(dir, name)) ? readFileSync(join(dir, name), 'utf8') : undefined);
  const tdir = join(dir, 'templates');
  return { config: file('config'), values: file('values'), mesh: file('mesh'),
    templates: { ...builtin, ...readTemplatesDir(dir), ...(existsSync(tdir) ? readTemplatesDir(tdir) : {}) } };
}

function fingerprint(f: SettingsFiles, extra: string): string {
  return createHash('sha256').update(JSON.stringify([f.config, f.values, f.mesh, Object.entries(f.templates).sort(), extra])).digest('hex');
}

export interface SettingsSourceEvents {
  loaded(settings: Settings, first: boolean): void;
  failed(error: Error): void;
}

export interface SettingsSource {
  current(): Settings | undefined;
  /** Re-reads now (also called by the watcher); resolves to whether the settings in use changed. */
  reload(): boolean;
  close(): void;
}

export function startSettingsSource(opts: { dir?: string; sets?: string[]; nativeSidecars?: NativeSidecarMode; pollMs?: number }, events: SettingsSourceEvents): SettingsSource {
  let current: Settings | undefined;
  let currentPrint = '';
  let failedPrint = '';
  const extra = JSON.stringify([opts.sets ?? [], opts.nativeSidecars ?? 'auto']);
  const reload = (): boolean => {
    let files: SettingsFiles;
    try {
      files = readSettingsDir(opts.dir);
    } catch (e) {
      events.failed(e as Error);
      return false;
    }
    const print = fingerprint(files, extra);
    if (print === currentPrint && failedPrint !== '' && current) {
      failedPrint = ''; // put back as it was: the settings in use are the good ones again
      events.loaded(current, false);
      return false;
    }
    if (print === currentPrint || print === failedPrint) return false; // nothing new to try
    try {
      const s = buildSettings({ ...files, sets: opts.sets, nativeSidecars: opts.nativeSidecars });
      const first = current === undefined;
      current = s;
      currentPrint = print;
      failedPrint = '';
      events.loaded(s, first);
      return true;
    } catch (e) {
      failedPrint = print;
      events.failed(e as Error);
      return false;
    }
  };
  reload();
  const watcher: DirWatcher | undefined = opts.dir ? watchDir(opts.dir, reload, { pollMs: opts.pollMs }) : undefined;
  return { current: () => current, reload, close: () => watcher?.close() };
}
