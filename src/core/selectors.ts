// Kubernetes label selector matching (matchLabels AND matchExpressions), as the API server and Istio do.
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
