// Revision tags, the pure part (src/core/webhooks/tags.ts): which configuration is the revision's, what
// `tag set` and `tag remove` refuse and why, and the tag configuration istioctl would write.
import assert from 'node:assert/strict';
import { webhookEntries } from '../../src/core/decide.ts';
import {
  deactivationPatch,
  NEVER_MATCH,
  revisionConfiguration,
  tagRemoveRefusal,
  tagRows,
  tagSetRefusal,
  tagWebhookConfiguration,
  type WebhookConfig,
} from '../../src/core/webhooks/tags.ts';

const CA = Buffer.from('-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n').toString('base64');

function revisionConfig(revision: string, opts: { owned?: boolean; url?: string; name?: string; tag?: string } = {}): WebhookConfig {
  const clientConfig = opts.url
    ? { url: opts.url, caBundle: CA }
    : { service: { name: `sidecar-injector-${revision}`, namespace: 'sidecar-injector', path: '/inject', port: 443 }, caBundle: CA };
  return {
    metadata: {
      name: opts.name ?? `sidecar-injector-${revision}`,
      labels: {
        'istio.io/rev': revision,
        app: `sidecar-injector-${revision}`,
        'app.kubernetes.io/part-of': 'sidecar-injector',
        ...(opts.owned === false ? {} : { 'sidecar-injector.io/owned': 'true' }),
        ...(opts.tag ? { 'istio.io/tag': opts.tag } : {}),
      },
      annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}', 'cert-manager.io/inject-ca-from': 'sidecar-injector/x' },
    },
    webhooks: webhookEntries(revision).map((e) => ({
      name: e.name,
      clientConfig: structuredClone(clientConfig),
      timeoutSeconds: 10,
      reinvocationPolicy: 'IfNeeded',
      namespaceSelector: e.namespaceSelector,
      objectSelector: e.objectSelector,
    })),
  };
}

const refused = (r: WebhookConfig | { refused: string } | undefined): string => {
  assert.ok(r && 'refused' in r, `expected a refusal, got ${JSON.stringify(r)}`);
  return r.refused;
};

