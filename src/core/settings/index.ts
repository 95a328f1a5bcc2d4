// Settings: the three inputs Istio's injector reads (injector config, values, mesh config) in Istio's own
// shapes, with --set overrides, checked once and compiled once (templates parsed here, not per request).
import { parse as parseYaml } from 'yaml';
import { InjectionError } from '../errors.ts';
import { compileTemplates, type CompiledTemplates } from '../render/engine.ts';
import type { Frozen } from '../render/reuse.ts';
import { deepFreeze, isObject, type JsonObject } from '../types.ts';
import { buildInjectorConfig, type InjectorConfig } from './injector-config.ts';
import { applyMeshConfig } from './mesh.ts';
import { applySet, parseOverride, type SetOverride } from './set-flags.ts';
import { summarise, type SettingsSummary } from './summary.ts';
import { unknownKeyWarnings } from './unknown-keys.ts';
import { applyValues, deepMerge } from './values.ts';

export type NativeSidecarMode = 'true' | 'false' | 'auto';

export interface SettingsInput {
  /** Documents as text (YAML or JSON), as found in the files or ConfigMap keys `config`, `values`, `mesh`. */
  config?: string;
  /** One or more values documents, merged in order (like repeated `helm -f`). */
  values?: string | string[];
  mesh?: string;
  /** Helm-style overrides, e.g. `values.global.proxy.statusPort=123` (set-flags.ts), applied in order. */
  sets?: SetOverride[];
  /** Built-in templates by name (the files of templates/). */
  templates: Record<string, string>;
  nativeSidecars?: NativeSidecarMode;
  /** Reuse renders between admissions (render/reuse.ts). Default true; false renders every time. */
  reuse?: boolean;
  /** With reuse, replay the statements of a render not reused whole (render/statements.ts). Default true. */
  replay?: boolean;
}

export interface Settings {
  config: InjectorConfig;
  values: Frozen<JsonObject>;
  mesh: Frozen<JsonObject>;
  /** What the hot path reads from values and mesh, worked out once. */
  summary: SettingsSummary;
  /** Compiled once; holds the render memo and the caches that rely on it. */
  templates: CompiledTemplates;
  nativeSidecars: NativeSidecarMode;
  reuse: boolean;
  /** What loaded but deserves an operator's eye (Istio accepts it with a warning): logged, and in /readyz. */
  warnings: readonly string[];
  /**
   * Templates and aliases that failed to compile (buildSettings) or to render a plain pod (trial.ts), by
   * name, with why: pods that ask for one are refused (TEMPLATE_BROKEN), the others are served. Plain
   * data, so it crosses to the worker threads with the rest of the settings.
   */
  brokenTemplates: Readonly<Record<string, string>>;
}

// An empty document means "no overrides", whatever form the emptiness takes: no file, blank text, only
// comments, `---`, `null` or `~` (what a ConfigMap key left empty by a template or an editor holds).
// Each gives the built-in defaults, the same as leaving the key out; nothing between "refused" and
// "defaults" (a half-read document) is possible, so the image hub cannot change by accident.
function parseDoc(text: string | undefined, what: string, warnings: string[]): unknown {
  if (text === undefined || text.trim() === '') return undefined;
  const parse = (uniqueKeys: boolean): unknown => parseYaml(text, { uniqueKeys, maxAliasCount: 100 }) ?? undefined;
  try {
    return parse(true);
  } catch (e) {
    const line = (e as { linePos?: Array<{ line: number }> }).linePos?.[0]?.line;
    if ((e as { code?: string }).code === 'DUPLICATE_KEY') {
      // istiod reads a key given twice (the last one wins): so do we, saying where
      warnings.push(`${what}: a key is given twice${line ? ` (line ${line})` : ''}; the last one is read, as Istio reads it`);
      return parse(false);
    }
    throw new InjectionError(
      'INVALID_SETTING',
      `invalid setting ${what}: not YAML or JSON${line ? ` (line ${line})` : ''}: ${String((e as Error).message).split('\n')[0]}`,
      what,
    );
  }
}

function mergeValuesDocs(texts: string[], warnings: string[]): unknown {
  let merged: unknown;
  for (const [i, t] of texts.entries()) {
    const doc = parseDoc(t, texts.length > 1 ? `values[${i}]` : 'values', warnings);
    if (doc === undefined) continue;
    if (!isObject(doc))
      throw new InjectionError('INVALID_SETTING', `invalid setting values${texts.length > 1 ? `[${i}]` : ''}: must be a mapping`, 'values');
    merged = merged === undefined ? doc : deepMerge(merged as JsonObject, doc as JsonObject);
  }
  return merged;
}

// enough to see what is wrong; a config with thousands of unknown keys must not make /readyz huge
const MAX_WARNINGS = 20;
const capped = (w: string[]): string[] =>
  w.length <= MAX_WARNINGS ? w : [...w.slice(0, MAX_WARNINGS), `... and ${w.length - MAX_WARNINGS} more warnings`];

export function buildSettings(input: SettingsInput): Settings {
  const warnings: string[] = [];
  const docs: Record<'config' | 'values' | 'mesh', unknown> = {
    config: parseDoc(input.config, 'config', warnings),
    values: mergeValuesDocs(typeof input.values === 'string' ? [input.values] : (input.values ?? []), warnings),
    mesh: parseDoc(input.mesh, 'mesh', warnings),
  };
  for (const o of input.sets ?? []) {
    for (const s of parseOverride(o)) docs[s.target] = applySet(docs[s.target], s.path, s.value);
  }
  warnings.push(...unknownKeyWarnings(docs.values, docs.mesh));
  const values = applyValues(docs.values, warnings);
  const mesh = applyMeshConfig(docs.mesh);
  const config = buildInjectorConfig(docs.config, values, input.templates, warnings);
  const native = input.nativeSidecars ?? 'auto';
  if (!['true', 'false', 'auto'].includes(native)) {
    throw new InjectionError(
      'INVALID_SETTING',
      `invalid setting nativeSidecars: must be true, false or auto (got ${JSON.stringify(native)})`,
      'nativeSidecars',
    );
  }
  const reuse = input.reuse !== false;
  const templates = compileTemplates(config.templates, { reuse, replay: input.replay });
  return {
    config,
    values: deepFreeze(values),
    mesh: deepFreeze(mesh),
    summary: summarise(values, mesh, templates.keysRead, config.deniedAnnotations),
    templates,
    nativeSidecars: native,
    reuse,
    warnings: Object.freeze(capped(warnings)),
    brokenTemplates: templates.broken,
  };
}
