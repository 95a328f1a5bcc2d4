import assert from 'node:assert/strict';
import { decide, type DecideInput } from '../../src/core/decide.ts';

const config = { policy: 'enabled', neverInjectSelector: [], alwaysInjectSelector: [] };
const base = (over: Partial<DecideInput> = {}): DecideInput => ({ namespace: 'apps', config, ...over });

describe('decide: inject or not, and why (Istio order)', () => {
  it('skips hostNetwork pods before anything else, even when the pod asks for injection', () => {
    const d = decide(base({ hostNetwork: true, labels: { 'sidecar.istio.io/inject': 'true' } }));
    assert.equal(d.inject, false);
    assert.equal(d.reason, 'HOST_NETWORK');
    assert.deepEqual(d.decidedBy, ['spec.hostNetwork=true']);
  });

  for (const ns of ['kube-system', 'kube-public', 'kube-node-lease', 'local-path-storage']) {
    it(`never injects in ${ns}, whatever the pod says`, () => {
      const d = decide(base({ namespace: ns, annotations: { 'sidecar.istio.io/inject': 'true' } }));
      assert.equal(d.reason, 'IGNORED_NAMESPACE');
      assert.equal(d.inject, false);
    });
  }

  it('lets the pod label win over the annotation', () => {
    const d = decide(base({ labels: { 'sidecar.istio.io/inject': 'false' }, annotations: { 'sidecar.istio.io/inject': 'true' } }));
    assert.equal(d.inject, false);
    assert.equal(d.reason, 'LABEL_DISABLED');
    const e = decide(
      base({
        config: { ...config, policy: 'disabled' },
        labels: { 'sidecar.istio.io/inject': 'true' },
        annotations: { 'sidecar.istio.io/inject': 'false' },
      }),
    );
    assert.equal(e.inject, true);
    assert.equal(e.reason, 'LABEL_ENABLED');
  });

  it('honours the annotation when there is no label', () => {
    assert.equal(decide(base({ annotations: { 'sidecar.istio.io/inject': 'false' } })).reason, 'ANNOTATION_DISABLED');
    const d = decide(base({ config: { ...config, policy: 'disabled' }, annotations: { 'sidecar.istio.io/inject': 'true' } }));
    assert.equal(d.inject, true);
    assert.equal(d.reason, 'ANNOTATION_ENABLED');
  });

  it('ignores a value that is neither true nor false, says so, and falls back to the policy', () => {
    const d = decide(base({ labels: { 'sidecar.istio.io/inject': 'random' } }));
    assert.equal(d.inject, true);
    assert.equal(d.reason, 'POLICY_ENABLED');
    assert.ok(d.decidedBy.some((l) => l.includes('"random"') && l.includes('ignored')));
  });

  it('lets neverInjectSelector win over alwaysInjectSelector', () => {
    const sel = [{ matchLabels: { team: 'x' } }];
    const d = decide(base({ labels: { team: 'x' }, config: { policy: 'disabled', neverInjectSelector: sel, alwaysInjectSelector: sel } }));
    assert.equal(d.reason, 'NEVER_INJECT_SELECTOR');
    assert.equal(d.inject, false);
    assert.match(d.message, /team=x/);
  });

  it('injects on alwaysInjectSelector under a disabled policy, with matchExpressions', () => {
    const always = [{ matchExpressions: [{ key: 'tier', operator: 'In' as const, values: ['web', 'api'] }] }];
    const d = decide(base({ labels: { tier: 'api' }, config: { policy: 'disabled', neverInjectSelector: [], alwaysInjectSelector: always } }));
    assert.equal(d.reason, 'ALWAYS_INJECT_SELECTOR');
    assert.equal(d.inject, true);
    assert.equal(
      decide(base({ labels: { tier: 'db' }, config: { policy: 'disabled', neverInjectSelector: [], alwaysInjectSelector: always } })).reason,
      'POLICY_DISABLED',
    );
  });

  it('uses the policy when nothing else decides', () => {
    assert.equal(decide(base()).reason, 'POLICY_ENABLED');
    assert.equal(decide(base({ config: { ...config, policy: 'disabled' } })).inject, false);
    assert.equal(decide(base({ config: { ...config, policy: 'sometimes' } })).reason, 'POLICY_INVALID');
  });

  describe('the namespace step (webhook selectors), when the namespace labels are known', () => {
    it('sends pods of an istio-injection=enabled namespace through the namespace. entry', () => {
      const d = decide(base({ namespaceLabels: { 'istio-injection': 'enabled' } }));
      assert.equal(d.inject, true);
      assert.equal(d.webhook?.name, 'namespace.sidecar-injector.istio.io');
      assert.match(d.decidedBy[0]!, /namespace\.sidecar-injector/);
    });

    it('never calls the injector for a namespace labelled disabled, even for an opted-in pod', () => {
      const d = decide(base({ namespaceLabels: { 'istio-injection': 'disabled' }, labels: { 'sidecar.istio.io/inject': 'true' } }));
      assert.equal(d.inject, false);
      assert.equal(d.reason, 'NAMESPACE_DISABLED');
    });

    it('skips an unlabelled namespace unless the pod opts in with the label (object. entry)', () => {
      assert.equal(decide(base({ namespaceLabels: {} })).reason, 'NAMESPACE_NOT_SELECTED');
      const viaAnnotation = decide(base({ namespaceLabels: {}, annotations: { 'sidecar.istio.io/inject': 'true' } }));
      assert.equal(viaAnnotation.reason, 'NAMESPACE_NOT_SELECTED', 'the webhook selector reads labels, not annotations');
      const d = decide(base({ namespaceLabels: {}, labels: { 'sidecar.istio.io/inject': 'true' } }));
      assert.equal(d.inject, true);
      assert.equal(d.webhook?.name, 'object.sidecar-injector.istio.io');
    });

    it('lets a pod in an enabled namespace opt out with the label, with the code the webhook gives it (LABEL_DISABLED)', () => {
      const d = decide(base({ namespaceLabels: { 'istio-injection': 'enabled' }, labels: { 'sidecar.istio.io/inject': 'false' } }));
      assert.equal(d.reason, 'LABEL_DISABLED');
      const webhook = decide(base({ labels: { 'sidecar.istio.io/inject': 'false' } }));
      assert.equal(webhook.reason, d.reason, 'the same pod gets the same code with and without the namespace step');
    });

    it('matches istio.io/rev=default through the revision entry', () => {
      const d = decide(base({ namespaceLabels: { 'istio.io/rev': 'default' } }));
      assert.deepEqual(d.webhook, { configuration: 'sidecar-injector', name: 'rev.namespace.sidecar-injector.istio.io', revision: 'default' });
      assert.equal(decide(base({ namespaceLabels: { 'istio.io/rev': 'canary' } })).reason, 'NAMESPACE_NOT_SELECTED');
    });

    it("keeps Istio's checks after the selectors: an annotation opt-out still skips in an enabled namespace", () => {
      const d = decide(base({ namespaceLabels: { 'istio-injection': 'enabled' }, annotations: { 'sidecar.istio.io/inject': 'false' } }));
      assert.equal(d.inject, false);
      assert.equal(d.reason, 'ANNOTATION_DISABLED');
    });
  });
});
