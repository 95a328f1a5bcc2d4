// --set, --set-string and --set-file parse as Helm's strvals parses them.
import assert from 'node:assert/strict';
import { applySet, parseOverride, parseSetExpression, typedValue } from '../../src/core/settings/set-flags.ts';

const assignments = (expr: string, typed = true) => parseSetExpression(expr, typed).map((s) => [s.target, s.path, s.value]);

describe('--set as Helm parses it', () => {
  it('splits on commas: two keys in one --set', () => {
    assert.deepEqual(assignments('values.global.hub=gcr.io/x,values.global.tag=1.2'), [
      ['values', ['global', 'hub'], 'gcr.io/x'],
      ['values', ['global', 'tag'], '1.2'],
    ]);
  });

  it('keeps an escaped comma, and an escaped dot inside a key', () => {
    assert.deepEqual(assignments('values.global.proxy.excludeIPRanges=10.0.0.0/8\\,192.168.0.0/16'), [
      ['values', ['global', 'proxy', 'excludeIPRanges'], '10.0.0.0/8,192.168.0.0/16'],
    ]);
    assert.deepEqual(assignments('values.sidecarInjectorWebhook.injectedAnnotations.sidecar\\.istio\\.io/x=y'), [
      ['values', ['sidecarInjectorWebhook', 'injectedAnnotations', 'sidecar.istio.io/x'], 'y'],
    ]);
  });

  it('reads list indexes, nested ones and maps inside list elements', () => {
    assert.deepEqual(assignments('values.global.imagePullSecrets[0]=regcred'), [['values', ['global', 'imagePullSecrets', 0], 'regcred']]);
    assert.deepEqual(assignments('mesh.a[1].b[2]=x'), [['mesh', ['a', 1, 'b', 2], 'x']]);
  });

  it('reads {a,b} as a list, and goes on after it', () => {
    assert.deepEqual(assignments('values.x={a,b},values.y=1'), [
      ['values', ['x'], ['a', 'b']],
      ['values', ['y'], 1],
    ]);
    assert.deepEqual(assignments('values.x={}'), [['values', ['x'], []]]);
  });

  it("types values as Helm's typedVal: booleans and null in any case, integers not starting with 0", () => {
    assert.deepEqual(['true', 'FALSE', 'Null', '0', '15021', '-3', '+7', '007', '1.2', '1e3', '99999999999999999999', ''].map(typedValue), [
      true,
      false,
      null,
      0,
      15021,
      -3,
      7,
      '007',
      '1.2',
      '1e3',
      '99999999999999999999',
      '',
    ]);
  });

  it('--set-string keeps every value a string', () => {
    assert.deepEqual(assignments('values.global.tag=1,values.x={true,2}', false), [
      ['values', ['global', 'tag'], '1'],
      ['values', ['x'], ['true', '2']],
    ]);
  });

  it('--set-file takes the text as it is', () => {
    const [s] = parseOverride({ key: 'values.sidecarInjectorWebhook.templates.custom', text: 'a,b=c\n' });
    assert.deepEqual([s!.target, s!.path, s!.value], ['values', ['sidecarInjectorWebhook', 'templates', 'custom'], 'a,b=c\n']);
  });

  for (const [expr, message] of [
    ['values.x', /want KEY=VALUE/],
    ['values.x=1,values.y', /want KEY=VALUE/],
    ['values.x[a]=1', /a list index must be a number/],
    ['values.x={a,b', /needs its closing \}/],
    ['other.x=1', /must start with values\., mesh\. or config\./],
    ['values.__proto__.x=1', /invalid --set key/],
  ] as const) {
    it(`refuses ${expr}, saying why`, () => assert.throws(() => parseSetExpression(expr), message));
  }

  it('applySet creates lists (filled with null) and maps on the way, leaving the input alone', () => {
    const doc = { global: { hub: 'h' } };
    assert.deepEqual(applySet(doc, ['global', 'imagePullSecrets', 1], 'b'), { global: { hub: 'h', imagePullSecrets: [null, 'b'] } });
    assert.deepEqual(applySet(undefined, ['a', 0, 'b'], 1), { a: [{ b: 1 }] });
    assert.deepEqual(doc, { global: { hub: 'h' } });
  });
});
