// neverInjectSelector / alwaysInjectSelector as Istio reads them: YAML into []metav1.LabelSelector, then
// Kubernetes' LabelSelectorAsSelector at match time. A shape that does not fit the Go types fails the
// whole config in Istio (an error here too); an unknown field is dropped by its reader (go-fields.ts), and a
// selector LabelSelectorAsSelector refuses (an unknown operator, a bad label key, In without values) is
// skipped with a warning. The same here: a warning, and such a selector left out (it never matches).
import { InjectionError } from '../errors.ts';
import { selectorProblem } from '../selectors.ts';
import { isObject } from '../types.ts';
import { goFields } from './go-fields.ts';
import type { LabelSelector, LabelSelectorRequirement } from './injector-config.ts';

const refuse = (where: string, why: string): never => {
  throw new InjectionError('INVALID_SETTING', `invalid setting ${where}: ${why}`, where);
};

const isStringOrAbsent = (v: unknown): boolean => v === undefined || v === null || typeof v === 'string';

function requirement(e: unknown, at: string, warnings: string[]): LabelSelectorRequirement {
  if (!isObject(e)) return refuse(at, 'must be a mapping with a key and an operator');
  const r = goFields(e, ['key', 'operator', 'values'], `${at}.`, warnings);
  if (!isStringOrAbsent(r.key) || !isStringOrAbsent(r.operator)) refuse(at, 'must be a mapping with a string key and operator');
  const values = r.values;
  if (values !== undefined && values !== null && !(Array.isArray(values) && values.every((v) => typeof v === 'string')))
    refuse(`${at}.values`, 'must be a list of strings');
  return {
    key: (r.key ?? '') as string,
    operator: (r.operator ?? '') as LabelSelectorRequirement['operator'],
    ...(values ? { values: values as string[] } : {}),
  };
}

function selector(raw: unknown, where: string, warnings: string[]): LabelSelector {
  if (!isObject(raw)) return refuse(where, 'must be a label selector (matchLabels, matchExpressions)');
  const s = goFields(raw, ['matchLabels', 'matchExpressions'], `${where}.`, warnings);
  const labels = s.matchLabels ?? undefined;
  if (labels !== undefined && (!isObject(labels) || Object.values(labels).some((v) => typeof v !== 'string')))
    refuse(`${where}.matchLabels`, 'must be a mapping of strings to strings');
  const exprs = s.matchExpressions ?? undefined;
  if (exprs !== undefined && !Array.isArray(exprs)) refuse(`${where}.matchExpressions`, 'must be a list');
  return {
    ...(labels ? { matchLabels: labels as Record<string, string> } : {}),
    ...(exprs ? { matchExpressions: (exprs as unknown[]).map((e, j) => requirement(e, `${where}.matchExpressions[${j}]`, warnings)) } : {}),
  };
}

/** The selectors at `source` that can match, in order; `warnings` gets what is ignored or skipped, and why. */
export function usableSelectors(raw: unknown, source: string, warnings: string[]): LabelSelector[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) return refuse(source, 'must be a list of label selectors');
  const out: LabelSelector[] = [];
  for (const [i, s] of raw.entries()) {
    const sel = selector(s, `${source}[${i}]`, warnings);
    const why = selectorProblem(sel);
    if (why) warnings.push(`${source}[${i}] is not a valid label selector and is skipped, as Istio skips it: ${why}`);
    else out.push(sel);
  }
  return out;
}
