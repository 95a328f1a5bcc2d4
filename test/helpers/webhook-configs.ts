// MutatingWebhookConfigurations as a cluster has them: a revision's own (deploy/'s entries for it) and
// its tags' (as `tag set` writes them, through the real tagWebhookConfiguration).
import { webhookEntries } from '../../src/core/webhooks/entries.ts';
import { tagWebhookConfiguration, type WebhookConfig } from '../../src/core/webhooks/tags.ts';

const RULES = [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'] }];

export function revisionConfig(revision: string, name = revision === 'default' ? 'sidecar-injector' : `sidecar-injector-${revision}`): WebhookConfig {
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'MutatingWebhookConfiguration',
    metadata: { name, labels: { 'istio.io/rev': revision, 'sidecar-injector.io/owned': 'true' } },
    webhooks: webhookEntries(revision).map((e) => ({
      name: e.name,
      clientConfig: { url: `https://127.0.0.1:9/inject/${revision}` },
      rules: RULES,
      sideEffects: 'None',
      admissionReviewVersions: ['v1'],
      namespaceSelector: e.namespaceSelector,
      objectSelector: e.objectSelector,
    })),
  };
}

/** Tag `tag` of `revision`, as `sidecar-injector tag set` writes it. */
export const tagConfig = (tag: string, revision: string): WebhookConfig => tagWebhookConfiguration(revisionConfig(revision), tag);
