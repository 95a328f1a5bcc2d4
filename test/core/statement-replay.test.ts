// Statement replay (render/statements.ts): pods of workloads never seen before still have most of a
// template's statements replayed from a recorded execution. Each pod must get its own values wherever a
// statement reads them (directly or through a variable set earlier), and a pod value in replayed text
// must be checked where it lands, as in a statement that ran.
import assert from 'node:assert/strict';
import { readTemplatesDir } from '../../src/config/files.ts';
import { isInjectionError } from '../../src/core/errors.ts';
import { injectPod } from '../../src/core/inject.ts';
import { buildSettings, type Settings } from '../../src/core/settings/index.ts';
import type { Pod } from '../../src/core/types.ts';

const builtin = readTemplatesDir();

// $app is set in one statement and printed by another; the note annotation is printed raw
const TEMPLATE = `{{- $app := index .ObjectMeta.Labels "app" }}
{{- $level := annotation .ObjectMeta "sidecar.istio.io/logLevel" "info" }}
spec:
  containers:
  - name: istio-proxy
    image: proxy:1
    args: [{{ $app | quote }}, {{ $level | quote }}, {{ index .ObjectMeta.Labels "version" | default "none" | quote }}]
    env:
    - name: NOTE
      value: {{ annotation .ObjectMeta "example.com/note" "plain" }}
    - name: FIXED
      value: {{ .Values.global.proxy.logLevel | default "warning" | quote }}
`;

const settingsWith = (reuse: boolean): Settings => buildSettings({ templates: { ...builtin, replayed: TEMPLATE }, nativeSidecars: 'false', reuse });

/** A pod of a workload of its own (ReplicaSet app-N-xxxx), with these labels and annotations. */
function pod(n: number, labels: Record<string, string>, annotations: Record<string, string> = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: `app-${n}-5d4f8-`,
      labels,
      annotations: { 'inject.istio.io/templates': 'replayed', ...annotations },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `app-${n}-5d4f8`, uid: `u${n}`, controller: true }],
    },
    spec: { containers: [{ name: 'app', image: 'app:1' }] },
  };
}

function proxyOf(settings: Settings, p: Pod) {
  const out = injectPod(p, { settings, namespace: 'apps' });
  return out.pod.spec.containers.find((c) => c.name === 'istio-proxy')!;
}

describe('statement replay: pods of workloads never seen get their own values', () => {
  it("prints each pod's own label, annotation and variable values where statements read them", () => {
    const settings = settingsWith(true);
    const cases = Array.from({ length: 12 }, (_, n) => ({
      labels: { app: n % 3 === 0 ? 'same' : `app${n}`, ...(n % 4 === 1 ? { version: `v${n}` } : {}) },
      annotations: (n % 5 === 2 ? { 'sidecar.istio.io/logLevel': 'debug' } : {}) as Record<string, string>,
    }));
    for (const [n, c] of cases.entries()) {
      const proxy = proxyOf(settings, pod(n, c.labels, c.annotations));
      const want = [c.labels.app, c.annotations['sidecar.istio.io/logLevel'] ?? 'info', c.labels.version ?? 'none'];
      assert.deepEqual(proxy.args, want, `pod ${n}`);
      assert.deepEqual(proxyOf(settingsWith(false), pod(n, c.labels, c.annotations)), proxy, `pod ${n}: the same as with no reuse`);
    }
  });

  it('refuses a hostile value printed by a replayed statement, as when it runs', () => {
    const settings = settingsWith(true);
    const hostile = { 'example.com/note': 'x\n    privileged: true' };
    // two pods record the statements, the later ones replay them: the value is refused every time
    const refusal = (st: Settings, p: Pod): string => {
      try {
        proxyOf(st, p);
      } catch (e) {
        if (isInjectionError(e)) return `${e.code} ${e.subject}: ${e.message}`;
        throw e;
      }
      return 'injected';
    };
    const expected = refusal(settingsWith(false), pod(0, { app: 'same' }, hostile));
    assert.match(expected, /^TEMPLATE_(RENDER|UNSAFE_VALUE) annotation example.com\/note: /);
    for (let n = 0; n < 6; n++) {
      assert.equal(refusal(settings, pod(n, { app: 'same' }, hostile)), expected, `pod ${n}`);
      // a benign note in between: the statement is recorded with it, and replayed only for that value
      assert.equal(proxyOf(settings, pod(100 + n, { app: 'same' }, { 'example.com/note': 'fine' })).env?.[0]?.value, 'fine');
    }
  });
});
