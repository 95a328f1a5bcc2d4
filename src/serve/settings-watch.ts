// The settings in use, reloaded from the configuration directory (or istiod's ConfigMaps), each load and
// failure counted in the metrics and logged, and each broken template of the settings in use reported.
// Start-up fails when there is no good configuration to serve.
import type { Logger } from 'pino';
import { type SettingsFilePaths, startSettingsSource, type SettingsSource, type SettingsSourceEvents } from '../config/config-dir.ts';
import { InjectionError } from '../core/errors.ts';
import type { NativeSidecarMode, Settings } from '../core/settings/index.ts';
import type { Metrics } from '../http/metrics.ts';
import { withRevision } from './revision.ts';
import type { SetOverride } from '../core/settings/set-flags.ts';

/** Reasons can quote a whole template line: a log line or /readyz body stays short. */
export const clip = (text: string, max = 500): string =>
  text.length > max ? `${text.slice(0, max)}... (${text.length - max} more characters)` : text;

export interface SettingsWatchOptions {
  configDir?: string;
  /** serve --config/--values/--mesh: single files that win over the directory's. */
  settingsFiles?: SettingsFilePaths;
  sets?: SetOverride[];
  nativeSidecars?: NativeSidecarMode;
  pollMs?: number;
  /** Another source than the directory (istiod's ConfigMaps): opened with the events, resolved once its first load was tried. */
  openSettings?: (events: SettingsSourceEvents, hooks: { onEvent(e: { informer: string; type: string }): void }) => Promise<SettingsSource>;
  /** Where that source reads, for logs and messages. */
  settingsFrom?: string;
  /** serve --revision: the revision served, whatever the values' `revision` says (revision.ts). */
  revision?: string;
}

/** sidecar_injector_template_broken for the settings in use: every template and alias, 1 when broken. */
function reportBrokenTemplates(s: Settings, metrics: Metrics): void {
  metrics.templateBroken.reset(); // templates of earlier settings are gone
  for (const name of new Set([...s.templates.names, ...Object.keys(s.config.aliases)]))
    metrics.templateBroken.set({ template: name }, Object.hasOwn(s.brokenTemplates, name) ? 1 : 0);
}

export async function watchSettings(opts: SettingsWatchOptions, metrics: Metrics, logger: Logger): Promise<SettingsSource> {
  const named = Object.entries(opts.settingsFiles ?? {}).map(([k, f]) => `--${k} ${f}`);
  const from = opts.settingsFrom ?? ([opts.configDir, ...named].filter(Boolean).join(', ') || '(built-in)');
  const events: SettingsSourceEvents = {
    loaded(s, first, restored) {
      metrics.configReloads.inc({ result: 'success' });
      metrics.configLastSuccess.set(Date.now() / 1000);
      metrics.configBroken.set(0);
      logger.info(
        {
          configDir: from,
          templates: s.templates.names,
          ...(restored ? { note: 'the configuration read is again the one in use' } : {}),
        },
        first ? 'configuration loaded' : 'configuration reloaded',
      );
      reportBrokenTemplates(s, metrics);
      if (restored) return;
      for (const w of s.warnings) logger.warn({ configDir: from, warning: clip(w) }, 'configuration warning');
      for (const [template, error] of Object.entries(s.brokenTemplates))
        logger.error({ template, error: clip(error) }, 'injection template is broken: pods that ask for it are refused, others are served');
    },
    failed(e, serving) {
      metrics.configReloads.inc({ result: 'failure' });
      metrics.configLastFailure.set(Date.now() / 1000);
      metrics.configBroken.set(1);
      logger.error(
        { configDir: from, error: clip(e.message) },
        serving ? 'configuration failed to load; the last good one keeps serving' : 'configuration failed to load; there is no good one to serve',
      );
    },
  };
  const settings = opts.openSettings
    ? await opts.openSettings(events, { onEvent: (e) => metrics.informerEvents.inc({ informer: e.informer, type: e.type }) })
    : startSettingsSource(
        { dir: opts.configDir, files: opts.settingsFiles, sets: opts.sets, nativeSidecars: opts.nativeSidecars, pollMs: opts.pollMs },
        events,
      );
  if (!settings.current()) {
    settings.close();
    // nothing to serve: stop here, so a rollout with a bad config stalls while the old replicas serve
    throw new InjectionError('INVALID_SETTING', `the configuration in ${from} does not load: ${clip(settings.problem() ?? 'unknown')}`);
  }
  return opts.revision === undefined ? settings : withRevision(settings, opts.revision);
}
