// Settings from a directory laid out as the ConfigMap is mounted: files `config`, `values`, `mesh`
// (each optional) and templates as `<name>.liquid` files, at the top (ConfigMap keys cannot hold a "/")
// or in `templates/`, added to or replacing the built-in ones. Reloaded on change. Settings are put to use
// only when they pass the type checks and inject a plain pod; a directory that fails (unreadable, invalid,
// or injecting nothing) is reported, and the last good settings keep serving until it is repaired.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSettings, type NativeSidecarMode, type Settings } from '../core/settings/index.ts';
import { checkSettingsInject } from '../core/settings/trial.ts';
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
  return {
    config: file('config'),
    values: file('values'),
    mesh: file('mesh'),
    templates: { ...builtin, ...readTemplatesDir(dir), ...(existsSync(tdir) ? readTemplatesDir(tdir) : {}) },
  };
}

function fingerprint(f: SettingsFiles, extra: string): string {
  return createHash('sha256')
    .update(JSON.stringify([f.config, f.values, f.mesh, Object.entries(f.templates).sort(), extra]))
    .digest('hex');
}

export interface SettingsSourceEvents {
  /** `restored`: the files read are again those of the settings in use, after a failure. */
  loaded(settings: Settings, first: boolean, restored?: boolean): void;
  /** `serving`: whether earlier settings keep serving (false: none has loaded yet). */
  failed(error: Error, serving: boolean): void;
}

export interface SettingsSource {
  current(): Settings | undefined;
  /** Why the configuration on disk is not the one in use (unreadable, invalid, cannot inject), if it is not. */
  problem(): string | undefined;
  /** Re-reads now (also called by the watcher); resolves to whether the settings in use changed. */
  reload(): boolean;
  close(): void;
}

/** Settings that pass the type checks and inject a plain pod: only those are ever put to use. */
export function loadSettings(files: SettingsFiles, opts: { sets?: string[]; nativeSidecars?: NativeSidecarMode }): Settings {
  const s = buildSettings({ ...files, sets: opts.sets, nativeSidecars: opts.nativeSidecars });
  checkSettingsInject(s);
  return s;
}

export function startSettingsSource(
  opts: { dir?: string; sets?: string[]; nativeSidecars?: NativeSidecarMode; pollMs?: number },
  events: SettingsSourceEvents,
): SettingsSource {
  let current: Settings | undefined;
  let currentPrint = '';
  let failedPrint = ''; // the files last refused, not tried again until they change
  let problem: string | undefined;
  const extra = JSON.stringify([opts.sets ?? [], opts.nativeSidecars ?? 'auto']);
  const fail = (e: Error, print: string): false => {
    failedPrint = print;
    problem = e.message;
    events.failed(e, current !== undefined);
    return false;
  };
  const reload = (): boolean => {
    let files: SettingsFiles;
    try {
      files = readSettingsDir(opts.dir);
    } catch (e) {
      const err = new Error(`cannot read the configuration in ${opts.dir}: ${(e as Error).message}`);
      // reported once per distinct error, not at every poll; whatever is read next is tried afresh
      return err.message === problem ? false : fail(err, '');
    }
    const print = fingerprint(files, extra);
    if (print === currentPrint) {
      if (problem === undefined) return false;
      // the files are those of the settings in use again (repaired, or readable again)
      problem = undefined;
      failedPrint = '';
      events.loaded(current!, false, true);
      return false;
    }
    if (print === failedPrint) return false; // nothing new to try
    try {
      const s = loadSettings(files, opts);
      const first = current === undefined;
      current = s;
      currentPrint = print;
      failedPrint = '';
      problem = undefined;
      events.loaded(s, first);
      return true;
    } catch (e) {
      return fail(e as Error, print);
    }
  };
  reload();
  const watcher: DirWatcher | undefined = opts.dir ? watchDir(opts.dir, reload, { pollMs: opts.pollMs }) : undefined;
  return { current: () => current, problem: () => problem, reload, close: () => watcher?.close() };
}
