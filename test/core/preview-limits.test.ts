// Issue 12 rows for /preview, in-process: prototype-named and type-confused kinds pass through or are
// refused per object (never a TypeError, the 500), a preview takes at most MAX_PREVIEW_OBJECTS objects,
// and the request's budget is asked per object and ends the whole preview with BUDGET_EXCEEDED.
import assert from 'node:assert/strict';
import { parseDocuments } from '../../src/core/documents.ts';
import { InjectionError } from '../../src/core/errors.ts';
import { MAX_PREVIEW_OBJECTS } from '../../src/core/limits.ts';
import { previewObjects, type PreviewContext } from '../../src/core/preview.ts';
import { defaultSettings } from '../helpers/settings.ts';

const ctx: PreviewContext = { settings: defaultSettings(), namespace: 'apps', namespaceLabels: { 'istio-injection': 'enabled' } };
const pod = (name: string) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'app', image: 'app:1' }] } });

function refusal(f: () => unknown): InjectionError {
  try {
    f();
  } catch (e) {
    if (e instanceof InjectionError) return e;
    throw e;
  }
  assert.fail('no refusal');
}

describe('preview of hostile input', () => {
  it('passes prototype-named kinds through as kinds without a pod', () => {
    for (const kind of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf']) {
      const items = previewObjects(parseDocuments(`kind: ${kind}\nmetadata: {name: x}\n`), ctx);
      assert.equal(items.length, 1);
      assert.equal(items[0]!.inject, null);
      assert.equal(items[0]!.reason, 'NO_POD');
      assert.match(items[0]!.message, new RegExp(`kind "${kind}" has no pod`));
    }
  });

  it('answers type-confused objects and List items per item, naming what is wrong', () => {
    const list = {
      apiVersion: 'v1',
      kind: 'List',
      items: [null, 5, 'x', { kind: 5 }, { kind: 'Pod', metadata: { name: 'p', ownerReferences: 'x' }, spec: { containers: [] } }, pod('fine')],
    };
    const items = previewObjects([list], ctx);
    assert.equal(items.length, 6);
    assert.match(items[0]!.message, /List item 1 is null, not a Kubernetes object/);
    assert.match(items[2]!.message, /List item 3 is "x"/);
    assert.equal(items[3]!.reason, 'NO_POD');
    assert.match(items[3]!.message, /kind 5 has no pod/);
    assert.equal(items[4]!.error?.code, 'INVALID_OBJECT');
    assert.match(items[4]!.message, /metadata\.ownerReferences must be a list of objects/);
    assert.equal(items[5]!.inject, true);
  });

  it(`takes at most ${MAX_PREVIEW_OBJECTS} objects, promptly refusing a List of 4,000 pods naming the cap`, () => {
    const list = { apiVersion: 'v1', kind: 'List', items: Array.from({ length: 4_000 }, (_, i) => pod(`p${i}`)) };
    const started = performance.now();
    const e = refusal(() => previewObjects([list], ctx));
    assert.equal(e.code, 'LIMIT_EXCEEDED');
    assert.equal(e.subject, 'MAX_PREVIEW_OBJECTS');
    assert.match(e.message, new RegExp(`at most ${MAX_PREVIEW_OBJECTS} objects \\(the cap MAX_PREVIEW_OBJECTS\\), got 4000`));
    assert.ok(performance.now() - started < 1_000);
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } };
    assert.equal(previewObjects([{ kind: 'List', items: Array(MAX_PREVIEW_OBJECTS).fill(cm) }], ctx).length, MAX_PREVIEW_OBJECTS);
  });

  it('asks the budget per object, and ends the whole preview (not one item) when it runs out', () => {
    let asked = 0;
    const objects = [pod('a'), pod('b'), pod('c')];
    const e = refusal(() => previewObjects(objects, { ...ctx, overBudget: () => ++asked > 3 }));
    assert.equal(e.code, 'BUDGET_EXCEEDED');
    assert.match(e.message, /time budget/);
    let calls = 0;
    assert.equal(
      previewObjects(objects, {
        ...ctx,
        overBudget: () => {
          calls++;
          return false;
        },
      }).length,
      3,
    );
    assert.ok(calls >= 3);
  });

  it('refuses an object nested past MAX_NESTING_DEPTH that did not come through the parser', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    const items = previewObjects([{ ...pod('d'), extra: deep }], ctx);
    assert.equal(items[0]!.error?.code, 'LIMIT_EXCEEDED');
    assert.match(items[0]!.message, /MAX_NESTING_DEPTH/);
  });

  it('refuses a list with a named field (which no JSON list has) naming it, also when a deep value hides there', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    for (const field of ['__proto__', 'extra', '4294967295', '01']) {
      const volumes = Object.defineProperty([{ name: 'v', emptyDir: {} }], field, { value: deep, enumerable: true });
      const items = previewObjects([{ ...pod('d'), spec: { ...pod('d').spec, volumes } }], ctx);
      assert.equal(items[0]!.error?.code, 'INVALID_OBJECT');
      assert.match(items[0]!.message, new RegExp(`spec\\.volumes is a list with a field named "${field}"`));
    }
  });
});

describe('preview of a pod that brings its own istio-init', () => {
  it("answers with a note instead of failing when that container's args are not istio-iptables flags", () => {
    const own = {
      ...pod('own-init'),
      spec: { initContainers: [{ name: 'istio-init', image: 'mine:1', args: ['--no-such-flag'] }], containers: [{ name: 'app', image: 'app:1' }] },
    };
    const [item] = previewObjects([own], ctx);
    assert.equal(item!.inject, true, item!.message);
    assert.equal(item!.capture, undefined);
    assert.ok(
      item!.notes.some((n) => /capture init container's arguments cannot be read as istio-iptables flags.*no-such-flag/.test(n)),
      item!.notes.join('\n'),
    );
  });
});
