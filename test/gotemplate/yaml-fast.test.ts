// The fast YAML reader (safety/yaml-fast.ts) against js-yaml, the reader it stands in for: on any text
// the two give the same documents and the same node ranges (which the safety checks judge), or the fast
// one leaves the text to js-yaml. Errors are always js-yaml's. Texts: Istio's templates rendered for
// typical pods (which the fast reader must read itself: that is its point), Istio's test-case YAML, every
// place Istio's templates print pod data with hostile values printed, and generated YAML.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { pod } from '../../bench/reviews.ts';
import { readSettingsDir } from '../../src/config/config-dir.ts';
import { compileGoTemplate, istiodFunctions } from '../../src/core/render/go-engine.ts';
import { parseFast } from '../../src/core/gotemplate/safety/yaml-fast.ts';
import { parseWithNodes } from '../../src/core/gotemplate/safety/yaml-nodes.ts';
import { preparePod } from '../../src/core/prepare.ts';
import { buildSettings } from '../../src/core/settings/index.ts';
import type { Pod } from '../../src/core/types.ts';
import { ISTIO_PRINT_CONTEXTS } from './istio-print-contexts.ts';
import { raw, render } from './safety-render.ts';

const RUNS = Number(process.env.PROPERTY_RUNS ?? 300);
const SEED = Number(process.env.PROPERTY_SEED ?? 20261202);

type Outcome = { ok: true; value: unknown } | { ok: false; error: string };
function outcome(read: () => unknown): Outcome {
  try {
    return { ok: true, value: read() };
  } catch (e) {
    return { ok: false, error: `${(e as Error).constructor.name}: ${(e as Error).message}` };
  }
}

/** Asserts both readers agree on `text`; returns whether the fast one read it itself. */
function agree(text: string): boolean {
  const fast = outcome(() => parseWithNodes(text));
  const slow = outcome(() => parseWithNodes(text, false));
  assert.deepEqual(fast, slow, `readers differ on ${JSON.stringify(text)}`);
  return !text.includes('\u0085') && parseFast(text) !== undefined;
}

describe('the fast YAML reader of renders', () => {
  it("reads Istio's templates rendered for typical pods itself, exactly as js-yaml does (data and node ranges)", () => {
    const files = { ...readSettingsDir(undefined), nativeSidecars: 'false' as const };
    const settings = buildSettings({ ...files, reuse: false });
    const shapes = [
      { containers: 1, envVars: 6, probes: false },
      { containers: 3, envVars: 2, probes: true },
      { containers: 2, envVars: 0, probes: true },
    ];
    let renders = 0;
    for (const [name, template] of Object.entries(files.templates)) {
      const compiled = compileGoTemplate(name, template, istiodFunctions());
      for (const [i, shape] of shapes.entries()) {
        const p = pod(`app${i}`, shape) as unknown as Pod;
        const ctx = preparePod(p, 'shop', { settings, namespace: 'shop' }, []).render;
        const { text } = compiled.execute(ctx);
        if (text.trim() === '') continue;
        assert.ok(agree(text), `template ${name}, pod shape ${JSON.stringify(shape)}: left to js-yaml`);
        renders++;
      }
    }
    assert.ok(renders >= 12, `${renders} renders`);
  });

  it("reads the YAML of Istio's injection test cases as js-yaml does, or leaves it to js-yaml", () => {
    const dir = 'test/fixtures/istio/inject';
    let readFast = 0;
    const names = readdirSync(dir).filter((f) => /\.ya?ml(\.injected)?$/.test(f));
    for (const f of names) {
      // each document on its own: the fast reader takes one
      for (const doc of readFileSync(`${dir}/${f}`, 'utf8').split(/^---\s*$/m)) if (doc.trim() !== '' && agree(doc.trimStart())) readFast++;
    }
    assert.ok(readFast > names.length / 2, `${readFast} documents of ${names.length} files read fast`);
  });

  it('agrees with js-yaml wherever Istio prints pod data, whatever the pod printed there', () => {
    const tokens = [
      ' ',
      ': ',
      ':',
      ' #',
      '#',
      '- ',
      '-',
      '"',
      "'",
      '\\',
      '\n',
      '\n  ',
      '\n    x: y',
      '{',
      '}',
      '[',
      ']',
      ',',
      '|',
      '>',
      '&a',
      '*a',
      '!',
      '%',
      '---',
      '<<',
      'null',
      '~',
      'yes',
      '010',
      '.inf',
      '1e3',
      'é',
      '\u2028',
      '\t',
      '\r',
    ];
    const text = fc.oneof(
      fc.array(fc.constantFrom(...tokens), { maxLength: 6 }).map((a) => a.join('')),
      fc.stringMatching(/^[a-z0-9.-]{0,10}$/),
    );
    // every context, its placeholders filled with text as such: what is compared is the reading, not the checks
    const contexts = ISTIO_PRINT_CONTEXTS;
    let readFast = 0;
    fc.assert(
      fc.property(fc.constantFrom(...contexts), fc.array(text, { minLength: 4, maxLength: 4 }), (ctx, values) => {
        const count = ctx.template.match(/⟦\d+⟧/g)!.length;
        if (
          agree(
            render(
              ctx.template,
              values.slice(0, count).map((v) => raw(v)),
            ).text,
          )
        )
          readFast++;
      }),
      { numRuns: RUNS * 4, seed: SEED },
    );
    assert.ok(readFast > RUNS, `${readFast} of ${RUNS * 4} read fast`);
  });

  it('agrees with js-yaml on generated YAML: nested blocks, lists, flow collections, block scalars, comments, broken lines', () => {
    let readFast = 0;
    fc.assert(
      fc.property(
        yamlDocument,
        fc.oneof(fc.constant([]), fc.array(fc.tuple(fc.nat(), fc.constantFrom(...EDITS)), { minLength: 1, maxLength: 2 })),
        (doc, edits) => {
          let text = doc;
          for (const [at, edit] of edits) text = edit(text, at % Math.max(1, text.length));
          if (agree(text)) readFast++;
        },
      ),
      { numRuns: RUNS * 10, seed: SEED },
    );
    assert.ok(readFast > RUNS * 1.5, `${readFast} of ${RUNS * 10} read fast`);
  });
});

