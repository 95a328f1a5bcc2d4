// MutatingWebhookConfigurations (a file of one or many, a List, or the cluster's) read into the injection
// entries the API server would evaluate for a new pod. A configuration counts when it is labelled
// istio.io/rev or has an entry named *sidecar-injector.istio.io; of it, only the entries whose rules cover
// pods CREATE. Entries come in the API server's call order (configuration name, then entry order).
// Bad input is an INVALID_WEBHOOK_CONFIG error naming the configuration, the entry and the field.
// One pass over the input, capped in configurations and entries: linear cost.
import { clipJson } from '../clip.ts';
import { flattenLists, parseDocuments } from '../documents.ts';
import { InjectionError, isInjectionError } from '../errors.ts';
import { MAX_WEBHOOK_CONFIGURATIONS, MAX_WEBHOOK_ENTRIES } from '../limits.ts';
import { selectorProblem } from '../selectors.ts';
import type { LabelSelector } from '../settings/injector-config.ts';
import { isObject } from '../types.ts';
import type { InjectionEntry } from './entries.ts';
import { inCallOrder } from './match.ts';

const KIND = 'MutatingWebhookConfiguration';
const REVISION_LABEL = 'istio.io/rev';
const TAG_LABEL = 'istio.io/tag';
const INJECTION_SUFFIX = 'sidecar-injector.istio.io';

const invalid = (where: string, problem: string): InjectionError => new InjectionError('INVALID_WEBHOOK_CONFIG', `${where}: ${problem}`, where);

function stringList(v: unknown, where: string): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || !v.every((s) => typeof s === 'string')) throw invalid(where, `must be a list of strings, got ${clipJson(v)}`);
  return v;
}

const covers = (list: string[], wanted: string): boolean => list.includes(wanted) || list.includes('*');

/** Whether a rule (RuleWithOperations) sends pod creations: CREATE, the core group, v1, pods, namespaced. */
function ruleCoversPodCreate(rule: unknown, where: string): boolean {
  if (!isObject(rule)) throw invalid(where, `must be an object, got ${clipJson(rule)}`);
  const ops = stringList(rule.operations, `${where}.operations`);
  const groups = stringList(rule.apiGroups, `${where}.apiGroups`);
  const versions = stringList(rule.apiVersions, `${where}.apiVersions`);
  const resources = stringList(rule.resources, `${where}.resources`);
  const scope = rule.scope ?? '*';
  if (typeof scope !== 'string') throw invalid(`${where}.scope`, `must be a string, got ${clipJson(scope)}`);
  const resourceOk = resources.includes('pods') || resources.includes('*') || resources.includes('*/*');
  return covers(ops, 'CREATE') && covers(groups, '') && covers(versions, 'v1') && resourceOk && (scope === '*' || scope === 'Namespaced');
}

function selectorOf(v: unknown, where: string): LabelSelector | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObject(v)) throw invalid(where, `must be a label selector object, got ${clipJson(v)}`);
  const { matchLabels, matchExpressions } = v;
  if (matchLabels !== undefined && matchLabels !== null) {
    if (!isObject(matchLabels) || !Object.values(matchLabels).every((x) => typeof x === 'string'))
      throw invalid(`${where}.matchLabels`, `must map label keys to string values, got ${clipJson(matchLabels)}`);
  }
  if (matchExpressions !== undefined && matchExpressions !== null) {
    if (!Array.isArray(matchExpressions)) throw invalid(`${where}.matchExpressions`, `must be a list, got ${clipJson(matchExpressions)}`);
    matchExpressions.forEach((e, i) => {
      const at = `${where}.matchExpressions[${i}]`;
      if (!isObject(e) || typeof e.key !== 'string' || typeof e.operator !== 'string')
        throw invalid(at, `must have a string key and operator, got ${clipJson(e)}`);
      stringList(e.values, `${at}.values`);
    });
  }
  const sel = v as LabelSelector;
  const problem = selectorProblem(sel);
  if (problem) throw invalid(where, problem);
  return sel;
}

function labelsOf(metadata: Record<string, unknown>, where: string): Record<string, string> {
  const labels = metadata.labels;
  if (labels === undefined || labels === null) return {};
  if (!isObject(labels) || !Object.values(labels).every((x) => typeof x === 'string'))
    throw invalid(`${where} metadata.labels`, `must map keys to string values, got ${clipJson(labels)}`);
  return labels as Record<string, string>;
}

