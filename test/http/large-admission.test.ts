// Large legal pods through POST /inject: admitted in the admission worker, off the event loop that
// answers /healthz, with the same patch as the in-process core; and when the worker runs out of time
// or memory, or is busy, still an AdmissionReview with the request's uid, refusing the pod and saying why.
import assert from 'node:assert/strict';
import { readSettingsDir } from '../../src/config/config-dir.ts';
import { admit } from '../../src/core/admission.ts';
import { buildSettings } from '../../src/core/settings/index.ts';
import { LARGE_ADMISSION_DEFAULTS } from '../../src/http/large-admission.ts';
import { metricValue, startTestInjector, type Reply, type TestInjector } from '../helpers/server.ts';
import { reviewJson } from '../helpers/admission.ts';

const review = reviewJson;
const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const podWith = (metadata: Record<string, unknown>, containers: unknown[]) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'big', ...metadata },
  spec: { containers },
});

// Legal pods within the 6 MiB body cap that cost the core the most per byte (100-250 ms in-process)
const SHAPES: Record<string, () => unknown> = {
  'one container with 60,000 env vars': () =>
    podWith({}, [{ name: 'a', image: 'a', env: range(60_000).map((i) => ({ name: `E${i}`, value: 'v'.repeat(60) })) }]),
  '2,000 containers with ports, probes and 20 env vars each': () =>
    podWith(
      {},
      range(2_000).map((c) => ({
        name: `c${c}`,
        image: 'a',
        ports: [{ containerPort: 1000 + c }],
        readinessProbe: { httpGet: { port: 1000 + c, path: '/r' } },
        livenessProbe: { httpGet: { port: 1000 + c, path: '/l' } },
        env: range(20).map((i) => ({ name: `E${i}`, value: 'v'.repeat(100) })),
      })),
    ),
  '20,000 containers with a probe each': () => twentyThousandContainers(),
  '60,000 labels': () => podWith({ labels: Object.fromEntries(range(60_000).map((i) => [`k${i}`, 'v'.repeat(40)])) }, [{ name: 'a', image: 'a' }]),
};
function twentyThousandContainers() {
  return podWith(
    {},
    range(20_000).map((c) => ({
      name: `c${c}`,
      image: 'a',
      ports: [{ containerPort: 1 + c }],
      readinessProbe: { httpGet: { port: 1 + c, path: '/r' } },
    })),
  );
}

const settings = buildSettings({ ...readSettingsDir(undefined), nativeSidecars: 'false' });
const decodedPatch = (response: { patch?: string }) => JSON.parse(Buffer.from(response.patch ?? '', 'base64').toString('utf8'));
const metric = async (inj: TestInjector, name: string, labels: Record<string, string>) =>
  metricValue((await inj.ops('/metrics')).body, name, labels) ?? 0;
const answered = (inj: TestInjector) => metric(inj, 'sidecar_injector_large_admissions_total', { outcome: 'answered' });

/** Waits for `work` while asking /healthz every 10 ms (each must answer 200 within 5 s); how many answered meanwhile. */
async function whileHealthy<T>(inj: TestInjector, work: Promise<T>): Promise<{ value: T; probes: number }> {
  let done = false;
  const settled = work.finally(() => {
    done = true;
  });
  let probes = 0;
  // bounded: at most 3,000 probes (30 s and more)
  for (let i = 0; i < 3_000 && !done; i++) {
    const t0 = performance.now();
    const h = await inj.ops('/healthz');
    assert.equal(h.status, 200);
    assert.ok(performance.now() - t0 < 5_000, '/healthz answered within 5 s');
    if (!done) probes++;
    await new Promise((r) => setTimeout(r, 10));
  }
  return { value: await settled, probes };
}

function assertRefusal(r: Reply, uid: string, version: string, code: string, message: RegExp): void {
  assert.equal(r.status, 200, r.body.slice(0, 300));
  const body = r.json();
  assert.equal(body.apiVersion, version);
  assert.equal(body.kind, 'AdmissionReview');
  assert.equal(body.response.uid, uid);
  assert.equal(body.response.allowed, false);
  assert.equal(body.response.status.reason, code);
  assert.match(body.response.status.message, message);
}