// the scalars templates write, and (less often) the ones the fast reader leaves to js-yaml or refuses
const ORDINARY = [
  'web',
  'istio-proxy',
  'a b',
  'a:b',
  'a #b',
  'a#b',
  'a,b',
  '[x',
  'x]',
  'é',
  'http://x:1/y',
  '-x',
  '?x',
  '.x',
  '010',
  '0x1F',
  '1_000',
  '1e3',
  '.5',
  '+1',
  '-1',
  '0o17',
  '0b11',
  '12:30',
  '2024-01-01',
  '1e400',
  '~',
  'null',
  'Null',
  'yes',
  'No',
  'on',
  'OFF',
  'true',
  'y',
  '"q"',
  '"a\\"b"',
  '"\\n\\t\\u00e9"',
  "'s'",
  "'it''s'",
  "''",
  '""',
  '"a # b"',
  '"a: b"',
];
const ODD = ['.inf', '-.Inf', '.nan', '<<', '__proto__', '"\\/"', '"\\x41"', '"\\e"', '&a x', '*a', '!!str x', '|', '>', '%x', '@x', '`x'];
const word = fc.oneof(
  {
    weight: 30,
    arbitrary: fc.constantFrom('name', 'image', 'args', 'env', 'value', 'key', 'k', 'a-b', 'x.y/z', '"quoted key"', "'single'", '1', 'true', 'a b'),
  },
  { weight: 1, arbitrary: fc.constantFrom('null', '<<', '? x', '__proto__') },
);
const scalar = fc.oneof({ weight: 40, arbitrary: fc.constantFrom(...ORDINARY) }, { weight: 1, arbitrary: fc.constantFrom(...ODD) });
const pad = (n: number) => ' '.repeat(n);
const comment = fc.constantFrom('', '', '', ' # c', '  #c', '#c');
const blankLines = fc.constantFrom('', '', '', '\n', '\n\n', '\n  \n', '\n# own line\n', '\n    # deeper\n');

