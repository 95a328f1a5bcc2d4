// Parsing costs linear time and stops at explicit caps, each refusal an InjectionError naming its cap
// (issue 12: 6 MiB of `---`, a 16k-key mapping, 100k-deep nesting and alias bombs froze or crashed it).
import assert from 'node:assert/strict';
import { parseDocuments } from '../../src/core/documents.ts';
import { InjectionError } from '../../src/core/errors.ts';
import { MAX_DOCUMENTS, MAX_NESTING_DEPTH, MAX_OBJECTS, MAX_YAML_ALIASES } from '../../src/core/limits.ts';

/** The InjectionError parsing `text` throws (anything else fails the test). */
function refusal(text: string): InjectionError {
  try {
    parseDocuments(text, 'body');
  } catch (e) {
    if (e instanceof InjectionError) return e;
    throw e;
  }
  assert.fail('parsed without a refusal');
}

const BOMB = [
  'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
  ...'bcdefgh'.split('').map((k, i) => {
    const prev = 'abcdefgh'[i]!;
    return `${k}: &${k} [${Array(9).fill(`*${prev}`).join(',')}]`;
  }),
].join('\n');

describe('parsing documents within caps', () => {
  it('names a duplicate key and its line, in YAML and in JSON', () => {
    const y = refusal('kind: Pod\nmetadata:\n  name: a\n  labels: {}\n  name: b\n');
    assert.equal(y.code, 'INVALID_OBJECT');
    assert.match(y.message, /line 5\).*duplicate key "name"/);
    assert.match(refusal('{"kind": "Pod",\n "kind": "Service"}').message, /line 2\).*duplicate key "kind"/);
    assert.deepEqual(parseDocuments('a: 1\nb: {a: 1}\nc: [{a: 1}, {a: 2}]\n'), [{ a: 1, b: { a: 1 }, c: [{ a: 1 }, { a: 2 }] }]);
  });

  it('finds duplicates in a JSON object (its fast path) through escapes, strings holding braces and nesting', () => {
    assert.match(
      refusal('{\n "a\\u0062": 1,\n "x": "}{\\"[",\n "ab": 2\n}').message,
      /document 1 is not valid YAML or JSON \(line 4\): duplicate key "ab"/,
    );
    assert.match(refusal('{"a": {"k": 1}, "b": [{"k": 1}, {"k": 2, "k": 3}]}').message, /duplicate key "k"/);
    const same = '{"kind": "Pod", "x": "}{\\"[", "y": [{"k": 1}, {"k": 2}], "k": {"k": {"k": 1}}}';
    assert.deepEqual(parseDocuments(same), [JSON.parse(same)]);
    assert.match(refusal('{"kind": "Pod" "x": 1}').message, /document 1 is not valid YAML or JSON \(line 1\)/);
  });

  it('parses a mapping of 32,000 keys promptly (yaml uniqueKeys took 8.8 s here: quadratic)', () => {
    const text = `${Array.from({ length: 32_000 }, (_, i) => `k${i}: v${i}`).join('\n')}\n`;
    const started = performance.now();
    const [doc] = parseDocuments(text);
    assert.equal(Object.keys(doc!).length, 32_000);
    assert.ok(performance.now() - started < 5_000, `took ${performance.now() - started} ms`);
  });

  it('stops 6 MiB of `---` at MAX_DOCUMENTS instead of building 1.5 M documents', () => {
    const e = refusal('---\n'.repeat((6 * 1024 * 1024) / 4));
    assert.equal(e.code, 'LIMIT_EXCEEDED');
    assert.equal(e.subject, 'MAX_DOCUMENTS');
    assert.match(e.message, new RegExp(`more than ${MAX_DOCUMENTS} YAML documents \\(the cap MAX_DOCUMENTS\\)`));
    assert.equal(parseDocuments(`${'---\n'.repeat(MAX_DOCUMENTS - 1)}kind: Pod\n`).length, 1);
  });

  it('refuses 100,000-deep flow nesting, block nesting and JSON nesting past MAX_NESTING_DEPTH', () => {
    const deep = [
      '['.repeat(100_000) + ']'.repeat(100_000),
      `${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}`,
      `${Array.from({ length: MAX_NESTING_DEPTH + 5 }, (_, i) => `${' '.repeat(i)}a:`).join('\n')} 1\n`,
    ];
    for (const text of deep) {
      const e = refusal(text);
      assert.equal(e.code, 'LIMIT_EXCEEDED');
      assert.match(e.message, /nests more than 256 levels deep \(the cap MAX_NESTING_DEPTH\)/);
    }
    const ok = '['.repeat(MAX_NESTING_DEPTH - 1) + ']'.repeat(MAX_NESTING_DEPTH - 1);
    assert.equal(parseDocuments(`a: ${ok}\n`).length, 1);
  });

  it('refuses a billion-laughs alias bomb naming MAX_YAML_ALIASES, and keeps ordinary aliases', () => {
    const e = refusal(BOMB);
    assert.equal(e.code, 'LIMIT_EXCEEDED');
    assert.match(e.message, new RegExp(`past ${MAX_YAML_ALIASES} \\(the cap MAX_YAML_ALIASES\\)`));
    assert.deepEqual(parseDocuments('a: &x {b: 1}\nc: *x\n'), [{ a: { b: 1 }, c: { b: 1 } }]);
  });

  it('counts List items against MAX_OBJECTS', () => {
    const items = Array.from({ length: MAX_OBJECTS + 1 }, () => ({}));
    const e = refusal(JSON.stringify({ kind: 'List', items }));
    assert.equal(e.subject, 'MAX_OBJECTS');
  });

  it('refuses prototype field names, polluting nothing, and refuses non-objects naming the document', () => {
    for (const text of [
      '__proto__: {polluted: 1}\nkind: Pod\n',
      '{"spec": {"__proto__": {"polluted": 1}}}',
      'constructor: {prototype: {polluted: 1}}\n',
    ]) {
      const e = refusal(text);
      assert.equal(e.code, 'INVALID_OBJECT');
      assert.match(e.message, /document 1 (at spec )?has a field (named "__proto__"|"constructor\.prototype"), which no Kubernetes object has/);
    }
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.deepEqual(parseDocuments('kind: constructor\nmetadata: {name: toString}\n'), [{ kind: 'constructor', metadata: { name: 'toString' } }]);
    assert.match(refusal('kind: Pod\n---\n5\n').message, /document 2 is not a Kubernetes object/);
    assert.match(refusal('{"kind": "List", "items": [{}, "x"]}').message, /List item 2 is "x", not a Kubernetes object/);
  });

  it('clips what a parse error quotes', () => {
    const e = refusal(`? ${'k'.repeat(1 << 20)}\n: 1\n? ${'k'.repeat(1 << 20)}\n: 2\n`);
    assert.match(e.message, /duplicate key "k{200}"… \(1048576 characters\)/);
    assert.ok(e.message.length < 400);
  });
});
