// The injector config (Istio's `config` key): policy, templates, aliases, selectors, injected annotations.
// Like Istio's chart, it starts from what values say; a config document overrides field by field.
import { InjectionError } from '../errors.ts';
import { selectorProblem } from '../selectors.ts';
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
  policy: 'string',
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
/**
 * Istio reads selectors into metav1.LabelSelector: a shape that does not fit fails the whole config (an
 * error here too), but one Kubernetes' LabelSelectorAsSelector refuses (an unknown operator, a bad label
 * key, In without values) is only skipped at match time, with a warning. The same here: a warning, and the
 * selector left out (it would never match).
 */
function usableSelectors(list: LabelSelector[], source: string, warnings: string[]): LabelSelector[] {
  for (const [i, s] of list.entries()) {
    const where = `${source}[${i}]`;
    const labels = s.matchLabels ?? {};
    if (!isObject(labels) || Object.values(labels).some((v) => typeof v !== 'string'))
      throw new InjectionError(
        'INVALID_SETTING',
        `invalid setting ${where}.matchLabels: must be a mapping of strings to strings`,
        `${where}.matchLabels`,
      );
    const exprs = s.matchExpressions ?? [];
    if (!Array.isArray(exprs))
      throw new InjectionError('INVALID_SETTING', `invalid setting ${where}.matchExpressions: must be a list`, `${where}.matchExpressions`);
    for (const [j, e] of exprs.entries()) {
      const at = `${where}.matchExpressions[${j}]`;
      const values = (e as { values?: unknown }).values;
      if (!isObject(e) || !['string', 'undefined'].includes(typeof e.key) || !['string', 'undefined'].includes(typeof e.operator))
        throw new InjectionError('INVALID_SETTING', `invalid setting ${at}: must be a mapping with a string key and operator`, at);
      if (values !== undefined && values !== null && !(Array.isArray(values) && values.every((v) => typeof v === 'string')))
        throw new InjectionError('INVALID_SETTING', `invalid setting ${at}.values: must be a list of strings`, `${at}.values`);
    }
  }
  return list.filter((s, i) => {
    const why = selectorProblem(s);
    if (why) warnings.push(`${source}[${i}] is not a valid label selector and is skipped, as Istio skips it: ${why}`);
    return why === undefined;
  });
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
  for (const key of ['neverInjectSelector', 'alwaysInjectSelector'] as const) {
    const source = doc[key] !== undefined && doc[key] !== null ? `config.${key}` : `values.sidecarInjectorWebhook.${key}`;
    config[key] = usableSelectors(config[key], source, warnings);
  }
  if (config.policy !== 'enabled' && config.policy !== 'disabled') {
    warnings.push(
      `config.policy ${JSON.stringify(config.policy)} is neither enabled nor disabled: as in Istio, no pod is injected, whatever its labels or annotations`,
    );
  }
  return config;
}