describe('revision tags (pure part)', () => {
  describe("the revision's own configuration", () => {
    it('is the one owned configuration labelled istio.io/rev=<R> without istio.io/tag', () => {
      const own = revisionConfig('canary');
      const tag = revisionConfig('canary', { name: 'istio-revision-tag-prod', tag: 'prod' });
      assert.equal(revisionConfiguration('canary', [tag, own]), own);
    });
    it('refuses an unknown revision, naming the label it looked for', () => {
      assert.match(
        refused(revisionConfiguration('canary', [])),
        /revision "canary" is unknown: no MutatingWebhookConfiguration is labelled istio\.io\/rev=canary/,
      );
    });
    it("refuses istiod's revision (not owned), pointing to istioctl", () => {
      assert.match(
        refused(revisionConfiguration('canary', [revisionConfig('canary', { owned: false, name: 'istio-sidecar-injector-canary' })])),
        /not served by sidecar-injector: its configuration "istio-sidecar-injector-canary" is not labelled sidecar-injector\.io\/owned/,
      );
    });
    it('refuses two owned configurations of one revision', () => {
      assert.match(
        refused(revisionConfiguration('canary', [revisionConfig('canary'), revisionConfig('canary', { name: 'b' })])),
        /several configurations/,
      );
    });
  });

  describe('tag set checks', () => {
    const base = { tag: 'prod', revision: 'canary', overwrite: false, revisionsNamedAsTag: [], existingTag: [] };
    it('lets a new tag through', () => assert.equal(tagSetRefusal(base), undefined));
    it('refuses a tag named as an existing revision (its namespaces would be injected twice), even with --overwrite', () => {
      const r = tagSetRefusal({ ...base, tag: 'stable', overwrite: true, revisionsNamedAsTag: [revisionConfig('stable')] });
      assert.match(refused(r), /cannot create tag "stable": revision "stable" exists/);
    });
    it('allows the tag default beside the default revision (istioctl deactivates the revision instead)', () => {
      assert.equal(tagSetRefusal({ ...base, tag: 'default', revisionsNamedAsTag: [revisionConfig('default')] }), undefined);
    });
    it('refuses to move a tag pointing elsewhere without --overwrite, naming where it points', () => {
      const existing = [revisionConfig('stable', { name: 'istio-revision-tag-prod', tag: 'prod' })];
      assert.match(refused(tagSetRefusal({ ...base, existingTag: existing })), /tag "prod" already points to revision "stable".*pass --overwrite/);
      assert.equal(tagSetRefusal({ ...base, existingTag: existing, overwrite: true }), undefined);
    });
    it('writes again a tag of ours already pointing to the same revision; refuses one made by istioctl without --overwrite', () => {
      const same = revisionConfig('canary', { name: 'istio-revision-tag-prod', tag: 'prod' });
      assert.equal(tagSetRefusal({ ...base, existingTag: [same] }), undefined);
      const theirs = revisionConfig('canary', { name: 'istio-revision-tag-prod', tag: 'prod', owned: false });
      assert.match(refused(tagSetRefusal({ ...base, existingTag: [theirs] })), /was not made by sidecar-injector/);
    });
    it('refuses names that cannot be a label value', () => {
      assert.match(refused(tagSetRefusal({ ...base, tag: 'Prod_1' })), /tag "Prod_1" is not a valid tag name/);
    });
  });

  describe('the tag configuration', () => {
    it("has Istio's tag entries, calling the revision's service with its caBundle, and the tag's labels", () => {
      const tag = tagWebhookConfiguration(revisionConfig('canary'), 'prod');
      assert.equal(tag.metadata.name, 'istio-revision-tag-prod');
      assert.deepEqual(tag.metadata.labels, {
        'istio.io/rev': 'canary',
        'istio.io/tag': 'prod',
        'sidecar-injector.io/owned': 'true',
        app: 'sidecar-injector',
        'app.kubernetes.io/part-of': 'sidecar-injector',
      });
      assert.deepEqual(tag.metadata.annotations, { 'cert-manager.io/inject-ca-from': 'sidecar-injector/x' }, 'no kubectl bookkeeping copied');
      const want = webhookEntries('prod');
      assert.deepEqual(
        tag.webhooks!.map((w) => [w.name, w.namespaceSelector, w.objectSelector]),
        want.map((e) => [e.name, e.namespaceSelector, e.objectSelector]),
      );
      assert.deepEqual(
        want.map((e) => e.name),
        ['rev.namespace.sidecar-injector.istio.io', 'rev.object.sidecar-injector.istio.io'],
      );
      for (const w of tag.webhooks!) {
        assert.deepEqual(w.clientConfig, {
          service: { name: 'sidecar-injector-canary', namespace: 'sidecar-injector', path: '/inject', port: 443 },
          caBundle: CA,
        });
        assert.equal(w.failurePolicy, 'Fail');
        assert.equal(w.sideEffects, 'None');
        assert.equal(w.reinvocationPolicy, 'IfNeeded', "the revision's");
        assert.equal(w.timeoutSeconds, 10);
      }
    });
    it('copies a url clientConfig (an injector outside the cluster)', () => {
      const tag = tagWebhookConfiguration(revisionConfig('canary', { url: 'https://127.0.0.1:9443/inject' }), 'prod');
      assert.deepEqual(tag.webhooks![0]!.clientConfig, { url: 'https://127.0.0.1:9443/inject', caBundle: CA });
    });
    it("the tag default also has Istio's namespace. and object. entries", () => {
      const tag = tagWebhookConfiguration(revisionConfig('canary'), 'default');
      assert.deepEqual(
        tag.webhooks!.map((w) => w.name),
        [
          'rev.namespace.sidecar-injector.istio.io',
          'rev.object.sidecar-injector.istio.io',
          'namespace.sidecar-injector.istio.io',
          'object.sidecar-injector.istio.io',
        ],
      );
      assert.deepEqual(tag.webhooks![2]!.namespaceSelector, { matchExpressions: [{ key: 'istio-injection', operator: 'In', values: ['enabled'] }] });
    });
  });

  it("tag set default deactivates the default revision's entries (never-match selectors), once", () => {
    const cfg = revisionConfig('default');
    const ops = deactivationPatch(cfg);
    assert.equal(ops.length, 3 * cfg.webhooks!.length);
    assert.deepEqual(ops.slice(0, 3), [
      { op: 'test', path: '/webhooks/0/name', value: 'rev.namespace.sidecar-injector.istio.io' },
      { op: 'add', path: '/webhooks/0/namespaceSelector', value: NEVER_MATCH },
      { op: 'add', path: '/webhooks/0/objectSelector', value: NEVER_MATCH },
    ]);
    const done = { ...cfg, webhooks: cfg.webhooks!.map((w) => ({ ...w, namespaceSelector: NEVER_MATCH, objectSelector: NEVER_MATCH })) };
    assert.deepEqual(deactivationPatch(done), []);
  });

  it('tag list: each tag with its revision and the namespaces labelled istio.io/rev=<tag>, by revision then tag', () => {
    const rows = tagRows(
      [
        revisionConfig('canary', { tag: 'prod', name: 'istio-revision-tag-prod' }),
        revisionConfig('a-rev', { tag: 'zeta', name: 'istio-revision-tag-zeta', owned: false }),
      ],
      [
        { name: 'shop', labels: { 'istio.io/rev': 'prod' } },
        { name: 'cart', labels: { 'istio.io/rev': 'prod' } },
        { name: 'other', labels: { 'istio.io/rev': 'canary' } },
      ],
    );
    assert.deepEqual(rows, [
      { tag: 'zeta', revision: 'a-rev', namespaces: [], webhookConfiguration: 'istio-revision-tag-zeta', owned: false },
      { tag: 'prod', revision: 'canary', namespaces: ['cart', 'shop'], webhookConfiguration: 'istio-revision-tag-prod', owned: true },
    ]);
  });

  it('tag remove: refused while namespaces use it (unless forced), when unknown, and when not ours', () => {
    const mine = [revisionConfig('canary', { tag: 'prod', name: 'istio-revision-tag-prod' })];
    assert.match(refused(tagRemoveRefusal('prod', mine, ['shop'], false)), /still used by 1 namespace\(s\): shop.*--force/);
    assert.equal(tagRemoveRefusal('prod', mine, ['shop'], true), undefined);
    assert.equal(tagRemoveRefusal('prod', mine, [], false), undefined);
    assert.match(refused(tagRemoveRefusal('prod', [], [], true)), /tag "prod" not found/);
    const theirs = [revisionConfig('canary', { tag: 'prod', name: 'istio-revision-tag-prod', owned: false })];
    assert.match(refused(tagRemoveRefusal('prod', theirs, [], true)), /not made by sidecar-injector.*istioctl tag remove/);
  });
});
