// The template helpers that compute what Istio's template computes in Go (template.go): same input, same string.
import assert from 'node:assert/strict';
import { appendMultusNetwork, directory } from '../../src/core/render/istio-funcs.ts';

describe("template helpers: Istio's appendMultusNetwork and directory", () => {
  const NET = 'default/istio-cni';

  it('adds the network to a comma list or a JSON list, once', () => {
    assert.equal(appendMultusNetwork(undefined, NET), NET);
    assert.equal(appendMultusNetwork('', NET), NET);
    assert.equal(appendMultusNetwork('alt_cni', NET), 'alt_cni, default/istio-cni');
    assert.equal(appendMultusNetwork('alt_cni, default/istio-cni ', NET), 'alt_cni, default/istio-cni ');
    assert.equal(appendMultusNetwork('[{"name": "a"}]', NET), '[{"name": "a"}, {"name": "istio-cni", "namespace": "default"}]');
    assert.equal(appendMultusNetwork('[{"name": "a"}]', 'istio-cni'), '[{"name": "a"}, {"name": "istio-cni"}]');
    const present = '[{"name": "istio-cni", "namespace": "default"}]';
    assert.equal(appendMultusNetwork(present, NET), present);
  });

  it('leaves a value with a "]" that is not a JSON list of objects as it is', () => {
    for (const v of ['[{"name": ]', '["a"]', '{"name": "x"}]', '[1]']) assert.equal(appendMultusNetwork(v, NET), v);
  });

  it("directory keeps the trailing slash, as Go's path.Split", () => {
    assert.equal(directory('/etc/ls/ca.pem'), '/etc/ls/');
    assert.equal(directory('ca.pem'), '');
    assert.equal(directory('/etc/ls/'), '/etc/ls/');
    assert.equal(directory(undefined), '');
  });
});
