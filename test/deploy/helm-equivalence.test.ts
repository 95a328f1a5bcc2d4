// The Helm chart installs what kustomize installs: `helm template` of deploy/helm/sidecar-injector with its
// default values renders the objects of `kubectl kustomize deploy/`, with `--set revision=canary` those of
// deploy/revisions/canary, and with `--set certManager.enabled=true` those of deploy/cert-manager; object by
// object (kind, namespace, name), field by field, after parsing both as YAML.
//
// The only differences allowed, each listed here:
// - HELM_ONLY_LABELS: the labels Helm's convention puts on every object it manages (helm.sh/chart,
//   app.kubernetes.io/managed-by);
// - KUSTOMIZE_ONLY_KINDS: the Namespace (deploy/ creates it; with Helm, `helm install --create-namespace`);
// - HELM_ONLY_KINDS: objects only values turned on render (the HorizontalPodAutoscaler, autoscaleEnabled),
//   none with the defaults compared here; renders that carry one are checked in test/deploy/helm.test.ts.
import assert from 'node:assert/strict';
import { helmOrSkip, helmTemplate, kubectlBin, kustomize, objectKey, type Obj } from '../helpers/deploy-render.ts';

const HELM_ONLY_LABELS = ['helm.sh/chart', 'app.kubernetes.io/managed-by'];
const KUSTOMIZE_ONLY_KINDS = ['Namespace'];
const HELM_ONLY_KINDS = ['HorizontalPodAutoscaler'];

/** The object without Helm's own labels (and without `labels` when nothing else is left). */
function withoutHelmLabels(o: Obj): Obj {
  const out = structuredClone(o);
  const labels = out.metadata.labels;
  if (labels) {
    for (const l of HELM_ONLY_LABELS) delete labels[l];
    if (Object.keys(labels).length === 0) delete out.metadata.labels;
  }
  return out;
}

function byKey(objs: Obj[], skipKinds: string[]): Map<string, Obj> {
  const map = new Map<string, Obj>();
  for (const o of objs.filter((x) => !skipKinds.includes(x.kind))) {
    assert.ok(!map.has(objectKey(o)), `rendered twice: ${objectKey(o)}`);
    map.set(objectKey(o), o);
  }
  return map;
}

function assertSameObjects(kustomized: Obj[], helmed: Obj[]): void {
  const k = byKey(kustomized, KUSTOMIZE_ONLY_KINDS);
  const h = byKey(helmed, HELM_ONLY_KINDS);
  assert.deepEqual([...h.keys()].sort(), [...k.keys()].sort(), 'the same objects, by kind, namespace and name');
  for (const [key, want] of k) {
    const got = h.get(key)!;
    for (const l of HELM_ONLY_LABELS) assert.ok(got.metadata.labels?.[l], `${key}: Helm's label ${l}`);
    assert.deepEqual(withoutHelmLabels(got), want, key);
  }
}

describe('Helm chart ≡ kustomize (deploy/helm/sidecar-injector against deploy/)', function () {
  this.timeout(60_000);
  let helm = '';
  let kubectl = '';
  before(function () {
    helm = helmOrSkip(this);
    const k = kubectlBin();
    if (!k) {
      console.log('    (skipped: no kubectl; scripts/build-control-plane.sh builds one)');
      this.skip();
    }
    kubectl = k!;
  });

  it('the default values render the objects of deploy/ (the default revision), but its Namespace', () => {
    const kustomized = kustomize(kubectl, 'deploy');
    assert.ok(
      kustomized.some((o) => o.kind === 'Namespace'),
      'deploy/ makes the namespace; helm install --create-namespace does',
    );
    assertSameObjects(kustomized, helmTemplate(helm));
  });

  it('--set revision=canary renders the objects of deploy/revisions/canary', () => {
    assertSameObjects(kustomize(kubectl, 'deploy/revisions/canary'), helmTemplate(helm, ['revision=canary']));
  });

  it('--set revision=default is the default revision, as "" is', () => {
    assert.deepEqual(helmTemplate(helm, ['revision=default']), helmTemplate(helm));
  });

  it('--set certManager.enabled=true renders the objects of deploy/cert-manager (Issuer, Certificate, CA injection)', () => {
    const kustomized = kustomize(kubectl, 'deploy/cert-manager');
    assert.ok(kustomized.some((o) => o.kind === 'Certificate'));
    assertSameObjects(kustomized, helmTemplate(helm, ['certManager.enabled=true']));
  });
});
