// Scale out, measured: pods created through a real kube-apiserver, first with no webhook registered, then
// with deploy/'s MutatingWebhookConfiguration calling two `sidecar-injector serve` replicas behind one URL
// (a round-robin TCP balancer standing for the Service). Prints pods/s and the pod-create round trip
// (p50/p99) with and without the webhook; asserts correctness only: every pod created, every pod of the
// labelled namespace injected, and both replicas served admissions. Bounded: LOAD_PODS pods (600) a phase
// at concurrency LOAD_CONCURRENCY (8), each phase at most 5 minutes.
import assert from 'node:assert/strict';
import { apiCall, createNamespace, createPod, podManifest } from '../e2e/harness/api.ts';
import { startControlPlane, type ControlPlane } from '../e2e/harness/control-plane.ts';
import { waitForInjection, webhookConfigurationFromDeploy, type StoredPod } from '../e2e/harness/deploy.ts';
import { startWebhookProcess, type WebhookProcess } from '../e2e/harness/injector.ts';
import { percentile } from '../helpers/steady-load.ts';
import { startTcpBalancer, type TcpBalancer } from '../helpers/tcp-balancer.ts';

const PODS = Number(process.env.LOAD_PODS ?? 600);
const CONCURRENCY = Number(process.env.LOAD_CONCURRENCY ?? 8);
const PHASE_MS = 5 * 60_000;
const MWC_PATH = '/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations';

interface Phase {
  created: StoredPod[];
  failures: string[];
  latenciesMs: number[];
  wallMs: number;
}

/** `count` pods named PREFIX-i in `namespace`, `concurrency` at a time, each create's round trip timed. */
async function createPods(cp: ControlPlane, namespace: string, prefix: string, count: number): Promise<Phase> {
  const phase: Phase = { created: [], failures: [], latenciesMs: [], wallMs: 0 };
  const t0 = performance.now();
  let next = 0;
  const loop = async () => {
    while (next < count && performance.now() - t0 < PHASE_MS) {
      const i = next++;
      const start = performance.now();
      try {
        const pod = await createPod(cp, namespace, podManifest(`${prefix}-${i}`, { labels: { app: 'load' } }));
        phase.latenciesMs.push(performance.now() - start);
        phase.created.push(pod as unknown as StoredPod);
      } catch (e) {
        phase.failures.push(`${prefix}-${i}: ${(e as Error).message.slice(0, 300)}`);
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, loop));
  phase.wallMs = performance.now() - t0;
  return phase;
}

const figures = (p: Phase) =>
  `${(p.created.length / (p.wallMs / 1000)).toFixed(1)} pods/s; create round trip p50 ${percentile(p.latenciesMs, 0.5).toFixed(1)} ms, p99 ${percentile(p.latenciesMs, 0.99).toFixed(1)} ms`;

const injected = (pod: StoredPod) => [...pod.spec.containers, ...(pod.spec.initContainers ?? [])].some((c) => c.name === 'istio-proxy');

describe(`scale out: ${PODS} pods at concurrency ${CONCURRENCY} through a real API server, two injector replicas`, function () {
  this.timeout(20 * 60_000);
  let cp: ControlPlane | undefined;
  const replicas: WebhookProcess[] = [];
  let balancer: TcpBalancer | undefined;
  const plane = () => {
    if (!cp) throw new Error('control plane did not start');
    return cp;
  };

  before(async () => {
    cp = await startControlPlane();
    await createNamespace(cp, 'load-plain');
    await createNamespace(cp, 'load-injected', { 'istio-injection': 'enabled' });
    // warm-up (not measured): the API server's first creations pay for caches and connections
    await createPods(cp, 'load-plain', 'warm', 40);
  });
  after(async function () {
    this.timeout(60_000);
    await balancer?.close();
    await Promise.all(replicas.map((r) => r.stop()));
    await cp?.stop();
  });

  it('injects every pod, with both replicas serving, and reports what the webhook adds', async () => {
    const without = await createPods(plane(), 'load-plain', 'p', PODS);
    assert.deepEqual(without.failures.slice(0, 5), []);
    assert.equal(without.created.length, PODS, `only ${without.created.length} pods created without the webhook in ${PHASE_MS} ms`);

    for (let i = 0; i < 2; i++) replicas.push(await startWebhookProcess({ ca: plane().ca, dir: plane().dir, kubeconfig: plane().kubeconfigPath }));
    balancer = await startTcpBalancer(replicas.map((r) => r.port));
    const caBundle = Buffer.from(plane().ca.certPem).toString('base64');
    await apiCall(
      plane(),
      'POST',
      MWC_PATH,
      await webhookConfigurationFromDeploy(plane(), { url: `https://127.0.0.1:${balancer.port}/inject`, caBundle }),
    );
    await waitForInjection(plane(), 'load-injected');

    const withHook = await createPods(plane(), 'load-injected', 'p', PODS);
    console.log(`      without the webhook: ${figures(without)}`);
    console.log(`      with two replicas:   ${figures(withHook)}`);
    const served = replicas.map((r) => r.logs().filter((l) => l.msg === 'admission' && l.namespace === 'load-injected').length);
    console.log(`      admissions per replica: ${served.join(' / ')}; connections per replica: ${balancer.connections.join(' / ')}`);

    assert.deepEqual(withHook.failures.slice(0, 5), []);
    assert.equal(withHook.created.length, PODS, `only ${withHook.created.length} pods created with the webhook in ${PHASE_MS} ms`);
    const stored = await apiCall<{ items: StoredPod[] }>(plane(), 'GET', '/api/v1/namespaces/load-injected/pods?labelSelector=app%3Dload');
    assert.equal(stored.items.length, PODS);
    assert.deepEqual(
      stored.items.filter((p) => !injected(p)).map((p) => p.metadata.name),
      [],
      'pods of the labelled namespace stored without the sidecar',
    );
    assert.ok(
      served.every((n) => n > 0),
      `both replicas serve admissions (got ${served.join(' / ')})`,
    );
    assert.ok(served[0]! + served[1]! >= PODS, 'every pod was admitted by one of the replicas');
  });
});
