// Kubernetes label selector matching (matchLabels AND matchExpressions), as the API server and Istio do.
import { clipJson } from './clip.ts';
import type { LabelSelector, LabelSelectorRequirement } from './settings/injector-config.ts';

function requirementMatches(labels: Record<string, string>, r: LabelSelectorRequirement): boolean {
  const has = Object.hasOwn(labels, r.key);
  const v = labels[r.key];
  switch (r.operator) {
    case 'In':
      return has && (r.values ?? []).includes(v!);
    case 'NotIn':
      return !has || !(r.values ?? []).includes(v!);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
  }
}

/** An empty selector matches nothing here, as in Istio's never/always selectors. */
export function selectorMatches(sel: LabelSelector, labels: Record<string, string> | undefined, emptyMatchesAll = false): boolean {
  const ml = Object.entries(sel.matchLabels ?? {});
  const me = sel.matchExpressions ?? [];
  if (ml.length === 0 && me.length === 0) return emptyMatchesAll;
  const l = labels ?? {};
  return ml.every(([k, v]) => l[k] === v) && me.every((r) => requirementMatches(l, r));
}

export function describeSelector(sel: LabelSelector): string {
  const parts = [
    ...Object.entries(sel.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`),
    ...(sel.matchExpressions ?? []).map((r) => `${r.key} ${r.operator}${r.values ? ` (${r.values.join(',')})` : ''}`),
  ];
  return parts.join(', ');
}

// Kubernetes label syntax (apimachinery's IsQualifiedName and IsValidLabelValue), which
// LabelSelectorAsSelector checks: Istio skips a never/always selector that fails it, with a warning.
const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function labelKeyProblem(key: string): string | undefined {
  const slash = key.indexOf('/');
  const [prefix, name] = slash < 0 ? [undefined, key] : [key.slice(0, slash), key.slice(slash + 1)];
  if (prefix !== undefined && (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix)))
    return `label key ${clipJson(key)} has a prefix that is not a DNS subdomain`;
  if (name.length > 63 || !LABEL_NAME.test(name)) return `${clipJson(key)} is not a label key`;
  return undefined;
}

function labelValueProblem(value: string): string | undefined {
  return value === '' || (value.length <= 63 && LABEL_NAME.test(value)) ? undefined : `${clipJson(value)} is not a label value`;
}

const OPERATORS: ReadonlySet<string> = new Set(['In', 'NotIn', 'Exists', 'DoesNotExist']);

/** Why Kubernetes' LabelSelectorAsSelector refuses the selector (its first reason), or undefined when it takes it. */
export function selectorProblem(sel: LabelSelector): string | undefined {
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) {
    const why = labelKeyProblem(k) ?? labelValueProblem(v);
    if (why) return `matchLabels: ${why}`;
  }
  for (const [i, e] of (sel.matchExpressions ?? []).entries()) {
    const where = `matchExpressions[${i}]`;
    if (!OPERATORS.has(e.operator)) return `${where}: ${clipJson(e.operator ?? '')} is not a label selector operator`;
    const values = e.values ?? [];
    const needsValues = e.operator === 'In' || e.operator === 'NotIn';
    if (needsValues && values.length === 0) return `${where}: ${e.operator} needs values`;
    if (!needsValues && values.length > 0) return `${where}: ${e.operator} takes no values`;
    const why = labelKeyProblem(e.key ?? '') ?? values.map(labelValueProblem).find((p) => p !== undefined);
    if (why) return `${where}: ${why}`;
  }
  return undefined;
}
