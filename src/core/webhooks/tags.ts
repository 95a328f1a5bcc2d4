// Revision tags, as `istioctl tag` makes them (istioctl/pkg/tag and the chart's revision-tags-mwc.yaml): a
// MutatingWebhookConfiguration `istio-revision-tag-<tag>`, labelled istio.io/rev=<revision> and
// istio.io/tag=<tag>, whose entries select namespaces and pods by istio.io/rev=<tag> (and, for the tag
// `default`, by istio-injection and sidecar.istio.io/inject as the default revision does), and which calls
// the revision's webhook (clientConfig and caBundle copied from the revision's own configuration). This
// file is the pure part: which configuration is the revision's, what may be done, and what to write.
import { webhookEntries } from './entries.ts';
import type { LabelSelector } from '../settings/injector-config.ts';

export const REVISION_LABEL = 'istio.io/rev';
export const TAG_LABEL = 'istio.io/tag';
export const OWNED_LABEL = 'sidecar-injector.io/owned';
export const TAG_CONFIGURATION_PREFIX = 'istio-revision-tag-';
export const DEFAULT_REVISION = 'default';
/** What Istio's injection entries are named after (istioctl finds the revision's entry by it). */
const INJECTION_SUFFIX = 'sidecar-injector.istio.io';
/** istioctl's selector that matches nothing: how `tag set default` deactivates the default revision's own entries. */
export const NEVER_MATCH: LabelSelector = { matchLabels: { 'istio.io/deactivated': 'never-match' } };

export interface ClientConfig {
  url?: string;
  service?: { name: string; namespace: string; path?: string; port?: number };
  caBundle?: string;
}

export interface WebhookConfigEntry {
  name: string;
  clientConfig?: ClientConfig;
  rules?: unknown[];
  failurePolicy?: string;
  sideEffects?: string;
  admissionReviewVersions?: string[];
  timeoutSeconds?: number;
  reinvocationPolicy?: string;
  namespaceSelector?: LabelSelector;
  objectSelector?: LabelSelector;
}

/** The fields of a MutatingWebhookConfiguration read or written here. */
export interface WebhookConfig {
  apiVersion?: string;
  kind?: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string>; resourceVersion?: string };
  webhooks?: WebhookConfigEntry[];
}

