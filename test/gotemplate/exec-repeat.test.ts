// A template is compiled once per configuration load and run for every pod, so whatever a run remembers
// (a field chain under frozen settings read once per receiver, a pod value's fields handed out once) must
// never leak into the next run or into another receiver at the same place in the template.
import assert from 'node:assert/strict';
import { istioTemplateFunctions } from '../../src/core/gotemplate/funcs/index.ts';
import { compileGoTemplates } from '../../src/core/gotemplate/index.ts';
import { type GoValue, Tainted } from '../../src/core/gotemplate/value.ts';
import { deepFreeze } from '../../src/core/types.ts';

const functions = istioTemplateFunctions(() => undefined);
const compile = (text: string) => compileGoTemplates('t', text, functions);
const frozen = (b: string) => deepFreeze({ a: { b } }) as GoValue;

describe('Go template executor: a compiled template run again', () => {
  it("reads each run's own frozen values at the same chain", () => {
    const t = compile('{{ .V.a.b }}|{{ .V.a.b }}');
    assert.equal(t.execute('t', { V: frozen('one') }).text, 'one|one');
    assert.equal(t.execute('t', { V: frozen('two') }).text, 'two|two');
    assert.equal(t.execute('t', { V: frozen('one') }).text, 'one|one');
  });

  it('reads each item of a range, frozen or not, at a chain inside it', () => {
    const t = compile('{{ range .L }}{{ .V.a.b }},{{ end }}');
    const items = [{ V: frozen('1') }, { V: frozen('2') }, { V: { a: { b: '3' } } }, { V: frozen('1') }];
    assert.equal(t.execute('t', { L: items }).text, '1,2,3,1,');
  });

  it('reads data that changed between runs when it is not frozen', () => {
    const t = compile('{{ .V.a.b }}');
    const v = { a: { b: 'before' } };
    assert.equal(t.execute('t', { V: v }).text, 'before');
    v.a.b = 'after';
    assert.equal(t.execute('t', { V: v }).text, 'after');
  });

  it('fails as before when a frozen chain is given an argument, and reads again afterwards', () => {
    const t = compile('{{ if .Arg }}{{ "x" | .V.a.b }}{{ else }}{{ .V.a.b }}{{ end }}');
    assert.equal(t.execute('t', { V: frozen('ok') }).text, 'ok');
    assert.throws(() => t.execute('t', { V: frozen('ok'), Arg: true }), /b is not a method but has arguments/);
    assert.equal(t.execute('t', { V: frozen('next') }).text, 'next');
  });

  it("marks each run's pod values where they are printed, read through the same fields twice", () => {
    const t = compile('{{ .ObjectMeta.Labels.app }}-{{ .ObjectMeta.Labels.app }}');
    for (const name of ['web', 'api-server']) {
      const r = t.execute('t', { ObjectMeta: new Tainted({ Labels: { app: name } }, undefined, { key: 'ObjectMeta' }) });
      assert.equal(r.text, `${name}-${name}`);
      assert.deepEqual(
        r.tainted.map((s) => [s.start, s.end, s.source]),
        [
          [0, name.length, 'label app'],
          [name.length + 1, 2 * name.length + 1, 'label app'],
        ],
      );
    }
  });

  it('calls a function again when its arguments from frozen data differ between runs', () => {
    const t = compile('{{ .V.a.b | upper | printf "%s-%s" "x" }}');
    assert.equal(t.execute('t', { V: frozen('one') }).text, 'x-ONE');
    assert.equal(t.execute('t', { V: frozen('two') }).text, 'x-TWO');
  });

  it('gives each run a new map from a call with the same constant arguments, whatever the last run did to it', () => {
    const t = compile('{{ $d := dict "a" "1" }}{{ if .X }}{{ $_ := set $d "k" "x" }}{{ end }}{{ len $d }}');
    assert.equal(t.execute('t', { X: true }).text, '2');
    assert.equal(t.execute('t', { X: false }).text, '1');
  });

  it('fails every time a call with the same constant arguments fails', () => {
    const t = compile('{{ index .V.l 5 }}');
    const list = (...l: string[]) => deepFreeze({ l }) as GoValue;
    for (let i = 0; i < 2; i++) assert.throws(() => t.execute('t', { V: list('a', 'b') }), /error calling index: index out of range: 5/);
    assert.equal(t.execute('t', { V: list('a', 'b', 'c', 'd', 'e', 'f') }).text, 'f');
  });
});

describe('Go template functions: string lengths and trims', () => {
  it("len counts a string's UTF-8 bytes as the UTF-8 it becomes, lone surrogates as U+FFFD", () => {
    const strings = ['', 'checkout-0042', 'é', '€', '😀', 'a\ud800b', '\ud800é', '\udc00\ud800', 'x\ud83d'];
    const t = compile('{{ len .S }}');
    for (const str of strings) assert.equal(t.execute('t', { S: str }).text, String(new TextEncoder().encode(str).length), JSON.stringify(str));
  });

  it('trimAll drops the cutset at both ends, with and without characters outside the BMP', () => {
    const t = compile('{{ trimAll .C .S }}');
    assert.equal(t.execute('t', { C: '-_.', S: '.-checkout-0042_-' }).text, 'checkout-0042');
    assert.equal(t.execute('t', { C: '😀-', S: '😀-a😀b-😀' }).text, 'a😀b');
    assert.equal(t.execute('t', { C: '', S: '-a-' }).text, '-a-');
  });
});
