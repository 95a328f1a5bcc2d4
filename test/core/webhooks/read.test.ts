import assert from 'node:assert/strict';
import { stringify } from 'yaml';
import { InjectionError } from '../../../src/core/errors.ts';
import { injectionEntriesOf, readWebhookConfigurations } from '../../../src/core/webhooks/read.ts';
import { revisionConfig, tagConfig } from '../../helpers/webhook-configs.ts';

const invalid = (re: RegExp) => (e: unknown) => e instanceof InjectionError && e.code === 'INVALID_WEBHOOK_CONFIG' && re.test(e.message);
const other = {
  kind: 'MutatingWebhookConfiguration',
  metadata: { name: 'cert-manager' },
  webhooks: [{ name: 'webhook.cert-manager.io', rules: [] }],
};

describe('reading MutatingWebhookConfigurations into injection entries', () => {
  it('reads a multi-document YAML file: revision and tag from the labels, in call order (configuration name, then entry order)', () => {
    const text = [tagConfig('prod', 'canary'), revisionConfig('canary'), other].map((c) => stringify(c)).join('---\n');
    const entries = readWebhookConfigurations(text, 'hooks.yaml');
    assert.deepEqual(
      entries.map((e) => `${e.configuration} ${e.name} ${e.revision} ${e.tag ?? '-'}`),
      [
        'istio-revision-tag-prod rev.namespace.sidecar-injector.istio.io canary prod',
        'istio-revision-tag-prod rev.object.sidecar-injector.istio.io canary prod',
        'sidecar-injector-canary rev.namespace.sidecar-injector.istio.io canary -',
        'sidecar-injector-canary rev.object.sidecar-injector.istio.io canary -',
      ],
    );
  });

  it('reads a List (kubectl get mutatingwebhookconfigurations -o json), and JSON', () => {
    const list = { apiVersion: 'v1', kind: 'List', items: [revisionConfig('default')] };
    assert.equal(readWebhookConfigurations(JSON.stringify(list), 'list.json').length, 4);
  });

  it('counts a configuration labelled istio.io/rev whatever its entries are named; revision "default" without the label', () => {
    const labelled = revisionConfig('canary');
    labelled.webhooks![0]!.name = 'custom.example.com';
    assert.equal(injectionEntriesOf([labelled])[0]!.name, 'custom.example.com');
    const unlabelled = revisionConfig('default');
    unlabelled.metadata.labels = {};
    assert.equal(injectionEntriesOf([unlabelled])[0]!.revision, 'default');
    assert.deepEqual(injectionEntriesOf([other]), []);
  });

  it('keeps only entries whose rules send pod creations', () => {
    const c = revisionConfig('canary');
    c.webhooks![0]!.rules = [{ operations: ['UPDATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'] }];
    c.webhooks![1]!.rules = [{ operations: ['*'], apiGroups: ['*'], apiVersions: ['*'], resources: ['*'] }];
    assert.deepEqual(
      injectionEntriesOf([c]).map((e) => e.name),
      ['rev.object.sidecar-injector.istio.io'],
    );
    c.webhooks![1]!.rules = [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['services'] }];
    assert.deepEqual(injectionEntriesOf([c]), []);
  });

  it('refuses bad input with INVALID_WEBHOOK_CONFIG naming the configuration, the entry and the field', () => {
    const bad = (mutate: (c: ReturnType<typeof revisionConfig>) => void) => {
      const c = revisionConfig('canary');
      mutate(c);
      return () => injectionEntriesOf([c]);
    };
    assert.throws(
      bad((c) => {
        (c.webhooks![1]!.namespaceSelector as unknown) = { matchExpressions: [{ key: 'istio.io/rev', operator: 'Equals', values: ['x'] }] };
      }),
      invalid(
        /"sidecar-injector-canary" webhooks\[1\] \(rev\.object\.sidecar-injector\.istio\.io\)\.namespaceSelector: matchExpressions\[0\]: "Equals" is not/,
      ),
    );
    assert.throws(
      bad((c) => {
        (c.webhooks![0]!.objectSelector as unknown) = { matchLabels: { a: 1 } };
      }),
      invalid(/webhooks\[0\] \(rev\.namespace\.sidecar-injector\.istio\.io\)\.objectSelector\.matchLabels: must map/),
    );
    assert.throws(
      bad((c) => {
        (c.webhooks![0]!.rules as unknown) = [{ operations: 'CREATE' }];
      }),
      invalid(/webhooks\[0\] \(rev\.namespace\.sidecar-injector\.istio\.io\)\.rules\[0\]\.operations: must be a list of strings/),
    );
    assert.throws(
      bad((c) => {
        (c.webhooks![1] as unknown) = { rules: [] };
      }),
      invalid(/"sidecar-injector-canary" webhooks\[1\]\.name: must be a non-empty string/),
    );
    assert.throws(
      bad((c) => {
        (c.metadata as unknown) = {};
      }),
      invalid(/MutatingWebhookConfiguration 1: metadata\.name/),
    );
    assert.throws(
      () => injectionEntriesOf([revisionConfig('canary'), revisionConfig('canary')]),
      invalid(/"sidecar-injector-canary": appears twice/),
    );
  });

  it('refuses a file with no configuration in it, and one that is not YAML, naming the file', () => {
    assert.throws(
      () => readWebhookConfigurations('kind: Pod\nmetadata: {name: a}\n', 'pods.yaml'),
      invalid(/pods\.yaml: no MutatingWebhookConfiguration found/),
    );
    assert.throws(() => readWebhookConfigurations('{"kind": ', 'broken.json'), invalid(/broken\.json/));
  });

  it('caps the number of configurations', () => {
    const many = Array.from({ length: 1001 }, (_, i) => ({ kind: 'MutatingWebhookConfiguration', metadata: { name: `c${i}` } }));
    assert.throws(
      () => injectionEntriesOf(many),
      (e: unknown) => e instanceof InjectionError && e.code === 'LIMIT_EXCEEDED' && e.subject === 'MAX_WEBHOOK_CONFIGURATIONS',
    );
  });
});
