// The injector config (Istio's `config` key): policy, templates, aliases, selectors, injected annotations.
// Like Istio's chart, it starts from what values say; a config document overrides field by field.
import { clipJson } from '../clip.ts';
import { InjectionError } from '../errors.ts';
import { isObject, type JsonObject } from '../types.ts';
import { goFields } from './go-fields.ts';
import { checkRules, getPath, type Rules } from './schema.ts';
import { usableSelectors } from './selector-config.ts';

export interface LabelSelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values?: string[];
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

export interface InjectorConfig {
  policy: string;
  defaultTemplates: string[];
  /** Template sources by name: built-in files, then config `templates`, then values templates. */
  templates: Record<string, string>;
  aliases: Record<string, string[]>;
  neverInjectSelector: LabelSelector[];
  alwaysInjectSelector: LabelSelector[];
  injectedAnnotations: Record<string, string>;
  /** Ours, not Istio's: annotation names (or `prefix*`) a pod may not set; such pods are refused at admission. */
  deniedAnnotations: string[];
}

const CONFIG_RULES: Rules = {
  policy: 'string',
  defaultTemplates: 'stringList',
  templates: 'stringMap',
  aliases: 'object',
  injectedAnnotations: 'stringMap',
  deniedAnnotations: 'stringList',
};

const KNOWN: readonly string[] = [
  'policy',
  'defaultTemplates',
  'templates',
  'aliases',
  'neverInjectSelector',
  'alwaysInjectSelector',
  'injectedAnnotations',
  'deniedAnnotations',
  // not a field of Istio's Config, but its chart writes it (a version-mismatch guard): read without a warning
  'template',
];

/** The config's selectors, else those values give (as Istio's chart copies them into the config). */
function selectorsFrom(
  doc: JsonObject,
  values: JsonObject,
  key: 'neverInjectSelector' | 'alwaysInjectSelector',
  warnings: string[],
): LabelSelector[] {
  const own = doc[key];
  if (own !== undefined && own !== null) return usableSelectors(own, `config.${key}`, warnings);
  return usableSelectors(getPath(values, `sidecarInjectorWebhook.${key}`), `values.sidecarInjectorWebhook.${key}`, warnings);
}

/** `warnings` gets what Istio accepts with a warning (it is put to use as Istio would use it). */
export function buildInjectorConfig(
  user: unknown,
  values: JsonObject,
  builtinTemplates: Record<string, string>,
  warnings: string[] = [],
): InjectorConfig {
  if (user !== undefined && user !== null && !isObject(user)) {
    throw new InjectionError('INVALID_SETTING', 'invalid setting config: must be a mapping', 'config');
  }
  // a key Istio's reader drops (a typo, very likely) or reads under another case loads, with a warning
  const doc = goFields((user ?? {}) as JsonObject, KNOWN, 'config.', warnings) as JsonObject;
  checkRules(doc, CONFIG_RULES, 'config.');
  const sw = (key: string): unknown => getPath(values, `sidecarInjectorWebhook.${key}`);
  const valueDefaults = sw('defaultTemplates') as string[] | undefined;
  const config: InjectorConfig = {
    policy: (doc.policy as string | undefined) ?? String(getPath(values, 'global.proxy.autoInject') ?? 'enabled'),
    defaultTemplates: (doc.defaultTemplates as string[] | undefined) ?? (valueDefaults?.length ? valueDefaults : ['sidecar']),
    templates: { ...builtinTemplates, ...((doc.templates as Record<string, string>) ?? {}), ...((sw('templates') as Record<string, string>) ?? {}) },
    aliases: (doc.aliases as unknown as Record<string, string[]>) ?? {},
    neverInjectSelector: selectorsFrom(doc, values, 'neverInjectSelector', warnings),
    alwaysInjectSelector: selectorsFrom(doc, values, 'alwaysInjectSelector', warnings),
    injectedAnnotations: (doc.injectedAnnotations ?? sw('injectedAnnotations') ?? {}) as Record<string, string>,
    deniedAnnotations: (doc.deniedAnnotations ?? []) as string[],
  };
  for (const [name, list] of Object.entries(config.aliases)) {
    if (!Array.isArray(list) || !list.every((x) => typeof x === 'string')) {
      throw new InjectionError(
        'INVALID_SETTING',
        `invalid setting config.aliases.${name}: must be a list of template names`,
        `config.aliases.${name}`,
      );
    }
  }
  if (config.policy !== 'enabled' && config.policy !== 'disabled') {
    warnings.push(
      `config.policy ${clipJson(config.policy)} is neither enabled nor disabled: as in Istio, no pod is injected, whatever its labels or annotations`,
    );
  }
  return config;
}
