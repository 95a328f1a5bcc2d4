// Inject or not, and why. Two steps: the webhook's selectors (which Istio leaves to the API server,
// evaluated here only when the namespace's labels are known) and Istio's injectRequired, in its order.
import { ANNOTATION } from './annotations.ts';
import type { InjectorConfig, LabelSelector } from './settings/injector-config.ts';
import { describeSelector, selectorMatches } from './selectors.ts';
import { builtInEntries, IGNORED_NAMESPACES, type InjectionEntry } from './webhooks/entries.ts';
import { describeWebhook, matchWebhook, type WebhookRef } from './webhooks/match.ts';

export { IGNORED_NAMESPACES, webhookEntries } from './webhooks/entries.ts';

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
  | 'NAMESPACE_DISABLED';

export interface Decision {
  inject: boolean;
  reason: ReasonCode;
  message: string;
  /** What decided it, one line each: the labels, annotations and settings that mattered. */
  decidedBy: string[];
  /**
   * The webhook entry the API server would call for this pod (null: none selects it); absent when the
   * namespace labels are not known (the admission path: the API server matched already).
   */
  webhook?: WebhookRef | null;
  /** Other entries that select the pod too: the API server would call them as well (injected twice). */
  alsoMatched?: WebhookRef[];
}

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
  /**
   * The injection entries the API server evaluates (the cluster's, a --webhook-config file's), in call
   * order; absent: the built-in set, deploy/'s entries for `revision`.
   */
  webhooks?: readonly InjectionEntry[];
}

type Matched = Required<Pick<Decision, 'webhook'>> & Pick<Decision, 'alsoMatched'>;

function namespaceStep(input: DecideInput, nsLabels: Record<string, string>): Decision | Matched {
  const entries = input.webhooks ?? builtInEntries(input.revision, input.enableNamespacesByDefault);
  const m = matchWebhook(input.namespace, nsLabels, input.labels, entries);
  if (m.webhook) return m;
  const nsLabel = nsLabels['istio-injection'];
  const podLabel = input.labels?.[ANNOTATION.inject];
  if (nsLabel === 'disabled') {
    return {
      inject: false,
      reason: 'NAMESPACE_DISABLED',
      message: `namespace "${input.namespace}" is labelled istio-injection=disabled`,
      decidedBy: [`namespace label istio-injection=disabled`],
      webhook: null,
    };
  }
  // the webhook entries' objectSelector leaves this pod out (the API server does not call the webhook),
  // and the webhook itself would skip it for the same label: one reason code for both, as every door gives it
  if (podLabel === 'false' && (nsLabel === 'enabled' || nsLabels['istio.io/rev'] !== undefined)) {
    return {
      inject: false,
      reason: 'LABEL_DISABLED',
      message: `pod label ${ANNOTATION.inject}="false" opts out of injection`,
      decidedBy: [`pod label ${ANNOTATION.inject}="false" (no webhook entry's objectSelector selects it)`],
      webhook: null,
    };
  }
  const why =
    nsLabel !== undefined
      ? `istio-injection=${nsLabel}`
      : nsLabels['istio.io/rev'] !== undefined
        ? `istio.io/rev=${nsLabels['istio.io/rev']} (${input.webhooks ? 'no webhook entry selects it' : "not this injector's revision"})`
        : 'no istio-injection label';
  return {
    inject: false,
    reason: 'NAMESPACE_NOT_SELECTED',
    message: `namespace "${input.namespace}" is not opted in (${why}) and the pod has no ${ANNOTATION.inject}=true label`,
    decidedBy: [`namespace labels: ${why}`],
    webhook: null,
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
  let matched: Matched | undefined;
  if (input.namespaceLabels !== undefined) {
    const step = namespaceStep(input, input.namespaceLabels);
    if ('inject' in step) return step;
    matched = step;
  }
  const done = (d: Verdict): Decision =>
    matched?.webhook ? { ...d, ...matched, decidedBy: [`webhook entry ${describeWebhook(matched.webhook)} matches`, ...d.decidedBy] } : d;
  const notes: string[] = []; // what was looked at and ignored, told with the decision
  const verdict = podDecision(input, notes) ?? selectorDecision(input, notes) ?? policyDecision(input.config.policy, notes);
  // as in Istio: a policy other than enabled/disabled injects nothing, whatever the pod or selectors ask
  if (verdict.inject && !VALID_POLICIES.has(input.config.policy)) return done(policyDecision(input.config.policy, verdict.decidedBy));
  return done(verdict);
}

const VALID_POLICIES: ReadonlySet<string> = new Set(['enabled', 'disabled']);

type Verdict = Omit<Decision, 'webhook' | 'alsoMatched'>;

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
