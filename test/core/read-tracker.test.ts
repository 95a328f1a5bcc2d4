import assert from 'node:assert/strict';
import { injectPod } from '../../src/core/inject.ts';
import { compileReads, sameReads, shapeOf, trackReads } from '../../src/core/render/read-tracker.ts';
import { deepFreeze } from '../../src/core/types.ts';
import type { Pod } from '../../src/core/types.ts';
import { defaultSettings } from '../helpers/settings.ts';

describe('reusing renders: the reads a template made decide', () => {
  it('records values, key sets and presence checks, and matches only data that answers them the same', () => {
    const data = { a: { b: 1, c: [1, 2] }, m: { x: '1' }, unread: 'u' };
    const t = trackReads(data);
    const d = t.data as typeof data;
    void d.a.b;
    void d.a.c.length;
    void Object.keys(d.m);
    void Object.hasOwn(d.a, 'zzz');
    const reads = compileReads(t.reads()!);
    assert.ok(sameReads(reads, { ...data, unread: 'other' }), 'an unread field does not matter');
    assert.ok(!sameReads(reads, { ...data, a: { ...data.a, b: 2 } }), 'a read value does');
    assert.ok(!sameReads(reads, { ...data, a: { ...data.a, c: [1, 2, 3] } }), 'a read length does');
    assert.ok(!sameReads(reads, { ...data, m: { x: '1', y: '2' } }), 'a listed key set does');
    assert.ok(!sameReads(reads, { ...data, a: { ...data.a, zzz: 1 } }), 'a presence check does');
    assert.ok(!sameReads(reads, { ...data, a: 'now a string' }), 'a change of type does');
    assert.throws(() => {
      (t.data as Record<string, unknown>).unread = 'x';
    }, /read-only/);
    assert.throws(() => {
      deepFreeze({ a: [{ b: 1 }] }).a[0]!.b = 2;
    }, TypeError);
  });

  it('records a frozen object by identity, reads nothing below it, and takes only that very object again', () => {
    // a getter frozen into the settings counts how often it is read, while rendering and while matching
    let levelReads = 0;
    const proxy = Object.defineProperty({ ports: [15001, 15006] }, 'level', {
      enumerable: true,
      get: () => {
        levelReads++;
        return 'info';
      },
    });
    const settings = deepFreeze({ proxy });
    const t = trackReads({ values: settings, pod: { name: 'a' } });
    const d = t.data as { values: { proxy: { level: string; ports: number[] } }; pod: { name: string } };
    assert.equal(d.values, settings, 'handed over as it is, not through a proxy');
    assert.equal(d.values.proxy.level, 'info');
    void d.values.proxy.ports.length;
    void d.pod.name;
    assert.deepEqual(
      t.reads()!.map((r) => r.path.join('.')),
      ['values', 'pod', 'pod.name'],
      'nothing below the frozen object is recorded',
    );
    const reads = compileReads(t.reads()!);
    levelReads = 0;
    assert.ok(sameReads(reads, { values: settings, pod: { name: 'a' } }), 'the same frozen settings');
    assert.equal(levelReads, 0, 'found again by identity: not read');
    assert.ok(
      !sameReads(reads, { values: deepFreeze({ proxy: { level: 'info', ports: [15001, 15006] } }), pod: { name: 'a' } }),
      'another frozen object, even an equal one, is other data',
    );
    assert.ok(!sameReads(reads, { values: { proxy: { level: 'info', ports: [15001, 15006] } }, pod: { name: 'a' } }), 'and so is a mutable one');
    assert.ok(!sameReads(reads, { values: settings, pod: { name: 'b' } }), 'the unfrozen rest is still checked');
  });

  it('shares one shape between renders that read alike, each keeping only its own answers', () => {
    const read = (app: string) => {
      const t = trackReads({ pod: { name: app, labels: { app } }, unread: app });
      const d = t.data as { pod: { name: string; labels: Record<string, string> } };
      void d.pod.name;
      void Object.keys(d.pod.labels).map((k) => d.pod.labels[k]);
      return t.reads()!;
    };
    const [a, b] = [read('a'), read('b')];
    const shared = shapeOf(a);
    assert.equal(shapeOf(b).signature, shared.signature, 'pods of one shape read alike');
    const [ra, rb] = [compileReads(a, shared), compileReads(b, shared)];
    assert.equal(rb.shape, ra.shape, "so the second is kept with the first one's shape");
    assert.ok(sameReads(ra, { pod: { name: 'a', labels: { app: 'a' } }, unread: 'x' }));
    assert.ok(!sameReads(ra, { pod: { name: 'b', labels: { app: 'b' } } }), "the answers are each render's own");
    assert.ok(sameReads(rb, { pod: { name: 'b', labels: { app: 'b' } } }));
    assert.notEqual(shapeOf(read('a').slice(1)).signature, shared.signature, 'other reads, another shape');
  });

  it('stops recording past its limit and says so, so a huge pod is read directly and never kept', () => {
    const data = { containers: Array.from({ length: 50 }, (_, i) => ({ name: `c${i}` })) };
    const small = trackReads(data, 1000);
    void (small.data as typeof data).containers.map((c) => c.name);
    assert.ok(small.reads()!.length > 50, 'under the limit every read is kept');
    const big = trackReads(data, 20);
    const names = (big.data as typeof data).containers.map((c) => c.name);
    assert.deepEqual(
      names,
      data.containers.map((c) => c.name),
      'reads still answer',
    );
    assert.equal(big.reads(), undefined);
  });

  it('gives every pod its own result although renders are reused between pods', () => {
    const settings = defaultSettings({ native: 'false' });
    const pod = (level: string, sa: string, ports: number[]): Pod => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { generateName: 'web-', annotations: { 'sidecar.istio.io/logLevel': level } },
      spec: {
        serviceAccountName: 'default',
        volumes: [{ name: `kube-api-access-${sa}` }],
        containers: [{ name: 'web', image: 'w', ports: ports.map((p) => ({ containerPort: p })) }],
      },
    });
    const argsOf = (p: Pod) => {
      const r = injectPod(p, { settings, namespace: 'n' });
      const proxy = r.pod.spec.containers.find((c) => c.name === 'istio-proxy')!;
      return {
        args: proxy.args,
        ports: proxy.env!.find((e) => e.name === 'ISTIO_META_POD_PORTS')!.value,
        volumes: r.pod.spec.volumes!.map((v) => v.name),
      };
    };
    const a = argsOf(pod('debug', 'aaaaa', [80]));
    const b = argsOf(pod('debug', 'bbbbb', [80])); // differs only where the template does not look
    const c = argsOf(pod('info', 'ccccc', [80, 81]));
    const d = argsOf(pod('debug', 'ddddd', [80]));
    assert.ok(a.args!.includes('--proxyLogLevel=debug') && b.args!.includes('--proxyLogLevel=debug') && d.args!.includes('--proxyLogLevel=debug'));
    assert.ok(c.args!.includes('--proxyLogLevel=info'));
    assert.match(c.ports!, /"containerPort":81/);
    assert.doesNotMatch(d.ports!, /81/);
    assert.ok(b.volumes.includes('kube-api-access-bbbbb') && !b.volumes.includes('kube-api-access-aaaaa'));
  });
});
