// Inject or not, and why. Two steps: the webhook's selectors (which Istio leaves to the API server,
// evaluated here only when the namespace's labels are known) and Istio's injectRequired, in its order.
import { ANNOTATION } from './annotations.ts';
import type { InjectorConfig } from './settings/injector-config.ts';
import { describeSelector, selectorMatches } from './selectors.ts';
import type { LabelSelector } from './settings/injector-config.ts';

export type ReasonCode =
  | 'HOST_NETWORK'
  | 'IGNORED_NAMESPACE'
  | 'LABEL_ENABLED'
  | 'LABEL_DISABLED'
  | 'ANNOTATION_ENABLED'
  | 'ANNOTATION_DISABLED'
  | 'NEVER_INJECT_SELECTOR'
  | 'ALWAYS_INJECT_SELECTOR'
  | 'POLICY_ENABLED'
  | 'POLICY_DISABLED'
  | 'POLICY_INVALID'
  | 'NAMESPACE_NOT_SELECTED'
  | 'NAMESPACE_DISABLED'
  | 'OBJECT_OPTED_OUT';

export interface Decision {
  inject: boolean;
  reason: ReasonCode;
  message: string;
  /** What decided it, one line each: the labels, annotations and settings that mattered. */
  decidedBy: string[];
  /** Which webhook entry would send this pod to us; absent when the namespace labels are not known. */
  webhook?: string;
}

export const IGNORED_NAMESPACES = ['kube-system', 'kube-public', 'kube-node-lease', 'local-path-storage'];

export interface DecideInput {
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  hostNetwork?: boolean;
  namespace: string;
  /** Namespace labels, when known (preview, CLI). The webhook leaves them out: the API server matched already. */
  namespaceLabels?: Record<string, string>;
  config: Pick<InjectorConfig, 'policy' | 'neverInjectSelector' | 'alwaysInjectSelector'>;
  revision?: string;
  enableNamespacesByDefault?: boolean;
}

interface WebhookEntry {
  name: string;
  namespaceSelector: LabelSelector;
  objectSelector: LabelSelector;
}

/**
 * Istio's MutatingWebhookConfiguration entries for a revision, as its chart writes them. One piece on
 * purpose: it is a table, entry by entry in the chart's order, and reads best whole.
 */
export function webhookEntries(revision: string | undefined, enableNamespacesByDefault = false): WebhookEntry[] {
  const rev = revision || 'default';
  const notFalse = { key: ANNOTATION.inject, operator: 'NotIn' as const, values: ['false'] };
  const entries: WebhookEntry[] = [
    {
      name: 'rev.namespace.sidecar-injector.istio.io',
      namespaceSelector: {
        matchExpressions: [
          { key: 'istio.io/rev', operator: 'In', values: [rev] },
          { key: 'istio-injection', operator: 'DoesNotExist' },
        ],
      },
      objectSelector: { matchExpressions: [notFalse] },
    },
    {
      name: 'rev.object.sidecar-injector.istio.io',
      namespaceSelector: {
        matchExpressions: [
          { key: 'istio.io/rev', operator: 'DoesNotExist' },
          { key: 'istio-injection', operator: 'DoesNotExist' },
        ],
      },
      objectSelector: { matchExpressions: [notFalse, { key: 'istio.io/rev', operator: 'In', values: [rev] }] },
    },
  ];
  if (rev === 'default') {
    entries.push(
      {
        name: 'namespace.sidecar-injector.istio.io',
        namespaceSelector: { matchExpressions: [{ key: 'istio-injection', operator: 'In', values: ['enabled'] }] },
        objectSelector: { matchExpressions: [notFalse] },
      },
      {
        name: 'object.sidecar-injector.istio.io',
        namespaceSelector: {
          matchExpressions: [
            { key: 'istio-injection', operator: 'DoesNotExist' },
            { key: 'istio.io/rev', operator: 'DoesNotExist' },
          ],
        },
        objectSelector: {
          matchExpressions: [
            { key: ANNOTATION.inject, operator: 'In', values: ['true'] },
            { key: 'istio.io/rev', operator: 'DoesNotExist' },
          ],
        },
      },
    );
  }
  if (enableNamespacesByDefault) {
    entries.push({
      name: 'auto.sidecar-injector.istio.io',
      namespaceSelector: {
        matchExpressions: [
          { key: 'istio-injection', operator: 'DoesNotExist' },
          { key: 'istio.io/rev', operator: 'DoesNotExist' },
          { key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: IGNORED_NAMESPACES },
        ],
      },
      objectSelector: {
        matchExpressions: [
          { key: ANNOTATION.inject, operator: 'DoesNotExist' },
          { key: 'istio.io/rev', operator: 'DoesNotExist' },
        ],
      },
    });
  }
  return entries;
}

function namespaceStep(input: DecideInput, nsLabels: Record<string, string>): Decision | { webhook: string } {
  const ns = { 'kubernetes.io/metadata.name': input.namespace, ...nsLabels };
  for (const e of webhookEntries(input.revision, input.enableNamespacesByDefault)) {
    if (selectorMatches(e.namespaceSelector, ns) && selectorMatches(e.objectSelector, input.labels ?? {})) return { webhook: e.name };
  }
  const nsLabel = nsLabels['istio-injection'];
  const podLabel = input.labels?.[ANNOTATION.inject];
  if (nsLabel === 'disabled') {
    return {
      inject: false,
      reason: 'NAMESPACE_DISABLED',
      message: `namespace "${input.namespace}" is labelled istio-injection=disabled`,
      decidedBy: [`namespace label istio-injection=disabled`],
    };
  }
  if (podLabel === 'false' && (nsLabel === 'enabled' || nsLabels['istio.io/rev'] !== undefined)) {
    return {
      inject: false,
      reason: 'OBJECT_OPTED_OUT',
      message: `pod label ${ANNOTATION.inject}=false opts out of injection`,
      decidedBy: [`pod label ${ANNOTATION.inject}=false`],
    };
  }
  const why =
    nsLabel !== undefined
      ? `istio-injection=${nsLabel}`
      : nsLabels['istio.io/rev'] !== undefined
        ? `istio.io/rev=${nsLabels['istio.io/rev']} (not this injector's revision)`
        : 'no istio-injection label';
  return {
    inject: false,
    reason: 'NAMESPACE_NOT_SELECTED',
    message: `namespace "${input.namespace}" is not opted in (${why}) and the pod has no ${ANNOTATION.inject}=true label`,
    decidedBy: [`namespace labels: ${why}`],
  };
}

