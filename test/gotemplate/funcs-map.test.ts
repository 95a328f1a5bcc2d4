// The function map as templates meet it (no Go needed): Istio's shipped templates name only functions it
// has, one it lacks fails to parse as in Go, and pod values nested in data print as their contents.
import { strict as assert } from 'node:assert';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { istioTemplateFunctions } from '../../src/core/gotemplate/funcs/index.ts';
import { parseGoTemplates } from '../../src/core/gotemplate/index.ts';
import { Tainted } from '../../src/core/gotemplate/value.ts';

const CHART_FILES = '/root/go/pkg/mod/istio.io/istio@v0.0.0-20260827124520-eed52ebb66ad/manifests/charts/istio-control/istio-discovery/files';

describe('the template function map istiod gives', () => {
  const fns = istioTemplateFunctions(() => undefined);

  it('has every function the templates of Istio’s chart call', function () {
    if (!existsSync(CHART_FILES)) this.skip();
    const templates = readdirSync(CHART_FILES).filter((f) => f.endsWith('.yaml') && !f.startsWith('profile-'));
    assert.ok(templates.length >= 8, `only ${templates.length} templates found`);
    for (const f of templates) parseGoTemplates(f, readFileSync(join(CHART_FILES, f), 'utf8'), { functions: Object.keys(fns) });
  });

  it('leaves out clock, random and OS functions, so a template naming one fails to parse as in Go', () => {
    for (const name of ['now', 'randAlpha', 'uuidv4', 'expandenv', 'getHostByName', 'date']) {
      assert.equal(fns[name], undefined, name);
      assert.throws(() => parseGoTemplates('t', `{{ ${name} }}`, { functions: Object.keys(fns) }), new RegExp(`function "${name}" not defined`));
    }
  });

  it('marks encoders as serializing their argument and layout functions as preserving it, for the taint check', () => {
    for (const name of ['toJson', 'toJSON', 'toYaml', 'structToJSON', 'protoToJSON', 'toJsonMap', 'toRawJson', 'quote', 'squote'])
      assert.equal(fns[name]!.taint, 'serializes', name);
    for (const name of ['indent', 'nindent', 'trim']) assert.equal(fns[name]!.taint, 'preserves', name);
    for (const name of ['trunc', 'replace', 'upper', 'b64enc']) assert.equal(fns[name]!.taint, undefined, name);
  });

  it('gives keys and values in sorted key order (Go’s order is random; sorted is one of its outcomes)', () => {
    const m = { b: 2, a: 1, c: null };
    assert.equal(fns.toJson!.call(fns.keys!.call(m, { d: 4 })), '["a","b","c","d"]');
    assert.equal(fns.toJson!.call(fns.values!.call(m)), '[1,2,null]');
  });

  it('prints and encodes a pod’s value nested in template data as its contents', () => {
    const nested = { z: new Tainted({ b: 'x', a: '<y>' }), list: [new Tainted('p'), 'q'] };
    assert.equal(fns.toJson!.call(nested), '{"list":["p","q"],"z":{"a":"\\u003cy\\u003e","b":"x"}}');
    assert.equal(fns.quote!.call(new Tainted('a"b')), '"a\\"b"');
    assert.equal(fns.join!.call(',', [new Tainted('p'), 'q']), 'p,q');
    assert.equal(fns.toYaml!.call(nested), 'list:\n- p\n- q\nz:\n  a: <y>\n  b: x\n');
  });
});
