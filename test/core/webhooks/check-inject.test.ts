import assert from 'node:assert/strict';
import { checkInject, checkInjectTable } from '../../../src/core/webhooks/check-inject.ts';
import { builtInEntries } from '../../../src/core/webhooks/entries.ts';

const entries = builtInEntries(undefined);

describe('check-inject table (istioctl x check-inject)', () => {
  it('marks the one entry that injects a pod of an istio-injection=enabled namespace, with the label that matched', () => {
    const r = checkInject({ namespace: 'shop', namespaceLabels: { 'istio-injection': 'enabled' }, podLabels: {}, entries });
    const hits = r.rows.filter((x) => x.injected);
    assert.equal(hits.length, 1);
    assert.match(hits[0]!.reason, /namespace istio-injection=enabled.* matches/);
    assert.match(r.verdict, /^injected by sidecar-injector\//);
    const table = checkInjectTable(r);
    assert.match(table.split('\n')[0]!, /^WEBHOOK\s+REVISION\s+INJECTED\s+REASON$/);
    assert.match(table, /✔/);
  });

  it('says no webhook injects a pod that opts out, naming the pod label each entry looked at', () => {
    const r = checkInject({
      namespace: 'shop',
      namespaceLabels: { 'istio-injection': 'enabled' },
      podLabels: { 'sidecar.istio.io/inject': 'false' },
      entries,
    });
    assert.ok(r.rows.every((x) => !x.injected));
    assert.ok(r.rows.some((x) => x.reason.startsWith('pod sidecar.istio.io/inject=false: no match for')));
    assert.equal(r.verdict, 'no webhook would inject the sidecar');
  });

  it('warns when two entries would inject the same pod', () => {
    const twice = [...entries, ...entries.map((e) => ({ ...e, configuration: 'zz-copy' }))];
    const r = checkInject({ namespace: 'shop', namespaceLabels: { 'istio-injection': 'enabled' }, podLabels: {}, entries: twice });
    assert.match(r.verdict, /2 webhooks would inject it .*injected twice/);
  });
});