/** The injection entries of one configuration (none when it is not Istio's injection webhook). */
function entriesOfConfiguration(obj: Record<string, unknown>, index: number, count: { entries: number }): InjectionEntry[] {
  const meta = obj.metadata;
  const name = isObject(meta) ? meta.name : undefined;
  if (!isObject(meta) || typeof name !== 'string' || name === '') throw invalid(`${KIND} ${index + 1}`, 'metadata.name must be a non-empty string');
  const where = `${KIND} "${name}"`;
  const labels = labelsOf(meta, where);
  const webhooks = obj.webhooks ?? [];
  if (!Array.isArray(webhooks)) throw invalid(`${where} webhooks`, `must be a list, got ${clipJson(webhooks)}`);
  const named = (w: unknown): string | undefined => (isObject(w) && typeof w.name === 'string' ? w.name : undefined);
  const istios = labels[REVISION_LABEL] !== undefined || webhooks.some((w) => named(w)?.endsWith(INJECTION_SUFFIX));
  if (!istios) return [];
  const out: InjectionEntry[] = [];
  webhooks.forEach((w, i) => {
    const entryName = named(w);
    if (entryName === undefined || entryName === '') throw invalid(`${where} webhooks[${i}].name`, 'must be a non-empty string');
    const at = `${where} webhooks[${i}] (${entryName})`;
    if (++count.entries > MAX_WEBHOOK_ENTRIES)
      throw new InjectionError(
        'LIMIT_EXCEEDED',
        `more than ${MAX_WEBHOOK_ENTRIES} webhook entries (the cap MAX_WEBHOOK_ENTRIES)`,
        'MAX_WEBHOOK_ENTRIES',
      );
    const entry = w as Record<string, unknown>;
    const rules = entry.rules ?? [];
    if (!Array.isArray(rules)) throw invalid(`${at}.rules`, `must be a list, got ${clipJson(rules)}`);
    const namespaceSelector = selectorOf(entry.namespaceSelector, `${at}.namespaceSelector`);
    const objectSelector = selectorOf(entry.objectSelector, `${at}.objectSelector`);
    if (!rules.some((r, j) => ruleCoversPodCreate(r, `${at}.rules[${j}]`))) return;
    out.push({
      configuration: name,
      name: entryName,
      revision: labels[REVISION_LABEL] || 'default',
      ...(labels[TAG_LABEL] !== undefined ? { tag: labels[TAG_LABEL] } : {}),
      ...(namespaceSelector ? { namespaceSelector } : {}),
      ...(objectSelector ? { objectSelector } : {}),
    });
  });
  return out;
}

/** Injection entries of configuration objects (a List's items too; objects of other kinds are skipped). */
export function injectionEntriesOf(objects: readonly unknown[]): InjectionEntry[] {
  const configs = flattenLists(objects as Record<string, unknown>[]).filter((o) => isObject(o) && o.kind === KIND) as Record<string, unknown>[];
  if (configs.length > MAX_WEBHOOK_CONFIGURATIONS)
    throw new InjectionError(
      'LIMIT_EXCEEDED',
      `more than ${MAX_WEBHOOK_CONFIGURATIONS} MutatingWebhookConfigurations (the cap MAX_WEBHOOK_CONFIGURATIONS)`,
      'MAX_WEBHOOK_CONFIGURATIONS',
    );
  const seen = new Set<string>();
  const count = { entries: 0 };
  const entries = configs.flatMap((c, i) => {
    const list = entriesOfConfiguration(c, i, count);
    const name = (c.metadata as { name: string }).name;
    if (seen.has(name)) throw invalid(`${KIND} "${name}"`, 'appears twice');
    seen.add(name);
    return list;
  });
  return inCallOrder(entries);
}

/**
 * A --webhook-config file (YAML or JSON; one or many configurations, or a List, e.g. `kubectl get
 * mutatingwebhookconfigurations -o yaml`). A file without a MutatingWebhookConfiguration is refused.
 */
export function readWebhookConfigurations(text: string, source: string): InjectionEntry[] {
  let objects: Record<string, unknown>[];
  try {
    objects = parseDocuments(text, source);
  } catch (e) {
    if (isInjectionError(e) && e.code === 'INVALID_OBJECT') throw new InjectionError('INVALID_WEBHOOK_CONFIG', e.message, source);
    throw e;
  }
  if (!flattenLists(objects).some((o) => isObject(o) && o.kind === KIND))
    throw invalid(source, `no ${KIND} found (give one or more, or a List of them: kubectl get mutatingwebhookconfigurations -o yaml)`);
  return injectionEntriesOf(objects);
}