/** A refusal, said to the user as it is. */
export interface Refused {
  refused: string;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

export const tagConfigurationName = (tag: string): string => `${TAG_CONFIGURATION_PREFIX}${tag}`;
const isOwned = (c: WebhookConfig): boolean => c.metadata.labels?.[OWNED_LABEL] === 'true';
const names = (cs: WebhookConfig[]): string => cs.map((c) => `"${c.metadata.name}"`).join(', ');

/** A tag is an istio.io/rev label value and part of a name: a DNS label, as revisions are. */
export function tagNameProblem(what: 'tag' | 'revision', name: string): string | undefined {
  return DNS_LABEL.test(name) ? undefined : `${what} ${JSON.stringify(name)} is not a valid ${what} name (a DNS label: a-z, 0-9 and "-", at most 63)`;
}

/**
 * The revision's own configuration among those labelled istio.io/rev=<revision> without istio.io/tag
 * (istioctl's GetWebhooksWithRevision): exactly one, and ours (labelled sidecar-injector.io/owned).
 */
export function revisionConfiguration(revision: string, candidates: WebhookConfig[]): WebhookConfig | Refused {
  const own = candidates.filter((c) => c.metadata.labels?.[REVISION_LABEL] === revision && c.metadata.labels?.[TAG_LABEL] === undefined);
  const ours = own.filter(isOwned);
  if (own.length === 0)
    return {
      refused: `revision "${revision}" is unknown: no MutatingWebhookConfiguration is labelled ${REVISION_LABEL}=${revision} without ${TAG_LABEL}`,
    };
  if (ours.length === 0)
    return {
      refused: `revision "${revision}" is not served by sidecar-injector: its configuration ${names(own)} is not labelled ${OWNED_LABEL}: "true" (istiod's revisions are tagged with istioctl tag)`,
    };
  if (ours.length > 1) return { refused: `revision "${revision}" has several configurations (${names(ours)}): keep one` };
  const entry = (ours[0]!.webhooks ?? []).find((w) => w.name.endsWith(INJECTION_SUFFIX));
  if (!entry?.clientConfig?.url && !entry?.clientConfig?.service)
    return {
      refused: `the configuration "${ours[0]!.metadata.name}" of revision "${revision}" has no *.${INJECTION_SUFFIX} entry with a url or service to copy`,
    };
  return ours[0]!;
}

export interface TagSetCheck {
  tag: string;
  revision: string;
  overwrite: boolean;
  /** Configurations labelled istio.io/rev=<tag> without istio.io/tag: a revision named as the tag. */
  revisionsNamedAsTag: WebhookConfig[];
  /** Configurations labelled istio.io/tag=<tag>. */
  existingTag: WebhookConfig[];
}

/** Why `tag set` must not write (istioctl's checks: the tag is not a revision's name; an existing tag is only replaced with --overwrite). */
export function tagSetRefusal(c: TagSetCheck): Refused | undefined {
  const problem = tagNameProblem('tag', c.tag) ?? tagNameProblem('revision', c.revision);
  if (problem) return { refused: problem };
  // as istioctl: `default` is both the default revision's name and the tag that takes over from it
  const asRevision = c.revisionsNamedAsTag.filter((w) => w.metadata.labels?.[TAG_LABEL] === undefined);
  if (c.tag !== DEFAULT_REVISION && asRevision.length > 0)
    return {
      refused: `cannot create tag "${c.tag}": revision "${c.tag}" exists (${names(asRevision)}); namespaces labelled ${REVISION_LABEL}=${c.tag} would be injected twice`,
    };
  if (c.overwrite) return undefined;
  const elsewhere = c.existingTag.filter((w) => w.metadata.labels?.[REVISION_LABEL] !== c.revision);
  if (elsewhere.length > 0) {
    const to = elsewhere.map((w) => `"${w.metadata.labels?.[REVISION_LABEL] ?? '?'}"`).join(', ');
    return { refused: `tag "${c.tag}" already points to revision ${to} (${names(elsewhere)}); pass --overwrite to point it to "${c.revision}"` };
  }
  const foreign = c.existingTag.filter((w) => !isOwned(w));
  if (foreign.length > 0)
    return { refused: `tag "${c.tag}" exists and was not made by sidecar-injector (${names(foreign)}); pass --overwrite to replace it` };
  return undefined;
}

const OMITTED_ANNOTATIONS = new Set(['kubectl.kubernetes.io/last-applied-configuration']);

/** The revision's injection entry istioctl copies from: the first named *.sidecar-injector.istio.io. */
function injectionEntry(revisionConfig: WebhookConfig): WebhookConfigEntry {
  const entry = (revisionConfig.webhooks ?? []).find((w) => w.name.endsWith(INJECTION_SUFFIX));
  if (!entry) throw new Error(`configuration "${revisionConfig.metadata.name}" has no *.${INJECTION_SUFFIX} entry`); // revisionConfiguration() checked
  return entry;
}

/**
 * The tag's MutatingWebhookConfiguration, as istioctl renders it from the chart: Istio's tag entries (rev.namespace.
 * and rev.object. with the tag as the istio.io/rev value; namespace. and object. too for the tag `default`), each
 * calling the revision's webhook (its clientConfig, url or service, and caBundle), Istio's rules and policies
 * with the revision's reinvocationPolicy and timeoutSeconds; the revision's labels (but `app`) and annotations.
 */
export function tagWebhookConfiguration(revisionConfig: WebhookConfig, tag: string): WebhookConfig {
  const from = injectionEntry(revisionConfig);
  const revision = revisionConfig.metadata.labels?.[REVISION_LABEL] ?? DEFAULT_REVISION;
  const { app: _app, ...labels } = revisionConfig.metadata.labels ?? {};
  const annotations = Object.fromEntries(Object.entries(revisionConfig.metadata.annotations ?? {}).filter(([k]) => !OMITTED_ANNOTATIONS.has(k)));
  const clientConfig: ClientConfig =
    from.clientConfig?.url !== undefined ? { url: from.clientConfig.url } : { service: structuredClone(from.clientConfig!.service!) };
  if (from.clientConfig?.caBundle) clientConfig.caBundle = from.clientConfig.caBundle;
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'MutatingWebhookConfiguration',
    metadata: {
      name: tagConfigurationName(tag),
      labels: { ...labels, [REVISION_LABEL]: revision, [TAG_LABEL]: tag, [OWNED_LABEL]: 'true', app: 'sidecar-injector' },
      ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
    },
    webhooks: webhookEntries(tag).map((e) => ({
      name: e.name,
      clientConfig: structuredClone(clientConfig),
      rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'] }],
      failurePolicy: 'Fail',
      sideEffects: 'None',
      admissionReviewVersions: ['v1'],
      ...(from.timeoutSeconds !== undefined ? { timeoutSeconds: from.timeoutSeconds } : {}),
      reinvocationPolicy: from.reinvocationPolicy ?? 'Never',
      namespaceSelector: e.namespaceSelector,
      objectSelector: e.objectSelector,
    })),
  };
}

