// Settings put to use only when they work, whatever they are read from (a directory, Istio's ConfigMaps in
// the cluster): each reload reads the inputs, skips them when they are those in use or those last refused,
// and else builds and trial-injects them (trial.ts). A failure keeps the last good settings serving and
// is reported; inputs back to those in use clear the failure.
import { createHash } from 'node:crypto';
import { buildSettings, type NativeSidecarMode, type Settings } from '../core/settings/index.ts';
import { checkSettingsInject } from '../core/settings/trial.ts';
import type { SetOverride } from '../core/settings/set-flags.ts';

export interface SettingsFiles {
  config?: string;
  values?: string;
  mesh?: string;
  templates: Record<string, string>;
}

export interface SettingsSourceEvents {
  /** `restored`: the inputs read are again those of the settings in use, after a failure. */
  loaded(settings: Settings, first: boolean, restored?: boolean): void;
  /** `serving`: whether earlier settings keep serving (false: none has loaded yet). */
  failed(error: Error, serving: boolean): void;
}

export interface SettingsSource {
  current(): Settings | undefined;
  /** Why the configuration read is not the one in use (unreadable, invalid, cannot inject), if it is not. */
  problem(): string | undefined;
  /** Re-reads now (also called by the watcher); returns whether the settings in use changed. */
  reload(): boolean;
  close(): void;
  /** Where the configuration is read, as /readyz says it: "on disk", "in ConfigMaps …". */
  readonly readFrom?: string;
}

/** Settings that pass the type checks and inject a plain pod with the default templates: only those are ever put to use. */
export function loadSettings(files: SettingsFiles, opts: { sets?: SetOverride[]; nativeSidecars?: NativeSidecarMode }): Settings {
  return checkSettingsInject(buildSettings({ ...files, sets: opts.sets, nativeSidecars: opts.nativeSidecars }));
}

function fingerprint(f: SettingsFiles, extra: string): string {
  return createHash('sha256')
    .update(JSON.stringify([f.config, f.values, f.mesh, Object.entries(f.templates).sort(), extra]))
    .digest('hex');
}

export interface LoaderOptions {
  /** Reads the inputs; throws when they cannot be read (the message says why). */
  read(): SettingsFiles;
  /** Where the inputs are, for messages: a directory, ConfigMaps. */
  where: string;
  sets?: SetOverride[];
  nativeSidecars?: NativeSidecarMode;
}

/** The reload logic, without a watcher: the caller calls reload() at start and on every change. */
export function settingsLoader(opts: LoaderOptions, events: SettingsSourceEvents): Omit<SettingsSource, 'close'> {
  let current: Settings | undefined;
  let currentPrint = '';
  let failedPrint = ''; // the inputs last refused, not tried again until they change
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
      files = opts.read();
    } catch (e) {
      const err = new Error(`cannot read the configuration in ${opts.where}: ${(e as Error).message}`);
      // reported once per distinct error, not at every poll; whatever is read next is tried afresh
      return err.message === problem ? false : fail(err, '');
    }
    const print = fingerprint(files, extra);
    if (print === currentPrint) {
      if (problem === undefined) return false;
      // the inputs are those of the settings in use again (repaired, or readable again)
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
  return { current: () => current, problem: () => problem, reload };
}