function podOverride(input: DecideInput): { value: string; source: 'label' | 'annotation' } | undefined {
  const label = input.labels?.[ANNOTATION.inject];
  if (label !== undefined) return { value: label, source: 'label' }; // the label is the newer API and wins
  const ann = input.annotations?.[ANNOTATION.inject];
  return ann !== undefined ? { value: ann, source: 'annotation' } : undefined;
}

function matchFirst(list: LabelSelector[], labels: Record<string, string> | undefined): LabelSelector | undefined {
  return list.find((s) => selectorMatches(s, labels));
}

export function decide(input: DecideInput): Decision {
  let webhook: string | undefined;
  if (input.namespaceLabels !== undefined) {
    const step = namespaceStep(input, input.namespaceLabels);
    if ('inject' in step) return step;
    webhook = step.webhook;
  }
  const done = (d: Omit<Decision, 'webhook'>): Decision =>
    webhook ? { ...d, webhook, decidedBy: [`webhook entry ${webhook} matches`, ...d.decidedBy] } : d;
  const notes: string[] = []; // what was looked at and ignored, told with the decision
  const verdict = podDecision(input, notes) ?? selectorDecision(input, notes) ?? policyDecision(input.config.policy, notes);
  // as in Istio: a policy other than enabled/disabled injects nothing, whatever the pod or selectors ask
  if (verdict.inject && !VALID_POLICIES.has(input.config.policy)) return done(policyDecision(input.config.policy, verdict.decidedBy));
  return done(verdict);
}

const VALID_POLICIES: ReadonlySet<string> = new Set(['enabled', 'disabled']);

type Verdict = Omit<Decision, 'webhook'>;

/** Istio's first steps: host network, ignored namespaces, then the pod's own label or annotation. */
function podDecision(input: DecideInput, notes: string[]): Verdict | undefined {
  if (input.hostNetwork === true) {
    return {
      inject: false,
      reason: 'HOST_NETWORK',
      message: "pod uses the host network (iptables would change the node's routing)",
      decidedBy: ['spec.hostNetwork=true'],
    };
  }
  if (IGNORED_NAMESPACES.includes(input.namespace)) {
    return {
      inject: false,
      reason: 'IGNORED_NAMESPACE',
      message: `namespace "${input.namespace}" is never injected`,
      decidedBy: [`namespace ${input.namespace}`],
    };
  }
  const ov = podOverride(input);
  if (ov) {
    const where = `pod ${ov.source} ${ANNOTATION.inject}=${JSON.stringify(ov.value)}`;
    if (ov.value === 'true')
      return {
        inject: true,
        reason: ov.source === 'label' ? 'LABEL_ENABLED' : 'ANNOTATION_ENABLED',
        message: `${where} asks for injection`,
        decidedBy: [where],
      };
    if (ov.value === 'false')
      return {
        inject: false,
        reason: ov.source === 'label' ? 'LABEL_DISABLED' : 'ANNOTATION_DISABLED',
        message: `${where} opts out of injection`,
        decidedBy: [where],
      };
    if (ov.value !== '') notes.push(`${where} is neither "true" nor "false" and was ignored`);
  }
  return undefined;
}

/** The injector config's neverInjectSelector, then alwaysInjectSelector. */
function selectorDecision(input: DecideInput, notes: readonly string[]): Verdict | undefined {
  const never = matchFirst(input.config.neverInjectSelector, input.labels);
  if (never) {
    return {
      inject: false,
      reason: 'NEVER_INJECT_SELECTOR',
      message: `pod labels match neverInjectSelector {${describeSelector(never)}}`,
      decidedBy: [...notes, `neverInjectSelector {${describeSelector(never)}}`],
    };
  }
  const always = matchFirst(input.config.alwaysInjectSelector, input.labels);
  if (always) {
    return {
      inject: true,
      reason: 'ALWAYS_INJECT_SELECTOR',
      message: `pod labels match alwaysInjectSelector {${describeSelector(always)}}`,
      decidedBy: [...notes, `alwaysInjectSelector {${describeSelector(always)}}`],
    };
  }
  return undefined;
}

/** Last, the injection policy. */
function policyDecision(policy: string, notes: readonly string[]): Verdict {
  if (policy === 'enabled')
    return { inject: true, reason: 'POLICY_ENABLED', message: 'injection policy is enabled', decidedBy: [...notes, 'policy: enabled'] };
  if (policy === 'disabled')
    return {
      inject: false,
      reason: 'POLICY_DISABLED',
      message: 'injection policy is disabled and nothing in the pod asks for injection',
      decidedBy: [...notes, 'policy: disabled'],
    };
  return {
    inject: false,
    reason: 'POLICY_INVALID',
    message: `injection policy "${policy}" is neither enabled nor disabled: no pod is injected`,
    decidedBy: [...notes, `policy: ${policy}`],
  };
}
