import assert from 'node:assert/strict';
import { mergeMap } from '../../src/core/merge.ts';

const names = (l: unknown) => (l as Array<{ name?: string; mountPath?: string }>).map((x) => x.name ?? x.mountPath);

describe('strategic merge of rendered templates into pods', () => {
  it('merges containers by name: patch fields win, other fields stay', () => {
    const pod = { spec: { containers: [{ name: 'app', image: 'a', tty: true }] } };
    const out = mergeMap(pod, { spec: { containers: [{ name: 'app', image: 'b' }] } }) as any;
    assert.deepEqual(out.spec.containers, [{ name: 'app', image: 'b', tty: true }]);
  });

  it('puts new items from the patch before the ones only the pod has, as Kubernetes does', () => {
    const pod = { spec: { volumes: [{ name: 'data', hostPath: { path: '/d' } }] } };
    const out = mergeMap(pod, { spec: { volumes: [{ name: 'istio-envoy' }, { name: 'istio-data' }] } }) as any;
    assert.deepEqual(names(out.spec.volumes), ['istio-envoy', 'istio-data', 'data']);
  });

  it("keeps the pod's relative order for items it shares with the patch", () => {
    const pod = { spec: { containers: [{ name: 'a' }, { name: 'b' }, { name: 'c' }] } };
    const out = mergeMap(pod, { spec: { containers: [{ name: 'c', x: 1 }, { name: 'new' }] } }) as any;
    assert.deepEqual(names(out.spec.containers), ['a', 'b', 'c', 'new']);
  });

  it('merges env by name, volumeMounts by mountPath and ports by containerPort', () => {
    const pod = {
      spec: {
        containers: [
          {
            name: 'p',
            env: [{ name: 'A', value: '1' }],
            volumeMounts: [{ name: 'v', mountPath: '/x' }],
            ports: [{ containerPort: 80, name: 'http' }],
          },
        ],
      },
    };
    const out = mergeMap(pod, {
      spec: {
        containers: [
          {
            name: 'p',
            env: [
              { name: 'A', value: '2' },
              { name: 'B', value: '3' },
            ],
            volumeMounts: [{ name: 'w', mountPath: '/x' }],
            ports: [{ containerPort: 80, protocol: 'TCP' }],
          },
        ],
      },
    }) as any;
    const c = out.spec.containers[0];
    assert.deepEqual(c.env, [
      { name: 'A', value: '2' },
      { name: 'B', value: '3' },
    ]);
    assert.deepEqual(c.volumeMounts, [{ name: 'w', mountPath: '/x' }]);
    assert.deepEqual(c.ports, [{ containerPort: 80, name: 'http', protocol: 'TCP' }]);
  });

  it('replaces lists without a merge key (args, command) and scalars', () => {
    const pod = { spec: { containers: [{ name: 'p', args: ['a', 'b'], command: ['x'] }] } };
    const out = mergeMap(pod, { spec: { containers: [{ name: 'p', args: ['c'] }] } }) as any;
    assert.deepEqual(out.spec.containers[0], { name: 'p', args: ['c'], command: ['x'] });
  });

  it('deletes a field set to null and honours $patch: delete and $patch: replace', () => {
    const pod = {
      metadata: { annotations: { a: '1', b: '2' } },
      spec: { volumes: [{ name: 'x' }, { name: 'y' }], securityContext: { runAsUser: 1, fsGroup: 2 } },
    };
    const out = mergeMap(pod, {
      metadata: { annotations: { a: null } },
      spec: { volumes: [{ name: 'x', $patch: 'delete' }], securityContext: { $patch: 'replace', runAsUser: 5 } },
    }) as any;
    assert.deepEqual(out.metadata.annotations, { b: '2' });
    assert.deepEqual(names(out.spec.volumes), ['y']);
    assert.deepEqual(out.spec.securityContext, { runAsUser: 5 });
  });

  it('does not modify its inputs', () => {
    const pod = { spec: { containers: [{ name: 'a', env: [{ name: 'X', value: '1' }] }] } };
    const patch = { spec: { containers: [{ name: 'a', env: [{ name: 'X', value: '2' }] }] } };
    const before = JSON.stringify([pod, patch]);
    mergeMap(pod, patch);
    assert.equal(JSON.stringify([pod, patch]), before);
  });
});
