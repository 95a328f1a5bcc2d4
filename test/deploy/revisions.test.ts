// deploy/ per revision, as kustomize renders it (`kubectl kustomize`, what `kubectl apply -k` sends): the
// default revision (deploy/) and the canary overlay (deploy/revisions/canary) register exactly Istio's
// entries for their revision (webhookEntries of src/core/decide.ts), and every name and label lines up
// within each render: the webhook calls a Service of the same render, that Service selects the revision's
// own pods and no other revision's, the pods serve that revision and patch that configuration.
import assert from 'node:assert/strict';
import { webhookEntries } from '../../src/core/decide.ts';
import { selectorMatches } from '../../src/core/selectors.ts';
import { kubectlBin, kustomize, objectKey, one, type Obj } from '../helpers/deploy-render.ts';

const EXCLUSION = { key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['sidecar-injector', 'kube-system'] };
const arg = (args: string[], name: string) => args.filter((a) => a.startsWith(`--${name}=`)).map((a) => a.slice(name.length + 3));

describe('deploy/ per revision (kubectl kustomize)', function () {
  this.timeout(60_000);
  let bin: string | undefined;
  const renders: Record<string, Obj[]> = {};
  before(function () {
    bin = kubectlBin();
    if (!bin) {
      console.log('    (skipped: no kubectl; scripts/build-control-plane.sh builds one)');
      this.skip();
    }
    renders.default = kustomize(bin!, 'deploy');
    renders.canary = kustomize(bin!, 'deploy/revisions/canary');
  });

  for (const revision of ['default', 'canary']) {
    describe(`revision ${revision}`, () => {
      const objs = () => renders[revision]!;

      it("registers exactly Istio's entries for the revision (webhookEntries), each leaving out the injector's namespace and kube-system", () => {
        const mwc = one(objs(), 'MutatingWebhookConfiguration');
        const want = webhookEntries(revision);
        assert.deepEqual(
          mwc.webhooks.map((w: { name: string }) => w.name),
          want.map((e) => e.name),
        );
        for (const [i, e] of want.entries()) {
          const w = mwc.webhooks[i];
          assert.deepEqual(w.namespaceSelector, { matchExpressions: [...e.namespaceSelector.matchExpressions!, EXCLUSION] }, e.name);
          assert.deepEqual(w.objectSelector, e.objectSelector, e.name);
          assert.equal(w.failurePolicy, 'Fail');
          assert.equal(w.clientConfig.service.path, '/inject');
        }
        assert.equal(mwc.metadata.labels!['istio.io/rev'], revision);
        assert.equal(mwc.metadata.labels!['sidecar-injector.io/owned'], 'true');
        assert.equal(mwc.metadata.labels!['istio.io/tag'], undefined, 'a revision, not a tag');
      });

      it('calls a Service of the same render, which selects the pods of this revision, serving it and patching this configuration', () => {
        const mwc = one(objs(), 'MutatingWebhookConfiguration');
        const svc = one(objs(), 'Service');
        const deploy = one(objs(), 'Deployment');
        for (const w of mwc.webhooks) {
          assert.deepEqual(w.clientConfig.service, { name: svc.metadata.name, namespace: svc.metadata.namespace, path: '/inject', port: 443 });
        }
        const podLabels = deploy.spec.template.metadata.labels;
        assert.ok(selectorMatches({ matchLabels: svc.spec.selector }, podLabels), 'the Service selects the pods');
        assert.ok(selectorMatches(deploy.spec.selector, podLabels), 'the Deployment selects its pods');
        assert.equal(podLabels['istio.io/rev'], revision);
        assert.equal(podLabels['sidecar.istio.io/inject'], 'false', 'the injector is never injected');
        const c = deploy.spec.template.spec.containers[0];
        assert.deepEqual(arg(c.args, 'revision'), [revision]);
        const env = Object.fromEntries(
          c.env.filter((e: { value?: string }) => e.value !== undefined).map((e: { name: string; value: string }) => [e.name, e.value]),
        );
        assert.equal(env.WEBHOOK_CONFIGURATION_NAME, mwc.metadata.name, 'it keeps the caBundle of this configuration');
        // what the pods mount and run as exists in the same render
        const names = (kind: string) =>
          objs()
            .filter((o) => o.kind === kind)
            .map((o) => o.metadata.name);
        const volumes = deploy.spec.template.spec.volumes;
        assert.ok(names('ConfigMap').includes(volumes.find((v: { configMap?: unknown }) => v.configMap).configMap.name));
        assert.ok(names('ServiceAccount').includes(deploy.spec.template.spec.serviceAccountName));
        const binding = one(objs(), 'ClusterRoleBinding');
        assert.deepEqual(binding.subjects, [
          { kind: 'ServiceAccount', name: deploy.spec.template.spec.serviceAccountName, namespace: 'sidecar-injector' },
        ]);
        assert.ok(names('ClusterRole').includes(binding.roleRef.name));
        const suffix = revision === 'default' ? '' : `-${revision}`;
        // its certificate Secret, read through the API (not mounted), and its Role grants exactly that name
        const secret = `sidecar-injector${suffix}-tls`;
        assert.ok(deploy.spec.template.spec.containers[0].args.includes(`--cert-secret=${secret}`));
        assert.ok(!volumes.some((v: { secret?: unknown }) => v.secret));
        const role = one(objs(), 'Role');
        assert.deepEqual(role.rules[0].resourceNames, [secret]);
        const roleBinding = one(objs(), 'RoleBinding');
        assert.equal(roleBinding.roleRef.name, role.metadata.name);
        assert.deepEqual(roleBinding.subjects, binding.subjects);
        for (const kind of ['PodDisruptionBudget', 'NetworkPolicy']) {
          const o = one(objs(), kind);
          assert.ok(selectorMatches(kind === 'NetworkPolicy' ? o.spec.podSelector : o.spec.selector, podLabels), `${kind} selects the pods`);
        }
      });
    });
  }

  it("keeps the revisions apart: no Service, Deployment, budget or policy of one selects the other's pods; no name is shared", () => {
    const pods = (r: string) => one(renders[r]!, 'Deployment').spec.template.metadata.labels;
    for (const [mine, other] of [
      ['default', 'canary'],
      ['canary', 'default'],
    ] as const) {
      const objs = renders[mine]!;
      assert.ok(!selectorMatches({ matchLabels: one(objs, 'Service').spec.selector }, pods(other)), `${mine}'s Service selects ${other}'s pods`);
      assert.ok(!selectorMatches(one(objs, 'Deployment').spec.selector, pods(other)));
      assert.ok(!selectorMatches(one(objs, 'PodDisruptionBudget').spec.selector, pods(other)));
      assert.ok(!selectorMatches(one(objs, 'NetworkPolicy').spec.podSelector, pods(other)));
    }
    const defaults = new Set(renders.default!.map(objectKey));
    assert.deepEqual(
      renders.canary!.map(objectKey).filter((k) => defaults.has(k)),
      [],
      'applying the canary changes nothing of the default revision',
    );
    assert.ok(!renders.canary!.some((o) => o.kind === 'Namespace'), 'the namespace comes with deploy/');
  });

  it('deploy/cert-manager renders: the default revision with an Issuer, a Certificate and the CA injection annotation', () => {
    const objs = kustomize(bin!, 'deploy/cert-manager');
    assert.equal(one(objs, 'Certificate').spec.secretName, 'sidecar-injector-tls');
    assert.equal(
      one(objs, 'MutatingWebhookConfiguration').metadata.annotations!['cert-manager.io/inject-ca-from'],
      'sidecar-injector/sidecar-injector',
    );
    assert.equal(one(objs, 'Namespace').metadata.name, 'sidecar-injector');
  });
});