describe('large admissions, in the admission worker', function () {
  this.timeout(120_000);
  let inj: TestInjector;
  before(async () => {
    inj = await startTestInjector({ nativeSidecars: 'false' });
  });
  after(() => inj.stop(1000));

  for (const [name, make] of Object.entries(SHAPES)) {
    it(`answers a pod of ${name} with the patch the core gives in-process`, async () => {
      const body = review(`big-${name}`, make());
      assert.ok(body.length > LARGE_ADMISSION_DEFAULTS.thresholdBytes && body.length < 6 * 1024 * 1024, `${body.length} bytes`);
      const before = await answered(inj);
      const r = await inj.post('/inject', body);
      assert.equal(r.status, 200, r.body.slice(0, 300));
      const got = r.json().response;
      const want = admit(JSON.parse(body), { settings }).review.response as { uid: string; allowed: boolean; patch?: string };
      assert.equal(want.allowed && want.patch !== undefined, true, 'the core injects this pod');
      assert.equal(got.uid, `big-${name}`);
      assert.equal(got.allowed, true, got.status?.message);
      assert.deepEqual(decodedPatch(got), decodedPatch(want));
      assert.equal(await answered(inj), before + 1, 'answered by the worker');
    });
  }

  it('starts no worker thread until a large pod arrives, and stops it once idle (each is a V8 isolate: memory)', async () => {
    const inj = await startTestInjector({ nativeSidecars: 'false', largeAdmissionLimits: { idleWorkerMs: 2_000 } });
    try {
      const threads = async () => metricValue((await inj.ops('/metrics')).body, 'sidecar_injector_worker_threads', { worker: 'admission' });
      assert.equal(await threads(), 0, 'none when ready');
      assert.equal(
        metricValue((await inj.ops('/metrics')).body, 'sidecar_injector_worker_threads', { worker: 'preview' }),
        0,
        'no preview worker either',
      );
      const small = await inj.post('/inject', review('small-first', podWith({}, [{ name: 'a', image: 'a' }])));
      assert.equal(small.json().response.allowed, true);
      assert.equal(await threads(), 0, 'a pod under the threshold needs none');
      const large = await inj.post('/inject', review('large-first', SHAPES['60,000 labels']!()));
      assert.equal(large.json().response.allowed, true);
      assert.equal(await threads(), 1, 'the large pod started one');
      const deadline = Date.now() + 10_000;
      while ((await threads()) !== 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      assert.equal(await threads(), 0, 'stopped after 2 s idle');
      const again = await inj.post('/inject', review('large-again', SHAPES['60,000 labels']!()));
      assert.equal(again.json().response.allowed, true, 'and a new one admits the next large pod');
    } finally {
      await inj.stop(1000);
    }
  });

  it('keeps answering /healthz while large admissions are worked on', async () => {
    // budgets far above the work: what is tested is /healthz meanwhile, not how fast a shared machine admits
    // two 20,000-container pods one after the other (the default 3 s wait refused the second on a slow day)
    const roomy = await startTestInjector({
      nativeSidecars: 'false',
      largeAdmissionLimits: { softBudgetMs: 20_000, budgetMs: 30_000, maxWaitMs: 30_000 },
    });
    const replies = whileHealthy(roomy, Promise.all(range(2).map((i) => roomy.post('/inject', review(`busy-${i}`, twentyThousandContainers())))));
    const { value, probes } = await replies.finally(() => roomy.stop(1000));
    assert.deepEqual(
      value.map((r) => [r.json().response.uid, r.json().response.allowed]),
      [
        ['busy-0', true],
        ['busy-1', true],
      ],
    );
    assert.ok(probes >= 3, `/healthz answered ${probes} times while the admissions were in progress`);
  });

  it("keeps a normal review on the main thread's fast path", async () => {
    const before = await answered(inj);
    const r = await inj.post('/inject', review('small', podWith({}, [{ name: 'web', image: 'web:1' }])));
    assert.equal(r.json().response.allowed, true);
    assert.ok(r.json().response.patch);
    assert.equal(await answered(inj), before, 'not sent to the worker');
  });
});

describe('large admissions past their budgets', function () {
  this.timeout(60_000);

  it("past the hard time budget: the worker is stopped and the pod refused in the review's version, with its uid", async () => {
    // 50 ms cannot even start a worker: the runner's stop, not the core's, answers
    const inj = await startTestInjector({ nativeSidecars: 'false', largeAdmissionLimits: { thresholdBytes: 1024, budgetMs: 50 } });
    try {
      const body = review('slow-1', SHAPES['60,000 labels']!(), 'admission.k8s.io/v1beta1');
      const r = await inj.post('/inject', body);
      assertRefusal(
        r,
        'slow-1',
        'admission.k8s.io/v1beta1',
        'BUDGET_EXCEEDED',
        new RegExp(
          `^the injector stopped admitting a large pod \\(an AdmissionReview of ${body.length} bytes; reviews over 1024 bytes are admitted one at a time\\) after its time budget of 0.05 s: the pod is too large or too complex to inject in time$`,
        ),
      );
      assert.equal(r.json().response.status.code, 503);
      const metrics = (await inj.ops('/metrics')).body;
      assert.equal(metricValue(metrics, 'sidecar_injector_worker_terminations_total', { worker: 'admission', reason: 'timeout' }), 1);
      assert.equal(metricValue(metrics, 'sidecar_injector_large_admissions_total', { outcome: 'timeout' }), 1);
      assert.equal(metricValue(metrics, 'sidecar_injection_failure_total'), 1, "Istio's failure count");
      assert.equal(metricValue(metrics, 'sidecar_injection_success_total'), 1, 'an answered review is a success for Istio');
      assert.equal((await inj.ops('/healthz')).status, 200);
    } finally {
      await inj.stop(1000);
    }
  });

  it("out of the worker's heap: the pod is refused with OUT_OF_MEMORY and its uid, even written after the object", async () => {
    // near its cap, V8 collects again and again before it gives up: budgets long enough that memory runs out first
    const inj = await startTestInjector({ nativeSidecars: 'false', largeAdmissionLimits: { heapMb: 32, softBudgetMs: 30_000, budgetMs: 30_000 } });
    try {
      // two million empty arrays (5.7 MiB) do not fit in 32 MB once parsed; the uid comes last
      const pod = podWith({ annotations: { x: 'y' } }, [{ name: 'a', image: 'a' }]);
      const body = `{"kind":"AdmissionReview","request":{"kind":{"group":"","version":"v1","kind":"Pod"},"namespace":"apps","object":${JSON.stringify(pod).slice(0, -1)},"filler":[${'[],'.repeat(2_000_000)}[]]},"uid":"oom-1"},"apiVersion":"admission.k8s.io/v1"}`;
      // seconds of work in the worker (collecting near its cap), and the event loop answers all along
      const { value: r, probes } = await whileHealthy(inj, inj.post('/inject', body));
      assert.ok(probes >= 10, `/healthz answered ${probes} times meanwhile`);
      assertRefusal(
        r,
        'oom-1',
        'admission.k8s.io/v1',
        'OUT_OF_MEMORY',
        /^the injector ran out of the memory it gives one admission \(32 MB of heap\) while admitting a large pod \(an AdmissionReview of \d+ bytes; .*\): the pod is too large to inject$/,
      );
      assert.equal(r.json().response.status.code, 413);
      assert.equal(await metric(inj, 'sidecar_injector_worker_terminations_total', { worker: 'admission', reason: 'out_of_memory' }), 1);
      const next = await inj.post(
        '/inject',
        review('after-oom', podWith({ labels: Object.fromEntries(range(8_000).map((i) => [`k${i}`, 'v'.repeat(40)])) }, [{ name: 'a', image: 'a' }])),
      );
      assert.equal(next.json().response.allowed, true, 'a new worker admits the next large pod');
    } finally {
      await inj.stop(1000);
    }
  });

  it('beyond one running and 3 MB of reviews waiting, large pods are refused as INJECTOR_BUSY with their uid, never 429', async () => {
    const inj = await startTestInjector({ nativeSidecars: 'false', largeAdmissionLimits: { maxWaiting: 3_000_000 } });
    try {
      // sent together; the first also waits for its worker to start, so the others arrive while it runs
      const replies = await Promise.all(range(4).map((i) => inj.post('/inject', review(`q-${i}`, twentyThousandContainers()))));
      assert.deepEqual(
        replies.map((r) => [r.status, r.json().response.uid]),
        range(4).map((i) => [200, `q-${i}`]),
      );
      const busy = replies.filter((r) => !r.json().response.allowed);
      assert.ok(busy.length >= 1 && busy.length <= 2, `${busy.length} refused as busy`);
      for (const r of busy) {
        assertRefusal(
          r,
          r.json().response.uid,
          'admission.k8s.io/v1',
          'INJECTOR_BUSY',
          /^the injector is busy with other large pods and could not take a large pod \(an AdmissionReview of \d+ bytes; reviews over 65536 bytes are admitted one at a time\) in time: retry shortly$/,
        );
      }
      assert.equal(await metric(inj, 'sidecar_injector_large_admissions_total', { outcome: 'busy' }), busy.length);
      assert.equal(await metric(inj, 'sidecar_injector_large_admissions_total', { outcome: 'answered' }), 4 - busy.length);
    } finally {
      await inj.stop(1000);
    }
  });

  it('a large pod that cannot start within the waiting bound is refused as INJECTOR_BUSY with its uid', async () => {
    const inj = await startTestInjector({ nativeSidecars: 'false', largeAdmissionLimits: { maxWaitMs: 1 } });
    try {
      // the first waits for its worker to start (a tenth of a second and more): the second cannot wait 1 ms
      const [first, second] = await Promise.all(['w-0', 'w-1'].map((uid) => inj.post('/inject', review(uid, twentyThousandContainers()))));
      const replies = [first!, second!].map((r) => r.json().response);
      assert.deepEqual(
        replies.map((r) => r.uid),
        ['w-0', 'w-1'],
      );
      assert.deepEqual(replies.map((r) => r.allowed).sort(), [false, true]);
      assert.equal(replies.find((r) => !r.allowed).status.reason, 'INJECTOR_BUSY');
    } finally {
      await inj.stop(1000);
    }
  });
});
