// The admission patch: the same operations fast-json-patch's compare makes, without its copies, and a
// patch that takes the original to the injected pod.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import jsonpatch from 'fast-json-patch';
import { applyPatch, createPatch } from '../../src/core/patch.ts';

// JSON trees with the edits an injection makes: keys added, removed and changed, list items inserted,
// dropped and replaced, scalars turned into objects, keys with '/' and '~'
const key = fc.oneof(fc.constantFrom('a', 'b', 'name', 'env', 'x/y', 'm~n', '0', ''), fc.string({ maxLength: 4 }));
const tree = fc.letrec((tie) => ({
  node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, tie('leaf'), tie('obj'), tie('arr')),
  leaf: fc.oneof(fc.constant(null), fc.boolean(), fc.integer({ min: -3, max: 3 }), fc.constantFrom('', 'v', 'w')),
  obj: fc.dictionary(key, tie('node'), { maxKeys: 5, noNullPrototype: true }),
  arr: fc.array(tie('node'), { maxLength: 5 }),
})).node;
const rootPair = fc.tuple(
  fc.dictionary(key, tree, { maxKeys: 6, noNullPrototype: true }),
  fc.dictionary(key, tree, { maxKeys: 6, noNullPrototype: true }),
);

describe('admission patch', () => {
  it('makes exactly the operations fast-json-patch compare makes, for any two JSON documents', () => {
    fc.assert(
      fc.property(rootPair, ([before, after]) => {
        assert.deepEqual(createPatch(before, after), jsonpatch.compare(before, after));
      }),
      { numRuns: 2000 },
    );
  });

  it('takes the original document to the new one when applied', () => {
    fc.assert(
      fc.property(rootPair, ([before, after]) => {
        assert.deepEqual(applyPatch(before, createPatch(before, after)), after);
      }),
      { numRuns: 1000 },
    );
  });

  it('skips a shared subtree without reading it, so the patch costs what changed, not the pod size', () => {
    const env = Array.from({ length: 5000 }, (_, i) => ({ name: `E${i}`, value: String(i) }));
    let reads = 0;
    const watched = new Proxy(env, {
      get: (t, p, r) => {
        reads++;
        return Reflect.get(t, p, r);
      },
    });
    const before = { spec: { containers: [{ name: 'app', env: watched }] } };
    const after = { spec: { containers: [{ name: 'app', env: watched }, { name: 'istio-proxy' }] } };
    assert.deepEqual(createPatch(before, after), [{ op: 'add', path: '/spec/containers/1', value: { name: 'istio-proxy' } }]);
    assert.equal(reads, 0);
  });

  it('applies without editing the document or the patch it was given', () => {
    const before = { metadata: { annotations: { a: '1' } } };
    const ops = createPatch(before, { metadata: { annotations: { a: '1', b: '2' } } });
    const after = applyPatch(before, ops) as { metadata: { annotations: Record<string, string> } };
    after.metadata.annotations.b = 'changed';
    assert.deepEqual(before, { metadata: { annotations: { a: '1' } } });
    assert.deepEqual(ops, [{ op: 'add', path: '/metadata/annotations/b', value: '2' }]);
  });
});
