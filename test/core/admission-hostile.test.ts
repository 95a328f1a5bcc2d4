// Issue 12 rows for /inject, in-process: type-confused and over-cap reviews get `allowed: false` with a
// message naming the field or the cap (never a throw, the 500 "internal error"), echoed values are
// clipped, a pod without metadata gets a patch that applies, and an over-budget request is refused.
import assert from 'node:assert/strict';
import jsonpatch from 'fast-json-patch';
import { admit, type AdmissionOutcome } from '../../src/core/admission.ts';
import { MAX_ECHO_CHARS, MAX_MESSAGE_CHARS } from '../../src/core/limits.ts';
import { defaultSettings } from '../helpers/settings.ts';

const settings = defaultSettings();
const UID = 'hostile-uid';

const review = (object: unknown) => ({
  apiVersion: 'admission.k8s.io/v1',
  kind: 'AdmissionReview',
  request: { uid: UID, kind: { group: '', version: 'v1', kind: 'Pod' }, namespace: 'apps', operation: 'CREATE', object },
});
const pod = (metadata: Record<string, unknown> | undefined, containers: unknown[] = [{ name: 'app', image: 'app:1' }]) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  ...(metadata === undefined ? {} : { metadata }),
  spec: { containers },
});

type Response = { uid: string; allowed: boolean; patch?: string; status?: { message: string; reason: string; code: number } };
const responseOf = (o: AdmissionOutcome): Response => o.review.response as Response;

function refused(object: unknown, opts: { overBudget?: () => boolean } = {}): Response['status'] & object {
  const r = responseOf(admit(review(object), { settings, ...opts }));
  assert.equal(r.uid, UID);
  assert.equal(r.allowed, false, 'expected a refusal');
  return r.status!;
}

const nested = (depth: number, leaf: unknown = 1): unknown => {
  let v = leaf;
  for (let i = 0; i < depth; i++) v = [v];
  return v;
};
/** The JSON text of `depth` nested lists (JSON.stringify itself overflows the stack on such values). */
const nestedJson = (depth: number, leaf = '1'): string => `${'['.repeat(depth)}${leaf}${']'.repeat(depth)}`;

