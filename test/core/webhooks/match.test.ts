import assert from 'node:assert/strict';
import { builtInEntries, type InjectionEntry } from '../../../src/core/webhooks/entries.ts';
import { matchWebhook } from '../../../src/core/webhooks/match.ts';
import { injectionEntriesOf } from '../../../src/core/webhooks/read.ts';
import { revisionConfig, tagConfig } from '../../helpers/webhook-configs.ts';

const entry = (over: Partial<InjectionEntry>): InjectionEntry => ({
  configuration: 'c',
  name: 'e.sidecar-injector.istio.io',
  revision: 'default',
  ...over,
});

describe('which webhook entry the API server calls', () => {
  const cluster = injectionEntriesOf([revisionConfig('default'), revisionConfig('canary'), tagConfig('prod', 'canary')]);

  it('a namespace labelled istio.io/rev=prod goes to the tag prod, which is revision canary', () => {
    const m = matchWebhook('shop', { 'istio.io/rev': 'prod' }, {}, cluster);
    assert.deepEqual(m, {
      webhook: { configuration: 'istio-revision-tag-prod', name: 'rev.namespace.sidecar-injector.istio.io', revision: 'canary', tag: 'prod' },
    });
  });

  it('a namespace labelled with the revision itself goes to the revision; istio-injection=enabled to the default one', () => {
    assert.deepEqual(matchWebhook('a', { 'istio.io/rev': 'canary' }, {}, cluster).webhook, {
      configuration: 'sidecar-injector-canary',
      name: 'rev.namespace.sidecar-injector.istio.io',
      revision: 'canary',
    });
    assert.equal(matchWebhook('a', { 'istio-injection': 'enabled' }, {}, cluster).webhook?.configuration, 'sidecar-injector');
  });

  it('a pod labelled istio.io/rev=prod in an unlabelled namespace goes through the tag object entry', () => {
    const m = matchWebhook('a', {}, { 'istio.io/rev': 'prod' }, cluster);
    assert.equal(m.webhook?.name, 'rev.object.sidecar-injector.istio.io');
    assert.equal(m.webhook?.tag, 'prod');
  });

  it('nothing matches an unlabelled namespace and pod, nor a tag no configuration serves', () => {
    assert.deepEqual(matchWebhook('a', {}, {}, cluster), { webhook: null });
    assert.deepEqual(matchWebhook('a', { 'istio.io/rev': 'nowhere' }, {}, cluster), { webhook: null });
  });

  it('the pod label sidecar.istio.io/inject=false keeps the tag from being called (its objectSelector)', () => {
    assert.equal(matchWebhook('a', { 'istio.io/rev': 'prod' }, { 'sidecar.istio.io/inject': 'false' }, cluster).webhook, null);
  });

  it('two configurations selecting the same pod: the first by name is the webhook, the other alsoMatched (injected twice)', () => {
    const twice = injectionEntriesOf([revisionConfig('default', 'zz-istiod'), revisionConfig('default')]);
    const m = matchWebhook('a', { 'istio-injection': 'enabled' }, {}, twice);
    assert.equal(m.webhook?.configuration, 'sidecar-injector');
    assert.deepEqual(
      m.alsoMatched?.map((w) => `${w.configuration}/${w.name}`),
      ['zz-istiod/namespace.sidecar-injector.istio.io'],
    );
  });

  it('evaluates selectors as the API server: absent matches all; matchLabels and In/NotIn/Exists/DoesNotExist', () => {
    assert.equal(matchWebhook('a', {}, {}, [entry({})]).webhook?.configuration, 'c');
    const sel = entry({
      namespaceSelector: {
        matchLabels: { team: 'x' },
        matchExpressions: [
          { key: 'env', operator: 'In', values: ['prod', 'stage'] },
          { key: 'tier', operator: 'NotIn', values: ['db'] },
          { key: 'mesh', operator: 'Exists' },
          { key: 'legacy', operator: 'DoesNotExist' },
        ],
      },
    });
    const ns = { team: 'x', env: 'prod', mesh: '' };
    assert.notEqual(matchWebhook('a', ns, {}, [sel]).webhook, null);
    for (const change of [{ team: 'y' }, { env: 'dev' }, { tier: 'db' }, { legacy: 'yes' }] as Record<string, string>[])
      assert.equal(matchWebhook('a', { ...ns, ...change }, {}, [sel]).webhook, null, JSON.stringify(change));
    const { mesh: _m, ...noMesh } = ns;
    assert.equal(matchWebhook('a', noMesh, {}, [sel]).webhook, null, 'Exists needs the key');
  });

  it('the namespace has its kubernetes.io/metadata.name label, as the API server sets it', () => {
    const byName = entry({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'shop' } } });
    assert.notEqual(matchWebhook('shop', {}, {}, [byName]).webhook, null);
    assert.equal(matchWebhook('other', { 'kubernetes.io/metadata.name': 'shop' }, {}, [byName]).webhook, null);
  });

  it("with no configurations given, the built-in set is deploy/'s for this injector's revision", () => {
    assert.deepEqual(
      builtInEntries('canary').map((e) => `${e.configuration}/${e.name}/${e.revision}`),
      [
        'sidecar-injector-canary/rev.namespace.sidecar-injector.istio.io/canary',
        'sidecar-injector-canary/rev.object.sidecar-injector.istio.io/canary',
      ],
    );
    assert.equal(builtInEntries(undefined).length, 4);
    assert.equal(
      builtInEntries('').every((e) => e.configuration === 'sidecar-injector' && e.revision === 'default'),
      true,
    );
  });
});
