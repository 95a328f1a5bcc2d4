// The injector config read as istiod reads it (checked against istiod's handler): unknown fields dropped,
// field names matched without regard to case (the last in byte order winning), never/always selectors
// that Kubernetes refuses skipped. Each such reading loads, with a warning naming the key.
import assert from 'node:assert/strict';
import { readTemplatesDir } from '../../src/config/files.ts';
import { decide } from '../../src/core/decide.ts';
import { buildSettings } from '../../src/core/settings/index.ts';

const templates = readTemplatesDir();
const load = (config: string, values?: string) => buildSettings({ templates, config, values, nativeSidecars: 'false' });
const injects = (s: ReturnType<typeof load>, labels: Record<string, string>) => decide({ namespace: 'apps', labels, config: s.config }).inject;

describe("settings read as istiod's YAML reader reads them", () => {
  it('ignores an unknown field, with a warning naming it', () => {
    const s = load('polcy: disabled');
    assert.equal(s.config.policy, 'enabled');
    assert.deepEqual(s.warnings, ['config.polcy: unknown field, ignored as Istio ignores it']);
  });

  it('matches field names without regard to case; of two spellings the last in byte order wins', () => {
    const s = load('Policy: disabled');
    assert.equal(s.config.policy, 'disabled');
    assert.match(s.warnings.join('\n'), /config\.Policy: read as policy/);
    assert.equal(load('policy: enabled\nPolicy: disabled').config.policy, 'enabled', 'istiod: "Policy" < "policy", so policy wins');
    assert.equal(load('Policy: disabled\npolicy: enabled').config.policy, 'enabled', 'whatever the document order');
  });

  it('reads a key given twice as istiod does: the last one, with a warning naming the line', () => {
    const s = load('policy: enabled\npolicy: disabled');
    assert.equal(s.config.policy, 'disabled');
    assert.deepEqual(s.warnings, ['config: a key is given twice (line 2); the last one is read, as Istio reads it']);
  });

  it('reads selectors the same way: MatchLabels and Key count, a misspelt matchLabel leaves a selector that matches nothing', () => {
    const s = load(
      [
        'neverInjectSelector:',
        '- MatchLabels: {team: batch}',
        '- matchLabel: {team: x}',
        '- matchExpressions: [{Key: tier, operator: Exists, valu: [a]}]',
      ].join('\n'),
    );
    assert.equal(injects(s, { team: 'batch' }), false);
    assert.equal(injects(s, { tier: 'q' }), false);
    assert.equal(injects(s, { team: 'x' }), true, 'the misspelt field is dropped: an empty selector never matches');
    const w = s.warnings.join('\n');
    assert.match(w, /config\.neverInjectSelector\[1\]\.matchLabel: unknown field/);
    assert.match(w, /config\.neverInjectSelector\[2\]\.matchExpressions\[0\]\.valu: unknown field/);
  });

  it("names the values' selectors when those are the ones read", () => {
    const s = load('', JSON.stringify({ sidecarInjectorWebhook: { alwaysInjectSelector: [{ matchExpressions: [{ key: 'a', operator: 'In' }] }] } }));
    assert.deepEqual(s.config.alwaysInjectSelector, []);
    assert.match(s.warnings.join('\n'), /values\.sidecarInjectorWebhook\.alwaysInjectSelector\[0\] is not a valid label selector.*In needs values/);
  });

  it('still refuses what istiod cannot read at all: a selector of the wrong shape', () => {
    assert.throws(() => load('neverInjectSelector: {team: x}'), /config\.neverInjectSelector: must be a list of label selectors/);
    assert.throws(() => load('neverInjectSelector: [{matchLabels: {team: 1}}]'), /config\.neverInjectSelector\[0\]\.matchLabels/);
  });

  it('lists at most 20 warnings, and how many more there are', () => {
    const s = load(Array.from({ length: 30 }, (_, i) => `unknown${String(i).padStart(2, '0')}: x`).join('\n'));
    assert.equal(s.warnings.length, 21);
    assert.equal(s.warnings[20], '... and 10 more warnings');
  });
});
