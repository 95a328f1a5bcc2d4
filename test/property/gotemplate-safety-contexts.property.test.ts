// The checker beyond Istio's own templates: random small templates that print pod values in every YAML
// context a template could (unquoted, quoted, in flow collections, block scalars, next to comments, tags,
// under a document marker or directive, CRLF or LF), hostile values in them. Either the checker refuses,
// or the render has exactly the benign render's structure (same keys and items) with the same values
// everywhere except the printed ones, which are scalars holding the pod's value as istiod's YAML (go-yaml
// v2, YAML 1.1) reads it there: a string between quotes, unquoted what go-yaml resolves it to.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { goYamlResolve } from '../../src/core/gotemplate/safety/go-yaml-schema.ts';
import { checkTaintedSpans, loadRenderedYaml } from '../../src/core/gotemplate/safety/index.ts';
import { raw, render } from '../gotemplate/safety-render.ts';

const RUNS = Number(process.env.PROPERTY_RUNS ?? 300);
const SEED = Number(process.env.PROPERTY_SEED ?? 1516);
const MARK = 'zqzq';

/** A place to print a value (@), at indentation `ind`; `exact` is the leaf a value with no quote or backslash makes. */
interface Slot {
  lines: (key: string, ind: string) => string;
  exact?: (v: string) => string;
  /** The value is between quotes: always a string. */
  quoted?: true;
}
const SLOTS: Slot[] = [
  { lines: (k, i) => `${i}${k}: @\n`, exact: (v) => v },
  { lines: (k, i) => `${i}${k}: pre-@-post\n`, exact: (v) => `pre-${v}-post` },
  { lines: (k, i) => `${i}${k}: "@"\n`, exact: (v) => v, quoted: true },
  { lines: (k, i) => `${i}${k}: "pre @ post"\n`, exact: (v) => `pre ${v} post`, quoted: true },
  { lines: (k, i) => `${i}${k}: '@'\n`, exact: (v) => v, quoted: true },
  { lines: (k, i) => `${i}${k}:\n${i}- @\n${i}- x\n`, exact: (v) => v },
  { lines: (k, i) => `${i}${k}:\n${i}  - "--flag=@"\n${i}  - y\n`, exact: (v) => `--flag=${v}`, quoted: true },
  { lines: (k, i) => `${i}${k}: [a, @, b]\n`, exact: (v) => v },
  { lines: (k, i) => `${i}${k}: {a: @, b: c}\n`, exact: (v) => v },
  { lines: (k, i) => `${i}${k}: {a: "@", b: 'c'}\n`, exact: (v) => v, quoted: true },
  { lines: (k, i) => `${i}${k}: |\n${i}  first\n${i}  @\n${i}  last\n` },
  { lines: (k, i) => `${i}${k}: >-\n${i}  lead @ tail\n` },
  { lines: (k, i) => `${i}${k}: @ # note\n`, exact: (v) => v },
  { lines: (k, i) => `${i}${k}: "@" # note\n`, exact: (v) => v, quoted: true },
  { lines: (k, i) => `${i}${k}:\n${i}  nested: @\n${i}  other: 1\n`, exact: (v) => v },
  { lines: (k, i) => `${i}${k}: !!str @\n` },
  { lines: (k, i) => `${i}# a comment before\n${i}${k}: x@x\n${i}#after\n`, exact: (v) => `x${v}x` },
  { lines: (k, i) => `${i}${k}: |\n${i}  @\n${i}  last\n` },
  { lines: (k, i) => `${i}${k}: |+\n${i}  @\n\n` },
  { lines: (k, i) => `${i}${k}: |2\n${i}   @\n` },
  { lines: (k, i) => `${i}${k}: {a: [x, @], b: {c: "@"}}\n` },
  { lines: (k, i) => `${i}${k}: first\n${i}  @ more\n`, exact: (v) => `first ${v} more` },
  { lines: (k, i) => `${i}${k}:\t@\n`, exact: (v) => v },
  { lines: (k, i) => `${i}${k}: "a\\t@\\n"\n`, exact: (v) => `a\t${v}\n`, quoted: true },
];
const placeholders = (slot: number) => (SLOTS[slot]!.lines('k', '').match(/@/g) ?? []).length;

