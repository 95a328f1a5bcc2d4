// The quick YAML reading (js-yaml, core/yaml-quick.ts) reads what `yaml` reads, checked against `yaml`
// itself: the same documents in a stream, the same scalar values, and the documents it cannot read the
// same way (aliases of collections, nesting past the cap, duplicate keys, bad syntax) left to `yaml`.
import assert from 'node:assert/strict';
import { parse, parseAllDocuments } from 'yaml';
import { parseDocuments } from '../../src/core/documents.ts';
import { MAX_NESTING_DEPTH } from '../../src/core/limits.ts';
import { PREVIEW_DEFAULTS, PreviewRunner } from '../../src/http/preview-runner.ts';
import { defaultSettings } from '../helpers/settings.ts';
import { documentTexts, quickValue } from '../../src/core/yaml-quick.ts';

const STREAMS = [
  '',
  '# only a comment\n',
  '# c\n---\na: 1\n',
  'a: 1\n---\n',
  '---\n---\n',
  'a: 1\n...\n',
  'a: 1\n...\nb: 2\n',
  '\n\n---\na: 1\n',
  '%YAML 1.2\n---\na: 1\n',
  'a: 1\n---\nb: 2\n...\n%TAG !e! tag:yaml.org,2002:\n---\nkind: !e!str 12\n',
  'a: 1\n--- # x\nb: 2\n',
  'a: 1\n---\n# only comment\n',
  'a: 1\r\n---\r\nb: 2\r\n',
  '--- |\n  x\n--- >\n  y\n',
  'a: 1',
  '---',
  '--- {a: 1}\n--- [1]\n',
  'a: |\n  ---x\n  ...y\n',
];

const SCALARS = [
  '0o14',
  '014',
  '0x1F',
  '1_000',
  '+1',
  '.5',
  '+.5',
  '1e3',
  '1E3',
  '6.8523015e+5',
  '.inf',
  '-.Inf',
  '.NaN',
  '~',
  'Null',
  'NULL',
  'nULL',
  'True',
  'TRUE',
  'tRUE',
  'yes',
  'on',
  '0b101',
  '1:20',
  '2025-01-01',
  '""',
  '0xFF_FF',
  '0.',
  '1.2.3',
  '08',
  '0o8',
  '-0x1F',
  '+0x1F',
  '1e',
  '.',
  '12345678901234567890',
  '-1.5',
  '1e-7',
  "'x'",
  '!!str 12',
  '"\\t"',
  'a #c',
  '|\n  x\n',
  '>\n  a\n  b\n',
];

/** What js-yaml read, or undefined (too deep, or left to `yaml`). */
const read = (text: string) => {
  const q = quickValue(text);
  return typeof q === 'object' ? q : undefined;
};

describe('the quick YAML reading', () => {
  it('splits a stream into the documents `yaml` finds, empty ones and directives as `yaml` counts them', () => {
    for (const text of STREAMS) {
      const parts = [...documentTexts(text)];
      assert.equal(parts.length, parseAllDocuments(text).length, JSON.stringify(text));
      for (const p of parts) assert.deepEqual(read(p.text)?.value ?? null, parse(p.text) ?? null, JSON.stringify(p.text));
    }
  });

  it('keeps directives with the document they precede (a %TAG handle resolves)', () => {
    assert.deepEqual(parseDocuments('kind: A\n...\n%TAG !e! tag:yaml.org,2002:\n---\nkind: !e!str 12\n'), [{ kind: 'A' }, { kind: '12' }]);
  });

  it('reads nesting up to the cap itself and stops past it, naming the cap', () => {
    const nested = (n: number) => `a: ${'['.repeat(n)}${']'.repeat(n)}\n`;
    assert.ok(quickValue(nested(MAX_NESTING_DEPTH - 1)) !== undefined, 'the deepest legal document is read by js-yaml, not `yaml`');
    assert.equal(quickValue(nested(MAX_NESTING_DEPTH)), 'too-deep');
    assert.throws(() => parseDocuments(nested(MAX_NESTING_DEPTH)), /document 1 nests more than 256 levels deep \(the cap MAX_NESTING_DEPTH\)/);
  });

  it('says on which line each document starts', () => {
    assert.deepEqual(
      [...documentTexts('a: 1\n---\nb: 2\n\n--- c\n')].map((p) => p.line),
      [1, 2, 5],
    );
  });

  it('resolves plain and quoted scalars as `yaml` does (YAML 1.2 core: `0b101` and `-0x1F` stay strings, `+.5` is a number)', () => {
    for (const s of SCALARS) {
      const text = `k: ${s}\n`;
      const quick = read(text);
      assert.ok(quick, `${s}: left to yaml`);
      assert.ok(Object.is((quick.value as { k: unknown }).k, parse(text).k), s);
    }
  });

  it('leaves to `yaml` what it would read otherwise: aliases of collections, duplicate keys, bad syntax', () => {
    assert.equal(quickValue('a: &x {b: 1}\nc: *x\n'), undefined);
    assert.equal(quickValue('a: 1\na: 2\n'), undefined);
    assert.equal(quickValue('a: [1\n'), undefined);
    assert.deepEqual(quickValue('a: &x 1\nb: *x\n'), { value: { a: 1, b: 1 } }, 'an alias of a scalar reads the same in both');
    // and `yaml` then reads them, counting aliases against MAX_YAML_ALIASES as before
    assert.deepEqual(parseDocuments('a: &x {b: 1}\nc: *x\n'), [{ a: { b: 1 }, c: { b: 1 } }]);
  });

  it("previews a List of 250 pods written as YAML (3.6 MB) within the preview worker's 64 MB heap, as the same List in JSON", async function () {
    this.timeout(60_000);
    const env = Array.from({ length: 60 }, (_, e) => `      - {name: E${e}, value: "${'v'.repeat(100)}"}\n`).join('');
    const pod = (i: number) =>
      `- apiVersion: v1\n  kind: Pod\n  metadata:\n    name: app${i}\n    labels: {app: app${i}, version: v1}\n  spec:\n    containers:\n` +
      [0, 1].map((c) => `    - name: c${c}\n      image: app:1\n      env:\n${env}`).join('');
    const text = `apiVersion: v1\nkind: List\nitems:\n${Array.from({ length: 250 }, (_, i) => pod(i)).join('')}`;
    assert.ok(text.length > 3_500_000, `${text.length} bytes`);
    const runner = new PreviewRunner(PREVIEW_DEFAULTS);
    try {
      const input = { namespace: 'apps', namespaceLabels: { 'istio-injection': 'enabled' }, namespaceLabelsSource: 'query' as const };
      const outcome = await runner.run(defaultSettings(), {
        ...input,
        body: Buffer.from(text),
        nodes: undefined,
        proxyConfigs: undefined,
        webhooks: undefined,
      });
      assert.ok(outcome.ok, outcome.ok ? '' : `${outcome.error.code}: ${outcome.error.message}`);
      const items = JSON.parse(outcome.answer.toString('utf8')).items as Array<{ inject: boolean }>;
      assert.equal(items.length, 250);
      assert.ok(items.every((it) => it.inject));
    } finally {
      runner.close();
    }
  });
});