describe('admission of hostile reviews', () => {
  it('refuses ownerReferences that are not a list of references, naming the field', () => {
    assert.match(refused(pod({ generateName: 'web-', ownerReferences: 'x' })).message, /metadata\.ownerReferences must be a list of objects/);
    const kind5 = [{ apiVersion: 'apps/v1', kind: 5, name: 'rs', uid: 'u', controller: true }];
    assert.match(refused(pod({ generateName: 'web-', ownerReferences: kind5 })).message, /metadata\.ownerReferences\[0\]\.kind must be a string/);
    const name5 = [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 5, controller: true }];
    assert.match(
      refused(pod({ generateName: 'web-', labels: { 'pod-template-hash': 'x' }, ownerReferences: name5 })).message,
      /ownerReferences\[0\]\.name must be a string/,
    );
    assert.match(
      refused(pod({ generateName: 'web-', ownerReferences: [{ apiVersion: 'v1', kind: 'Job', name: 'j', controller: 'yes' }] })).message,
      /controller must be a boolean/,
    );
  });

  it('refuses name fields of the wrong type', () => {
    for (const f of ['name', 'generateName', 'namespace']) {
      const s = refused(pod({ [f]: { a: 1 } }));
      assert.equal(s.reason, 'INVALID_OBJECT');
      assert.match(s.message, new RegExp(`metadata\\.${f} must be a string`));
    }
  });

  it('refuses a 10,000-deep proxy.istio.io/overrides naming the annotation and its depth cap', () => {
    const deep = `{"containers":[{"name":"istio-proxy","x":${nestedJson(10_000)}}]}`; // deep, yet under the 32 Ki length cap
    const s = refused(pod({ name: 'p', annotations: { 'proxy.istio.io/overrides': deep } }));
    assert.equal(s.reason, 'INVALID_ANNOTATION');
    assert.match(s.message, /proxy\.istio\.io\/overrides.*nested deeper than \d+ levels/);
    assert.ok(s.message.length < 1_000, 'the 200 KB value is clipped in the message');
  });

  it('refuses deep user volumes and a deep probers env of a re-injected proxy, instead of overflowing the stack', () => {
    const vol = `{"v":{"emptyDir":${nestedJson(10_000, '{}')}}}`;
    assert.match(
      refused(pod({ name: 'p', annotations: { 'sidecar.istio.io/userVolume': vol } })).message,
      /sidecar\.istio\.io\/userVolume.*nested deeper than \d+ levels/,
    );
    const status = JSON.stringify({
      initContainers: ['istio-init'],
      containers: ['istio-proxy'],
      volumes: [],
      imagePullSecrets: [],
      revision: 'default',
    });
    const proxy = { name: 'istio-proxy', image: 'auto', env: [{ name: 'ISTIO_KUBE_APP_PROBERS', value: `{"/x":${nestedJson(100_000)}}` }] };
    const app = { name: 'app', image: 'app:1', readinessProbe: { httpGet: { port: 8080, path: '/r' } } };
    const s = refused(pod({ name: 'p', annotations: { 'sidecar.istio.io/status': status } }, [app, proxy]));
    assert.match(s.message, /ISTIO_KUBE_APP_PROBERS.*MAX_NESTING_DEPTH/);
  });

  it("keeps a proxy override's env vars named like Object members (constructor, toString)", () => {
    const proxy = {
      name: 'istio-proxy',
      image: 'auto',
      env: [
        { name: 'constructor', value: 'c' },
        { name: 'toString', value: 't' },
      ],
    };
    const o = admit(review(pod({ name: 'p' }, [{ name: 'app', image: 'app:1' }, proxy])), { settings, urlEnv: { ISTIO_META_CLUSTER_ID: 'c1' } });
    assert.equal(responseOf(o).allowed, true);
    const injected = o.inject!.pod.spec;
    const env = [...injected.containers, ...(injected.initContainers ?? [])].find((c) => c.name === 'istio-proxy')!.env!.map((e) => e.name);
    assert.ok(env.includes('constructor') && env.includes('toString'), env.join(' '));
  });

  it('refuses a request object nested past MAX_NESTING_DEPTH', () => {
    const s = refused({ ...pod({ name: 'p' }), extra: nested(100_000) });
    assert.equal(s.reason, 'LIMIT_EXCEEDED');
    assert.match(s.message, /request\.object at extra\[0\]\[0\].*… nests more than 256 levels deep \(the cap MAX_NESTING_DEPTH\)/);
  });

  it('refuses a request object with more than MAX_NODES values, in one long list or spread over many', () => {
    const longArgs = Array.from({ length: 1_500_000 }, () => 'a');
    const spread = Array.from({ length: 300 }, (_, i) => ({ name: `c${i}`, image: 'app:1', args: Array.from({ length: 1000 }, () => 'a') }));
    for (const object of [pod({ name: 'p' }, [{ name: 'app', image: 'app:1', args: longArgs }]), pod({ name: 'p' }, spread)]) {
      const s = refused(object);
      assert.equal(s.reason, 'LIMIT_EXCEEDED');
      assert.match(s.message, /request\.object has more than 250000 values \(the cap MAX_NODES\)/);
    }
  });

  it('clips a 1 MB generateName in the log fields, and any huge echoed value in the message', () => {
    const name = 'a'.repeat(1 << 20);
    const o = admit(review(pod({ generateName: name })), { settings });
    assert.equal(responseOf(o).allowed, true);
    assert.ok(o.pod.length <= MAX_ECHO_CHARS + 40, `pod field is ${o.pod.length} characters`);
    assert.match(o.pod, /… \(1048576 characters\)$/);
    const bad = refused(pod({ name: 'p' }, [{ name: 'X'.repeat(4 << 20), image: 'a' }]));
    assert.match(bad.message, /spec\.containers\[0\]\.name "X{80}"… \(4194304 characters\) is not a DNS label/);
    const huge = refused(
      pod({
        name: 'p',
        annotations: Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`sidecar.istio.io/proxyCPU${i ? `-${i}` : ''}`, 'lots'.repeat(1000)])),
      }),
    );
    assert.ok(huge.message.length <= MAX_MESSAGE_CHARS + 40, `message is ${huge.message.length} characters`);
  });

  it('gives a pod without metadata (absent or null) a patch that applies to it as sent', () => {
    for (const object of [pod(undefined), { ...pod(undefined), metadata: null }]) {
      const r = responseOf(admit(review(object), { settings }));
      assert.equal(r.allowed, true);
      const ops = JSON.parse(Buffer.from(r.patch!, 'base64').toString('utf8'));
      assert.equal(jsonpatch.validate(ops, structuredClone(object)), undefined);
      const injected = jsonpatch.applyPatch(structuredClone(object), ops, true, false).newDocument as unknown as {
        metadata: { annotations: Record<string, string> };
      };
      assert.ok(injected.metadata.annotations['sidecar.istio.io/status']);
    }
  });

  it('answers an over-budget request promptly with BUDGET_EXCEEDED, and asks the budget as it goes', () => {
    let asked = 0;
    const s = refused(pod({ name: 'p' }), { overBudget: () => ++asked > 1 });
    assert.equal(s.reason, 'BUDGET_EXCEEDED');
    assert.equal(s.code, 503);
    assert.match(s.message, /time budget for this request while rendering template "sidecar"/);
    let calls = 0;
    const ok = responseOf(
      admit(review(pod({ name: 'p' })), {
        settings,
        overBudget: () => {
          calls++;
          return false;
        },
      }),
    );
    assert.equal(ok.allowed, true);
    assert.ok(calls >= 4, `asked ${calls} times`);
  });

  it('refuses virtual interfaces times outbound ranges past MAX_VIRTUAL_INTERFACE_RULES, naming the annotation, at once', () => {
    // two 32 KiB lists once made nine million rules (4 GB, tens of seconds on the event loop)
    const nics = Array.from({ length: 3_000 }, (_, i) => `v${i}`).join(',');
    const cidrs = Array.from({ length: 2_000 }, (_, i) => `10.${i >> 8}.${i & 255}.0/24`).join(',');
    for (const annotation of ['traffic.sidecar.istio.io/kubevirtInterfaces', 'istio.io/reroute-virtual-interfaces']) {
      const s = refused(pod({ name: 'p', annotations: { [annotation]: nics, 'traffic.sidecar.istio.io/includeOutboundIPRanges': cidrs } }));
      assert.equal(s.reason, 'INVALID_ANNOTATION');
      assert.match(
        s.message,
        new RegExp(
          `annotation '${annotation.replace(/[./]/g, '\\$&')}'.*3000 virtual interfaces times 2000 outbound IP ranges \\(-i\\) make 6000000 rules, over the cap of 1024`,
        ),
      );
    }
    // a pod's few of each still pass
    const ok = responseOf(
      admit(
        review(
          pod({
            name: 'p',
            annotations: {
              'traffic.sidecar.istio.io/kubevirtInterfaces': 'net1,net2',
              'traffic.sidecar.istio.io/includeOutboundIPRanges': '10.0.0.0/8,192.168.0.0/16',
            },
          }),
        ),
        { settings },
      ),
    );
    assert.equal(ok.allowed, true);
  });
});