const template = fc.record({
  slots: fc.array(fc.nat(SLOTS.length - 1), { minLength: 1, maxLength: 4 }),
  nested: fc.boolean(),
  head: fc.constantFrom('', '---\n', '%YAML 1.2\n---\n'),
  crlf: fc.boolean(),
});
const TOKENS = [
  '\n',
  '\r\n',
  '\t',
  ' ',
  ': ',
  ' #',
  '#',
  '- ',
  '"',
  "'",
  '\\',
  '{',
  '}',
  '[',
  ']',
  ',',
  '&a ',
  '*a',
  '!!int ',
  '|',
  '>',
  '---',
  '...',
];
const hostile = fc
  .oneof(
    fc.array(fc.oneof(fc.constantFrom(...TOKENS), fc.stringMatching(/^[a-z0-9.=/]{1,3}$/)), { minLength: 1, maxLength: 6 }).map((a) => a.join('')),
    fc.string({ minLength: 1, maxLength: 8, unit: 'binary-ascii' }),
    fc.stringMatching(/^[a-z0-9][a-z0-9./=:-]{0,10}$/),
  )
  .filter((v) => v.trim() !== '');

function build(t: { slots: number[]; nested: boolean; head: string; crlf: boolean }, values: readonly string[]): ReturnType<typeof render> {
  const ind = t.nested ? '  ' : '';
  let n = 0;
  const body = t.slots.map((s, k) => SLOTS[s]!.lines(`e${k}`, ind).replace(/@/g, () => `⟦${n++}⟧`)).join('');
  let tpl = `${t.head}${t.nested ? 'root:\n' : ''}${body}`;
  if (t.crlf) tpl = tpl.replace(/\n/g, '\r\n');
  return render(
    tpl,
    values.map((v) => raw(v)),
  );
}

/** Walks benign and hostile data together: same shape, same leaves but where the benign one holds MARK. */
function compare(benign: unknown, got: unknown, path: string, leaves: Array<{ path: string; benign: string; got: unknown }>): void {
  if (typeof benign === 'string' && benign.includes(MARK)) {
    leaves.push({ path, benign, got });
    return;
  }
  if (Array.isArray(benign)) {
    assert.ok(Array.isArray(got) && got.length === benign.length, `${path}: not the same list`);
    for (const [i, b] of benign.entries()) compare(b, got[i], `${path}/${i}`, leaves);
  } else if (typeof benign === 'object' && benign !== null) {
    assert.ok(typeof got === 'object' && got !== null && !Array.isArray(got), `${path}: not a mapping any more`);
    assert.deepEqual(Object.keys(got).sort(), Object.keys(benign).sort(), `${path}: not the same keys`);
    for (const [k, b] of Object.entries(benign)) compare(b, (got as Record<string, unknown>)[k], `${path}/${k}`, leaves);
  } else assert.deepStrictEqual(got, benign, `${path}: a value the pod does not set changed`);
}

describe('property: pod values printed anywhere in a YAML template never add or change fields', () => {
  it('refused, or the same structure with the pod values as scalars in their own places', () => {
    let accepted = 0;
    const cases = template.chain((t) => {
      const count = t.slots.reduce((sum, s) => sum + placeholders(s), 0);
      return fc.tuple(fc.constant(t), fc.array(hostile, { minLength: count, maxLength: count }));
    });
    fc.assert(
      fc.property(cases, ([t, values]) => {
        const b = build(
          t,
          values.map(() => MARK),
        );
        const benignData = loadRenderedYaml('t', b.text, b.spans);
        const h = build(t, values);
        if (checkTaintedSpans(h.text, h.spans) !== undefined) return;
        accepted++;
        const leaves: Array<{ path: string; benign: string; got: unknown }> = [];
        compare(benignData, loadRenderedYaml('t', h.text, h.spans), '', leaves);
        assert.equal(leaves.length, values.length, 'a printed value is not in its own leaf');
        // slots with one placeholder are in order: leaf k of a one-value slot holds value k
        const oneValue = t.slots.every((slot) => placeholders(slot) === 1);
        leaves.forEach((leaf, k) => {
          assert.ok(leaf.got === null || typeof leaf.got !== 'object', `${leaf.path}: the pod value made a collection`);
          const slot = oneValue ? SLOTS[t.slots[k]!]! : undefined;
          // a value of plain characters: what go-yaml reads from the slot's text
          if (slot?.exact && /^[a-z0-9./=-]+$/.test(values[k]!)) {
            const text = slot.exact(values[k]!);
            assert.deepEqual(leaf.got, slot.quoted ? text : goYamlResolve(text), `${leaf.path}: the pod value is not intact`);
          }
        });
      }),
      { numRuns: RUNS, seed: SEED },
    );
    if (process.env.PROPERTY_VERBOSE) console.log(`      ${accepted} of ${RUNS} accepted`);
    assert.ok(accepted > RUNS / 20, `only ${accepted} of ${RUNS} renders were accepted: the property says little`);
  });
});
