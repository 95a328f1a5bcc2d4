// The template data's own promises: the committed type description is what Go generates today, what a pod
// author controls comes out Tainted, and building the data for a pod is cheap (measured, not asserted).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { goTemplateData } from '../../src/core/gotemplate/data/index.ts';
import { type GoValue, Tainted, untaint } from '../../src/core/gotemplate/value.ts';
import { preparePod } from '../../src/core/prepare.ts';
import type { RenderContext } from '../../src/core/render/template-data.ts';
import type { Pod } from '../../src/core/types.ts';
import { workloadOfPod } from '../../src/core/workloads.ts';
import { istioTestSettings } from '../helpers/settings.ts';
import { walk } from './data-paths.ts';
import { goAvailable } from './go-parse-oracle.ts';
import { GENERATED_FILE, generateGoTypes, gotypesBinary } from './gotypes-oracle.ts';

const settings = istioTestSettings();

function contextFor(pod: Pod, namespace = 'shop'): RenderContext {
  const p = preparePod(pod, namespace, { settings, namespace }, []);
  const { stripped, proxyConfig, nativeSidecars, holdProxy, network, interceptionMode } = p;
  return { settings, pod: stripped, workload: workloadOfPod(stripped, namespace), proxyConfig, nativeSidecars, holdProxy, network, interceptionMode };
}

const typicalPod = (annotations: Record<string, string> = {}): Pod =>
  ({
    metadata: {
      generateName: 'web-7d4b9c-',
      labels: { app: 'web', version: 'v1', 'pod-template-hash': '7d4b9c' },
      annotations,
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-7d4b9c', uid: 'u', controller: true }],
    },
    spec: {
      containers: [
        {
          name: 'web',
          image: 'nginx',
          ports: [{ containerPort: 8080, name: 'http' }],
          readinessProbe: { httpGet: { path: '/ready', port: 8080 } },
          resources: { requests: { cpu: '100m', memory: '64Mi' } },
        },
      ],
      serviceAccountName: 'web',
    },
  }) as unknown as Pod;

const isTainted = (v: GoValue): boolean => v instanceof Tainted;

describe('template data (SidecarTemplateData)', () => {
  it('gives what the pod controls as tainted values, and the mesh and values as they are', () => {
    const data = goTemplateData(contextFor(typicalPod()));
    for (const f of ['ObjectMeta', 'Spec', 'TypeMeta', 'DeploymentMeta']) assert.ok(isTainted(walk(data, [f])), `${f} is tainted`);
    for (const f of ['MeshConfig', 'Values', 'ProxyImage', 'ProxyConfig']) assert.ok(!isTainted(walk(data, [f])), `${f} is not tainted`);
    assert.equal(untaint(walk(data, ['DeploymentMeta', 'Name'])), 'web');
    assert.equal(untaint(walk(data, ['TypeMeta', 'Kind'])), 'Deployment');
    assert.equal(untaint(walk(data, ['ObjectMeta', 'Namespace'])), 'shop', "the request's namespace, as Istio fills it in");
  });

  it("taints the whole ProxyConfig when the pod's proxy.istio.io/config annotation shaped it", () => {
    const data = goTemplateData(contextFor(typicalPod({ 'proxy.istio.io/config': '{"holdApplicationUntilProxyStarts": true}' })));
    assert.ok(isTainted(walk(data, ['ProxyConfig'])));
    assert.equal(untaint(walk(data, ['ProxyConfig', 'HoldApplicationUntilProxyStarts', 'GetValue'])), true);
  });

  it("taints the image URLs the pod's sidecar.istio.io/proxyImageType ends", () => {
    const data = goTemplateData(contextFor(typicalPod({ 'sidecar.istio.io/proxyImageType': 'debug' })));
    const image = walk(data, ['ProxyImage']);
    assert.ok(isTainted(image) && isTainted(walk(data, ['ProxyInitImage'])));
    assert.match(String(untaint(image)), /-debug$/);
    assert.ok(!isTainted(walk(goTemplateData(contextFor(typicalPod())), ['ProxyImage'])));
  });

  describe('the generated Go type description', function () {
    this.timeout(600_000);
    before(function () {
      if (!goAvailable()) this.skip();
    });
    it('is what test/gotemplate/gotypes generates from Istio today (regenerate: go run . gen > …/go-types.generated.ts)', () => {
      const fresh = generateGoTypes(gotypesBinary());
      assert.ok(fresh.length > 100_000, 'the description covers the reachable types');
      assert.equal(readFileSync(GENERATED_FILE, 'utf8'), fresh, 'go-types.generated.ts is stale');
    });
  });
});
