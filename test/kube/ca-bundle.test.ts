// Which caBundle patch goes out for which webhook configuration (the pure part of the caBundle patcher);
// the patcher against a real API server is in test/e2e/ca-bundle.test.ts.
import assert from 'node:assert/strict';
import fjp from 'fast-json-patch';
import { encodeCaBundle, OWNED_LABEL, planCaBundlePatch, refusal, type WebhookConfigurationLike } from '../../src/kube/ca-bundle.ts';
import { makeCa } from '../helpers/tls.ts';

const { applyPatch } = fjp;
const b64 = (s: string) => Buffer.from(s).toString('base64');

function config(
  webhooks: WebhookConfigurationLike['webhooks'],
  labels: Record<string, string> = { [OWNED_LABEL]: 'true' },
): WebhookConfigurationLike {
  return { metadata: { name: 'sidecar-injector', labels }, webhooks };
}

describe('caBundle patch plan', () => {
  let caPem: string;
  let otherPem: string;
  before(async function () {
    this.timeout(30_000);
    caPem = (await makeCa('ca one')).cert;
    otherPem = (await makeCa('ca two')).cert;
  });

  describe('the CA bundle published', () => {
    it('is the base64 of the PEM as given, one certificate or several', () => {
      assert.equal(encodeCaBundle(caPem), b64(caPem));
      const two = `${caPem}${otherPem}`;
      assert.equal(Buffer.from(encodeCaBundle(two), 'base64').toString(), two);
    });

    it('is refused when there is none yet, or it is not a certificate', () => {
      assert.throws(() => encodeCaBundle(undefined), /no CA certificate is available/);
      assert.throws(() => encodeCaBundle('  \n'), /no CA certificate is available/);
      assert.throws(() => encodeCaBundle('hello'), /holds no PEM certificate/);
      const broken = caPem.replace(/\n[A-Za-z0-9+/]{20}/, '\nAAAAAAAAAAAAAAAAAAAA');
      assert.throws(() => encodeCaBundle(broken), /certificate 1 of the CA bundle cannot be parsed/);
    });

    it('is refused when it carries a private key next to the certificate, so a key never reaches the cluster', async () => {
      const ca = await makeCa('with key');
      assert.throws(() => encodeCaBundle(`${ca.cert}${ca.key}`), /holds a (RSA )?PRIVATE KEY block, not only certificates; refusing to publish it/);
    });
  });

  describe('entries to patch', () => {
    it('adds caBundle to every entry that lacks it, each after a test of its name', () => {
      const want = b64(caPem);
      const c = config([
        { name: 'namespace.sidecar-injector.istio.io', clientConfig: {} },
        { name: 'object.sidecar-injector.istio.io', clientConfig: { caBundle: '' } },
      ]);
      const plan = planCaBundlePatch(c, want);
      assert.deepEqual(plan, {
        action: 'patch',
        webhooks: ['namespace.sidecar-injector.istio.io', 'object.sidecar-injector.istio.io'],
        ops: [
          { op: 'test', path: '/webhooks/0/name', value: 'namespace.sidecar-injector.istio.io' },
          { op: 'add', path: '/webhooks/0/clientConfig/caBundle', value: want },
          { op: 'test', path: '/webhooks/1/name', value: 'object.sidecar-injector.istio.io' },
          { op: 'add', path: '/webhooks/1/clientConfig/caBundle', value: want },
        ],
      });
    });

    it('replaces a different caBundle only after testing the old value, and leaves entries that already have it alone', () => {
      const want = b64(caPem);
      const old = b64(otherPem);
      const c = config([
        { name: 'a', clientConfig: { caBundle: want } },
        { name: 'b', clientConfig: { caBundle: old } },
        { name: 'c', clientConfig: {} },
      ]);
      const plan = planCaBundlePatch(c, want);
      assert.equal(plan.action, 'patch');
      assert.deepEqual(plan.action === 'patch' && plan.webhooks, ['b', 'c']);
      assert.deepEqual(plan.action === 'patch' && plan.ops, [
        { op: 'test', path: '/webhooks/1/name', value: 'b' },
        { op: 'test', path: '/webhooks/1/clientConfig/caBundle', value: old },
        { op: 'replace', path: '/webhooks/1/clientConfig/caBundle', value: want },
        { op: 'test', path: '/webhooks/2/name', value: 'c' },
        { op: 'add', path: '/webhooks/2/clientConfig/caBundle', value: want },
      ]);
    });

    it('applied to the configuration it was planned from, leaves every entry with the caBundle and nothing else changed', () => {
      const want = b64(caPem);
      const c = config([
        { name: 'a', clientConfig: { caBundle: b64(otherPem) } },
        { name: 'b', clientConfig: {} },
        { name: 'c', clientConfig: { caBundle: want } },
      ]);
      const plan = planCaBundlePatch(c, want);
      assert.equal(plan.action, 'patch');
      const after = applyPatch(structuredClone(c), plan.action === 'patch' ? plan.ops : [], true, false).newDocument;
      assert.deepEqual(after, { ...c, webhooks: c.webhooks!.map((w) => ({ ...w, clientConfig: { caBundle: want } })) });
      assert.deepEqual(planCaBundlePatch(after, want), { action: 'none' }, 'a second pass sends nothing');
    });

    it('fails as a whole when the entries were reordered or changed since they were read (the pass then reads again)', () => {
      const want = b64(caPem);
      const c = config([
        { name: 'a', clientConfig: { caBundle: b64(otherPem) } },
        { name: 'b', clientConfig: {} },
      ]);
      const plan = planCaBundlePatch(c, want);
      assert.equal(plan.action, 'patch');
      const ops = plan.action === 'patch' ? plan.ops : [];
      const reordered = config([c.webhooks![1]!, c.webhooks![0]!]);
      assert.throws(() => applyPatch(structuredClone(reordered), ops, true, false), /TEST_OPERATION_FAILED|Test operation failed/);
      const rotatedMeanwhile = config([
        { name: 'a', clientConfig: { caBundle: b64('someone else') } },
        { name: 'b', clientConfig: {} },
      ]);
      assert.throws(() => applyPatch(structuredClone(rotatedMeanwhile), ops, true, false), /TEST_OPERATION_FAILED|Test operation failed/);
    });

    it('sends nothing when every entry already has the caBundle', () => {
      const want = b64(caPem);
      assert.deepEqual(
        planCaBundlePatch(
          config([
            { name: 'a', clientConfig: { caBundle: want } },
            { name: 'b', clientConfig: { caBundle: want } },
          ]),
          want,
        ),
        { action: 'none' },
      );
    });

    it('adds a whole clientConfig to an entry that has none', () => {
      const want = b64(caPem);
      const plan = planCaBundlePatch(config([{ name: 'a' }]), want);
      assert.deepEqual(plan.action === 'patch' && plan.ops, [
        { op: 'test', path: '/webhooks/0/name', value: 'a' },
        { op: 'add', path: '/webhooks/0/clientConfig', value: { caBundle: want } },
      ]);
    });
  });

  describe('configurations it will not touch', () => {
    it('refuses one without the sidecar-injector.io/owned: "true" label, saying what the label is', () => {
      const entries = [{ name: 'a', clientConfig: {} }];
      const none = planCaBundlePatch(config(entries, {}), b64(caPem));
      assert.deepEqual(none, {
        action: 'refuse',
        reason: 'not_owned',
        message:
          'MutatingWebhookConfiguration "sidecar-injector" is not labelled sidecar-injector.io/owned: "true" (no such label); its caBundle is left alone',
      });
      const no = planCaBundlePatch(config(entries, { [OWNED_LABEL]: 'false' }), b64(caPem));
      assert.equal(
        no.action === 'refuse' && no.message,
        'MutatingWebhookConfiguration "sidecar-injector" is not labelled sidecar-injector.io/owned: "true" (it is "false"); its caBundle is left alone',
      );
      assert.equal(planCaBundlePatch(config(entries, { [OWNED_LABEL]: 'True' }), b64(caPem)).action, 'refuse', 'the value is compared exactly');
    });

    it('refuses one with no webhook entries', () => {
      assert.deepEqual(refusal(config([])), {
        action: 'refuse',
        reason: 'webhook_entry_not_found',
        message: 'MutatingWebhookConfiguration "sidecar-injector" has no webhook entries to set a caBundle on',
      });
      assert.equal(refusal(config(undefined))?.reason, 'webhook_entry_not_found');
    });

    it('refuses one labelled for another revision than the one served (two injectors must not fight over it), naming both', () => {
      const entries = [{ name: 'a', clientConfig: {} }];
      const other = config(entries, { [OWNED_LABEL]: 'true', 'istio.io/rev': 'canary' });
      assert.deepEqual(refusal(other, 'default'), {
        action: 'refuse',
        reason: 'wrong_revision',
        message:
          'MutatingWebhookConfiguration "sidecar-injector" belongs to revision "canary" (label istio.io/rev), not to revision "default" served here; its caBundle is left alone',
      });
      assert.equal(refusal(other, 'canary'), undefined, 'its own revision');
      assert.equal(refusal(config(entries), 'default'), undefined, 'no revision label: the named configuration is kept, as before');
    });

    it('checks ownership before anything else, whatever the entries hold', () => {
      assert.equal(refusal(config([], {}))?.reason, 'not_owned');
      assert.equal(refusal(config([{ name: 'a', clientConfig: {} }])), undefined);
    });
  });
});
