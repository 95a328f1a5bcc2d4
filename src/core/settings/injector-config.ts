// The injector config (Istio's `config` key): policy, templates, aliases, selectors, injected annotations.
// Like Istio's chart, it starts from what values say; a config document overrides field by field.
import { InjectionError } from '../errors.ts';
import { isObject, type JsonObject } from '../types.ts';
import { checkRules, getPath, type Rules } from './schema.ts';

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
  policy: { oneOf: ['enabled', 'disabled'] },
  defaultTemplates: 'stringList',
  templates: 'stringMap',
  aliases: 'object',
  neverInjectSelector: 'selectorList',
  alwaysInjectSelector: 'selectorList',
  injectedAnnotations: 'stringMap',
  deniedAnnotations: 'stringList',
};

const KNOWN: ReadonlySet<string> = new Set([
  'policy',
  'defaultTemplates',
  'templates',
  'aliases',
  'neverInjectSelector',
  'alwaysInjectSelector',
  'injectedAnnotations',
  'deniedAnnotations',
  'template',
]);
const OPERATORS: ReadonlySet<string> = new Set(['In', 'NotIn', 'Exists', 'DoesNotExist']);

function checkSelectors(list: LabelSelector[], key: string): void {
  for (const [i, s] of list.entries()) {
    for (const [j, e] of (s.matchExpressions ?? []).entries()) {
      const where = `config.${key}[${i}].matchExpressions[${j}]`;
      if (!isObject(e) || typeof e.key !== 'string' || !OPERATORS.has(e.operator as string)) {
        throw new InjectionError(
          'INVALID_SETTING',
          `invalid setting ${where}: needs a key and an operator of In, NotIn, Exists, DoesNotExist`,
          where,
        );
      }
      const needsValues = e.operator === 'In' || e.operator === 'NotIn';
      if (needsValues !== (Array.isArray(e.values) && e.values.length > 0)) {
        throw new InjectionError(
          'INVALID_SETTING',
          `invalid setting ${where}.values: ${e.operator} ${needsValues ? 'needs' : 'takes no'} values`,
          `${where}.values`,
        );
      }
    }
  }
}

export function buildInjectorConfig(user: unknown, values: JsonObject, builtinTemplates: Record<string, string>): InjectorConfig {
  if (user !== undefined && user !== null && !isObject(user)) {
    throw new InjectionError('INVALID_SETTING', 'invalid setting config: must be a mapping', 'config');
  }
  const doc = (user ?? {}) as JsonObject;
  for (const k of Object.keys(doc)) {
    if (!KNOWN.has(k)) throw new InjectionError('INVALID_SETTING', `invalid setting config.${k}: unknown field`, `config.${k}`);
  }
  checkRules(doc, CONFIG_RULES, 'config.');
  const sw = (key: string): unknown => getPath(values, `sidecarInjectorWebhook.${key}`);
  const valueDefaults = sw('defaultTemplates') as string[] | undefined;
  const config: InjectorConfig = {
    policy: (doc.policy as string | undefined) ?? String(getPath(values, 'global.proxy.autoInject') ?? 'enabled'),
    defaultTemplates: (doc.defaultTemplates as string[] | undefined) ?? (valueDefaults?.length ? valueDefaults : ['sidecar']),
    templates: { ...builtinTemplates, ...((doc.templates as Record<string, string>) ?? {}), ...((sw('templates') as Record<string, string>) ?? {}) },
    aliases: (doc.aliases as unknown as Record<string, string[]>) ?? {},
    neverInjectSelector: (doc.neverInjectSelector ?? sw('neverInjectSelector') ?? []) as unknown as LabelSelector[],
    alwaysInjectSelector: (doc.alwaysInjectSelector ?? sw('alwaysInjectSelector') ?? []) as unknown as LabelSelector[],
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
  checkSelectors(config.neverInjectSelector, 'neverInjectSelector');
  checkSelectors(config.alwaysInjectSelector, 'alwaysInjectSelector');
  return config;
}