/** A block node at `indent`, as text after its key (`key:` + this); depth-bounded. */
const value = (indent: number, depth: number): fc.Arbitrary<string> => {
  const leaves: fc.Arbitrary<string>[] = [
    fc.tuple(scalar, comment).map(([s, c]) => ` ${s}${c}\n`),
    fc.constant('\n'),
    fc.constantFrom(
      ' {}\n',
      ' []\n',
      ' [a, "b", 1]\n',
      ' {a: 1, "b": c,}\n',
      ' {\n' + pad(indent + 2) + 'x: "y",\n' + pad(indent) + '}\n',
      ' [\n' + pad(indent + 1) + '1,\n' + pad(indent) + ']\n',
      ' {a: [b, {c: d}]}\n',
    ),
    fc
      .tuple(
        fc.constantFrom('|', '|-', '|+'),
        fc.array(fc.constantFrom('line', '  more', '', ' ', '{"a": 1}', '# not a comment', '- x'), { maxLength: 4 }),
        fc.constantFrom(0, 1, 2, 3),
      )
      .map(([h, lines, extra]) => ` ${h}\n${lines.map((l) => (l === '' ? '\n' : `${pad(indent + extra)}${l}\n`)).join('')}`),
  ];
  // what the fast reader leaves to js-yaml, now and then
  const odd = fc.constantFrom(' {a b}\n', ' [a: b]\n', ` >\n${pad(indent + 1)}x\n`, ` |2\n${pad(indent + 2)}x\n`, ` | # c\n${pad(indent + 1)}x\n`);
  const leaf = fc.oneof({ weight: 1, arbitrary: odd }, { weight: 20, arbitrary: fc.oneof(...leaves) });
  if (depth <= 0) return leaf;
  return fc.oneof(
    leaf,
    fc.tuple(fc.constantFrom(0, 1, 2, 3), blankLines).chain(([step, blank]) => mapping(indent + step, depth - 1).map((m) => `${blank}\n${m}`)),
    fc.tuple(fc.constantFrom(0, 2, 1), blankLines).chain(([step, blank]) => sequence(indent + step, depth - 1).map((s) => `${blank}\n${s}`)),
  );
};
const mapping = (indent: number, depth: number): fc.Arbitrary<string> =>
  fc
    .array(fc.tuple(word, value(indent, depth), blankLines), { minLength: 1, maxLength: 4 })
    .map((entries) => entries.map(([k, v, blank]) => `${pad(indent)}${k}:${v}${blank}`).join(''));
const sequence = (indent: number, depth: number): fc.Arbitrary<string> =>
  fc
    .array(
      fc.oneof(
        fc.tuple(scalar, comment).map(([s, c]) => `${pad(indent)}- ${s}${c}\n`),
        fc.constant(`${pad(indent)}-\n`),
        fc.constantFrom(
          `${pad(indent)}- {}\n`,
          `${pad(indent)}- [a, b]\n`,
          `${pad(indent)}- |\n${pad(indent + 2)}t\n`,
          `${pad(indent)}- |-\n${pad(indent + 4)}t\n\n${pad(indent + 5)}u\n`,
        ),
        depth > 0 ? mapping(indent + 2, depth - 1).map((m) => `${pad(indent)}- ${m.slice(indent + 2)}`) : fc.constant(`${pad(indent)}- x\n`),
      ),
      { minLength: 1, maxLength: 4 },
    )
    .chain((items) => fc.constantFrom(...Array(30).fill(''), `${pad(indent)}- - x\n`).map((odd) => items.join('') + odd));
const yamlDocument = fc
  .tuple(fc.constantFrom(...Array(20).fill(''), '\n\n', '# head\n', '  ', '---\n'), mapping(0, 3))
  .map(([head, body]) => head + body);

/** Small breakages: a character removed, a line indented by one more or one less, a tab or CR put in. */
const EDITS: ReadonlyArray<(text: string, at: number) => string> = [
  (t, at) => t.slice(0, at) + t.slice(at + 1),
  (t, at) => {
    const start = t.lastIndexOf('\n', at) + 1;
    return `${t.slice(0, start)} ${t.slice(start)}`;
  },
  (t, at) => {
    const start = t.lastIndexOf('\n', at) + 1;
    return t[start] === ' ' ? t.slice(0, start) + t.slice(start + 1) : t;
  },
  (t, at) => `${t.slice(0, at)}\t${t.slice(at)}`,
  (t, at) => `${t.slice(0, at)}\r${t.slice(at)}`,
  (t) => t.replace(/\n$/, ''),
];
