// deploy/helm/sidecar-injector with the real helm (scripts/build-helm.sh): `helm lint` passes, the values an
// Istio user knows from istiod's chart do what they do there, and values that cannot work fail the render
// with a message saying what to change. What the default and canary renders must equal is in
// test/deploy/helm-equivalence.test.ts.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { webhookEntries } from '../../src/core/decide.ts';
import { CHART_DIR, helmFails, helmOrSkip, helmTemplate, one, REPO_ROOT } from '../helpers/deploy-render.ts';

describe('Helm chart deploy/helm/sidecar-injector (helm lint, helm template)', function () {
  this.timeout(60_000);
  let helm = '';
  before(function () {
    helm = helmOrSkip(this);
  });

  it('passes helm lint --strict, for the default revision and a canary', () => {
    for (const set of [[], ['--set', 'revision=canary', '--set', 'autoscaleEnabled=true']]) {
      const out = execFileSync(helm, ['lint', '--strict', CHART_DIR, ...set], { encoding: 'utf8', timeout: 30_000 });
      assert.match(out, /1 chart\(s\) linted, 0 chart\(s\) failed/);
    }
  });

  it("registers Istio's entries for any revision (webhookEntries), leaving out the release's namespace and kube-system", () => {
    for (const [revision, namespace] of [
      ['default', 'sidecar-injector'],
      ['1-29-0', 'mesh-injector'],
    ] as const) {
      const mwc = one(helmTemplate(helm, [`revision=${revision}`], namespace), 'MutatingWebhookConfiguration');
      const want = webhookEntries(revision);
      assert.deepEqual(
        mwc.webhooks.map((w: { name: string }) => w.name),
        want.map((e) => e.name),
      );
      const exclusion = { key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: [namespace, 'kube-system'] };
      for (const [i, e] of want.entries()) {
        assert.deepEqual(mwc.webhooks[i].namespaceSelector.matchExpressions, [...e.namespaceSelector.matchExpressions!, exclusion]);
        assert.deepEqual(mwc.webhooks[i].objectSelector, e.objectSelector);
        assert.deepEqual(mwc.webhooks[i].clientConfig.service, {
          name: revision === 'default' ? 'sidecar-injector' : `sidecar-injector-${revision}`,
          namespace,
          path: '/inject',
          port: 443,
        });
      }
    }
  });

  it('autoscaleEnabled adds an autoscaling/v2 HPA on CPU and leaves the replica count to it', () => {
    const objs = helmTemplate(helm, ['autoscaleEnabled=true', 'autoscaleMin=3', 'autoscaleMax=7', 'cpu.targetAverageUtilization=60']);
    const hpa = one(objs, 'HorizontalPodAutoscaler');
    assert.equal(hpa.apiVersion, 'autoscaling/v2');
    assert.deepEqual(hpa.spec.scaleTargetRef, { apiVersion: 'apps/v1', kind: 'Deployment', name: 'sidecar-injector' });
    assert.equal(hpa.spec.minReplicas, 3);
    assert.equal(hpa.spec.maxReplicas, 7);
    assert.deepEqual(hpa.spec.metrics, [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } } }]);
    assert.equal(one(objs, 'Deployment').spec.replicas, undefined);
    assert.equal(one(helmTemplate(helm, ['replicaCount=4']), 'Deployment').spec.replicas, 4);
  });

  it("takes istiod's scheduling and image values: hub/tag/image, resources, nodeSelector, tolerations, affinity, spread", () => {
    const spread = { maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway' };
    const d = one(
      helmTemplate(helm, [
        'hub=registry.example/mesh',
        'tag=1.2.3',
        'resources.requests.cpu=250m',
        'nodeSelector.pool=system',
        'tolerations[0].key=dedicated,tolerations[0].operator=Exists',
        'affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].key=arch',
        'affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].operator=Exists',
        `topologySpreadConstraints[0].maxSkew=1,topologySpreadConstraints[0].topologyKey=${spread.topologyKey}`,
        `topologySpreadConstraints[0].whenUnsatisfiable=${spread.whenUnsatisfiable}`,
      ]),
      'Deployment',
    );
    const spec = d.spec.template.spec;
    assert.equal(spec.containers[0].image, 'registry.example/mesh/sidecar-injector:1.2.3');
    assert.equal(spec.containers[0].resources.requests.cpu, '250m');
    assert.equal(spec.containers[0].resources.limits.memory, '320Mi', 'the rest of the resources stay');
    assert.deepEqual(spec.nodeSelector, { pool: 'system' });
    assert.deepEqual(spec.tolerations, [{ key: 'dedicated', operator: 'Exists' }]);
    assert.deepEqual(Object.keys(spec.affinity), ['nodeAffinity'], 'a given affinity replaces the default spread');
    assert.deepEqual(spec.topologySpreadConstraints, [spread]);
    const image = (set: string) => one(helmTemplate(helm, [set]), 'Deployment').spec.template.spec.containers[0].image;
    assert.equal(image('image=mirror.example/si:9'), 'mirror.example/si:9');
    assert.equal(image('tag=2.0.0'), 'sidecar-injector:2.0.0');
  });

  it('writes the ConfigMap from values: a map merged over the shipped file, a string as it is, templates as <name>.tmpl', () => {
    const cm = one(
      helmTemplate(helm, ['values.global.proxy.logLevel=debug', 'mesh=trustDomain: example.org', 'templates.custom=x: {{ .Revision }}']),
      'ConfigMap',
    );
    const values = parseYaml(cm.data.values);
    assert.equal(values.global.proxy.logLevel, 'debug');
    const shipped = JSON.parse(readFileSync(join(REPO_ROOT, 'deploy/base/config/values'), 'utf8'));
    assert.equal(values.global.proxy.image, shipped.global.proxy.image, 'the rest of the shipped values stay');
    assert.equal(cm.data.mesh, 'trustDomain: example.org');
    assert.equal(cm.data.config, readFileSync(join(REPO_ROOT, 'deploy/base/config/config'), 'utf8'));
    assert.equal(cm.data['custom.tmpl'], 'x: {{ .Revision }}');
  });

  it('failurePolicy, podDisruptionBudget, networkPolicy.enabled and injectionURL/caBundle do what they say', () => {
    const objs = helmTemplate(helm, [
      'failurePolicy=Ignore',
      'podDisruptionBudget.maxUnavailable=1',
      'networkPolicy.enabled=false',
      'injectionURL=https://injector.example:9443/inject',
      'caBundle=Q0E=',
    ]);
    const mwc = one(objs, 'MutatingWebhookConfiguration');
    for (const w of mwc.webhooks) {
      assert.equal(w.failurePolicy, 'Ignore');
      assert.deepEqual(w.clientConfig, { url: 'https://injector.example:9443/inject', caBundle: 'Q0E=' });
    }
    assert.deepEqual(one(objs, 'PodDisruptionBudget').spec, { maxUnavailable: 1, selector: { matchLabels: { app: 'sidecar-injector' } } });
    assert.ok(!objs.some((o) => o.kind === 'NetworkPolicy'));
    assert.ok(!helmTemplate(helm, ['podDisruptionBudget.enabled=false']).some((o) => o.kind === 'PodDisruptionBudget'));
  });

  describe('values that cannot work fail helm template, saying what to change', () => {
    const cases: Array<[string, string[], RegExp]> = [
      ['a revision with upper case', ['revision=Canary'], /revision "Canary" is not a DNS label/],
      ['a revision with a dot', ['revision=1.29'], /revision "1\.29" is not a DNS label/],
      ['a revision too long for a name', [`revision=${'a'.repeat(47)}`], /at most 46/],
      [
        'autoscaleMin above autoscaleMax',
        ['autoscaleEnabled=true', 'autoscaleMin=6', 'autoscaleMax=3'],
        /autoscaleMin \(6\) is greater than autoscaleMax \(3\)/,
      ],
      ['both PDB bounds', ['podDisruptionBudget.minAvailable=1', 'podDisruptionBudget.maxUnavailable=1'], /minAvailable or maxUnavailable, not both/],
      ['an unknown failurePolicy', ['failurePolicy=Sometimes'], /failurePolicy/],
      ['replicaCount not a number', ['replicaCount=two'], /replicaCount/],
      ['a caBundle with cert-manager', ['caBundle=Q0E=', 'certManager.enabled=true'], /caBundle and certManager\.enabled/],
    ];
    for (const [what, set, message] of cases) {
      it(what, () => {
        const r = helmFails(helm, ['template', 'x', CHART_DIR, ...set.flatMap((s) => ['--set', s])]);
        assert.notEqual(r.code, 0, 'helm template must fail');
        assert.match(r.stderr, message);
      });
    }
  });
});