/** Whether a configuration's client config is a url or a service without a caBundle (a tag made from it fails every pod until one is set). */
export const lacksCaBundle = (c: WebhookConfig): boolean => (c.webhooks ?? []).some((w) => !w.clientConfig?.caBundle);

export interface JsonPatchOp {
  op: 'test' | 'add';
  path: string;
  value: unknown;
}

/**
 * `tag set default` makes the default revision's own configuration match nothing (istioctl's
 * DeactivateIstioInjectionWebhook: every entry's selectors become NEVER_MATCH, the object is kept so the
 * default can be pointed back), else istio-injection=enabled pods would be sent to both. The JSON patch,
 * with a test of each entry's name; empty when already deactivated.
 */
export function deactivationPatch(defaultConfig: WebhookConfig): JsonPatchOp[] {
  const never = JSON.stringify(NEVER_MATCH);
  const ops: JsonPatchOp[] = [];
  (defaultConfig.webhooks ?? []).forEach((w, i) => {
    if (JSON.stringify(w.namespaceSelector) === never && JSON.stringify(w.objectSelector) === never) return;
    ops.push(
      { op: 'test', path: `/webhooks/${i}/name`, value: w.name },
      { op: 'add', path: `/webhooks/${i}/namespaceSelector`, value: NEVER_MATCH },
      { op: 'add', path: `/webhooks/${i}/objectSelector`, value: NEVER_MATCH },
    );
  });
  return ops;
}

export interface TagRow {
  tag: string;
  revision: string;
  namespaces: string[];
  /** The configuration that makes the tag. */
  webhookConfiguration: string;
  /** Written by sidecar-injector (else by istioctl or Istio's chart). */
  owned: boolean;
}

/** `tag list`: one row per tag configuration, with the namespaces labelled istio.io/rev=<tag>; by revision, then tag, as istioctl sorts. */
export function tagRows(tagConfigs: WebhookConfig[], namespaces: Array<{ name: string; labels: Record<string, string> }>): TagRow[] {
  return tagConfigs
    .filter((c) => c.metadata.labels?.[TAG_LABEL] !== undefined)
    .map((c) => {
      const tag = c.metadata.labels![TAG_LABEL]!;
      return {
        tag,
        revision: c.metadata.labels?.[REVISION_LABEL] ?? '',
        namespaces: namespaces
          .filter((n) => n.labels[REVISION_LABEL] === tag)
          .map((n) => n.name)
          .sort(),
        webhookConfiguration: c.metadata.name,
        owned: isOwned(c),
      };
    })
    .sort(
      (a, b) => a.revision.localeCompare(b.revision) || a.tag.localeCompare(b.tag) || a.webhookConfiguration.localeCompare(b.webhookConfiguration),
    );
}

/** Why `tag remove` must not delete: no such tag, not ours, or namespaces still use it (istioctl asks; --force goes on). */
export function tagRemoveRefusal(tag: string, tagConfigs: WebhookConfig[], namespacesUsing: string[], force: boolean): Refused | undefined {
  if (tagConfigs.length === 0) return { refused: `tag "${tag}" not found: no MutatingWebhookConfiguration is labelled ${TAG_LABEL}=${tag}` };
  const foreign = tagConfigs.filter((c) => !isOwned(c));
  if (foreign.length > 0) return { refused: `tag "${tag}" was not made by sidecar-injector (${names(foreign)}): remove it with istioctl tag remove` };
  if (namespacesUsing.length > 0 && !force)
    return {
      refused: `tag "${tag}" is still used by ${namespacesUsing.length} namespace(s): ${namespacesUsing.join(', ')}; new pods there would not be injected. Move them first (sidecar-injector namespace enable NAME --revision R), or pass --force`,
    };
  return undefined;
}
