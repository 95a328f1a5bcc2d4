// Soak: a steady rate for five minutes (SOAK_SECONDS to change it). Resident memory must not grow by
// 10 % or more after warm-up, and handles must not pile up (back to the idle count once the client is gone).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { imageRuntime } from '../../bench/servers.ts';
import { spawnInjector, type ChildInjector } from '../helpers/child-injector.ts';
import { metricValue } from '../helpers/server.ts';
import { percentile, steadyLoad } from '../helpers/steady-load.ts';

const SECONDS = Number(process.env.SOAK_SECONDS ?? 300);
const RATE = 200;

const review = (i: number) =>
  JSON.stringify({
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: `soak-${i}`,
      kind: { group: '', version: 'v1', kind: 'Pod' },
      namespace: `ns-${i % 50}`,
      object: {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          generateName: `app-${i % 200}-`,
          labels: { app: `app-${i % 200}` },
          annotations: i % 7 === 0 ? { 'sidecar.istio.io/inject': 'false' } : {},
        },
        spec: {
          containers: [
            {
              name: 'app',
              image: 'app:1',
              ports: [{ containerPort: 8080 + (i % 10) }],
              env: Array.from({ length: i % 30 }, (_, k) => ({ name: `E${k}`, value: `v${i}` })),
            },
          ],
        },
      },
    },
  });

describe(`soak: ${RATE} requests/s for ${SECONDS} s`, function () {
  this.timeout((SECONDS + 120) * 1000);
  let inj: ChildInjector;
  before(async () => {
    // the test preload runs a full GC on SIGUSR2 and reports the heap left, so samples show what is kept
    const gcOnSignal = join(import.meta.dirname, '..', 'fixtures', 'node', 'gc-on-signal.mjs');
    // run as the image runs it (its node flags and environment: the young generation's size is one of them)
    const image = imageRuntime();
    inj = await spawnInjector(['--native-sidecars', 'true', '--log-level', 'warn'], [...image.nodeArgs, '--expose-gc', '--import', gcOnSignal], {
      env: image.env,
    });
  });
  after(() => inj.stop());

  it('keeps memory flat and handles bounded, answering every request', async () => {
    const samples: Array<{ t: number; rss: number; heap: number; handles: number }> = [];
    const started = Date.now();
    const sampler = setInterval(async () => {
      const heap = await inj.heapAfterGc().catch(() => undefined);
      const m = await inj.metrics().catch(() => '');
      const rss = metricValue(m, 'process_resident_memory_bytes');
      const handles = metricValue(m, 'nodejs_active_handles_total');
      if (rss !== undefined && heap !== undefined && handles !== undefined) samples.push({ t: (Date.now() - started) / 1000, rss, heap, handles });
    }, 10_000);
    const handles = async () => metricValue(await inj.metrics(), 'nodejs_active_handles_total')!;
    const handlesIdle = await handles();
    const r = await steadyLoad({
      port: inj.webhookPort,
      ca: inj.ca.cert,
      rate: RATE,
      durationMs: SECONDS * 1000,
      make: (i) => ({ body: review(i), allowed: true }),
    });
    clearInterval(sampler);
    // after warm-up: the median of the first third against the median of the last third (RSS moves with
    // V8's heap sizing from one sample to the next; medians show a trend, not that jitter)
    const warm = samples.filter((x) => x.t >= Math.min(60, SECONDS / 3));
    const third = Math.max(1, Math.floor(warm.length / 3));
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const mb = (b: number) => (b / 1048576).toFixed(1);
    const growth = (f: (x: (typeof samples)[number]) => number) => {
      const first = median(warm.slice(0, third).map(f));
      const last = median(warm.slice(-third).map(f));
      return { first, last, drift: (last - first) / first };
    };
    const rss = growth((x) => x.rss);
    const heap = growth((x) => x.heap);
    const handlesFirst = Math.max(...warm.slice(0, third).map((x) => x.handles));
    const handlesLast = Math.max(...warm.slice(-third).map((x) => x.handles));
    console.log(
      `      ${r.sent} requests, ${r.failures.length} failed; p50 ${percentile(r.latenciesMs, 0.5).toFixed(2)} ms, p99 ${percentile(r.latenciesMs, 0.99).toFixed(2)} ms`,
    );
    console.log(
      `      RSS ${mb(rss.first)} -> ${mb(rss.last)} MB (drift ${(rss.drift * 100).toFixed(1)} %), peak ${mb(Math.max(...samples.map((x) => x.rss)))} MB; heap after GC ${mb(heap.first)} -> ${mb(heap.last)} MB; handles (max) ${handlesFirst} -> ${handlesLast}`,
    );
    assert.deepEqual(r.failures.slice(0, 5), []);
    assert.ok(warm.length >= 3, 'enough samples');
    assert.ok(rss.drift < 0.1, `RSS grew ${(rss.drift * 100).toFixed(1)} % after warm-up`); // shrinking is not a leak
    assert.ok(heap.drift < 0.1, `heap after GC grew ${(heap.drift * 100).toFixed(1)} %`);
    // during the load the client's keep-alive sockets (up to 64) come and go with latency; a pile-up is what
    // stays once the client has closed them: handles must come back to the idle count (polled, at most 5 s)
    let handlesAfter = await handles();
    for (let i = 0; i < 50 && handlesAfter > handlesIdle + 2; i++) {
      await new Promise((res) => setTimeout(res, 100));
      handlesAfter = await handles();
    }
    console.log(`      handles: ${handlesIdle} idle, ${handlesAfter} after the load`);
    assert.ok(handlesAfter <= handlesIdle + 2, `handles ${handlesIdle} before the load, ${handlesAfter} 5 s after it`);
  });
});
