// The safety claim for Go templates, as a property over the places Istio's own templates print pod data
// (test/gotemplate/istio-print-contexts.ts): for any pod value, either the checker refuses the render, or
// the render loads to exactly the benign render's document with the pod's value in place of the benign
// one, intact (a raw value as the one string its YAML quoting makes of it; quote's output as the value
// itself; serializer output as the data serialized). Every other key, item and value is unchanged.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { checkTaintedSpans, loadRenderedYaml } from '../../src/core/gotemplate/safety/index.ts';
import { isInjectionError } from '../../src/core/errors.ts';
import { yamlPlainScalar, yamlQuotedAtLineEnd } from '../helpers/istio-yaml-model.ts';
import { ISTIO_PRINT_CONTEXTS, type PrintContext } from '../gotemplate/istio-print-contexts.ts';
import { type Printed, quote, raw, render, toJSON, toYamlIndent } from '../gotemplate/safety-render.ts';

const RUNS = Number(process.env.PROPERTY_RUNS ?? 300);
const SEED = Number(process.env.PROPERTY_SEED ?? 1515);

// pieces of YAML syntax and the attacks of the issue, joined at random with ordinary text
const TOKENS = [
  ...['\n', '\r\n', '\r', '\t', ' ', ': ', ':', ' #', '#', '- ', '-', '? ', '"', "'", "''", '\\', '\\"', '\\n', '\\x41', '\\u263a'],
  ...['{', '}', '[', ']', ',', '&a ', '*a', '!!str ', '!', '|', '>', '%', '@', '`', '---', '...', '<<', 'true', 'null', '~', '1', '010', 'yes'],
  ...[
    '  evil: x',
    '\n  evil: x',
    '\n    evil: x',
    '\n- x',
    '", evil: "',
    "', evil: '",
    '\u2028',
    '\u0085',
    '\u00a0',
    'é',
    '😀',
    'a',
    'b.c',
    '/',
    '=',
  ],
];
const hostileText = fc.oneof(
  fc.array(fc.constantFrom(...TOKENS), { maxLength: 8 }).map((a) => a.join('')),
  fc.string({ maxLength: 12, unit: 'binary' }),
  fc.stringMatching(/^[a-z0-9][a-z0-9.-]{0,10}$/),
);
const YAML11_WORDS = /^(y|n|yes|no|on|off|true|false|null)$/i;
const ordinaryText = fc.stringMatching(/^[a-z][a-z0-9-]{0,12}$/).filter((s) => !YAML11_WORDS.test(s));
// where an integer field takes the value: numbers as YAML 1.1 writes them, with blanks and comments, or hostile text
const ordinaryInteger = fc.nat(100_000).map(String);
const hostileInteger = fc.oneof(
  ordinaryInteger,
  fc.stringMatching(/^0[0-7]{1,4}$/),
  fc.tuple(fc.nat(9999), fc.constantFrom(' ', ' # x', '\t', '_0', '.0', 'e2')).map(([n, tail]) => `${n}${tail}`),
  hostileText,
);
const key = (text: fc.Arbitrary<string>) => text.filter((k) => k !== '__proto__');

/** Values for a context's placeholders; `shift`: spaces the context is indented by in a combined render. */
function values(ctx: PrintContext, text: fc.Arbitrary<string>, shift = 0): fc.Arbitrary<{ printed: Printed[]; data: unknown[] }> {
  const count = ctx.template.match(/⟦\d+⟧/g)!.length;
  const map = fc.dictionary(key(text), text, { minKeys: 1, maxKeys: 4, noNullPrototype: true });
  switch (ctx.printer) {
    case 'raw':
      return fc.array(text, { minLength: count, maxLength: count }).map((vs) => ({ printed: vs.map((v) => raw(v)), data: vs }));
    case 'quote':
      return text.map((v) => ({ printed: [quote(v)], data: [v] }));
    case 'json':
    case 'json-text':
      return map.map((m) => ({ printed: [toJSON(m)], data: [m] }));
    case 'json-nindent':
      return map.map((m) => ({ printed: [{ text: `\n${' '.repeat(4 + shift)}${JSON.stringify(m)}`, structured: true }], data: [m] }));
    case 'yaml-pairs': {
      const leaf = fc.oneof(
        text,
        fc.boolean(),
        fc.integer(),
        fc.array(text, { maxLength: 2 }),
        fc.dictionary(key(text), text, { maxKeys: 2, noNullPrototype: true }),
      );
      const obj = fc.dictionary(key(text), leaf, { minKeys: 1, maxKeys: 4, noNullPrototype: true });
      return obj.map((m) => ({ printed: [toYamlIndent(m, ctx.indent! + shift)], data: [m] }));
    }
  }
}

const BENIGN_MAP = { BENIGNK: 'BENIGNV' };
const benignRaw = (ctx: PrintContext, i: number): string => (ctx.integer ? `424${i}` : `BENIGN${i}X`);

function benign(ctx: PrintContext, shift = 0): Printed[] {
  const count = ctx.template.match(/⟦\d+⟧/g)!.length;
  if (ctx.printer === 'raw') return Array.from({ length: count }, (_, i) => raw(benignRaw(ctx, i)));
  if (ctx.printer === 'quote') return [quote('BENIGN0X')];
  if (ctx.printer === 'json-nindent') return [{ text: `\n${' '.repeat(4 + shift)}${JSON.stringify(BENIGN_MAP)}`, structured: true }];
  return [ctx.printer === 'yaml-pairs' ? toYamlIndent(BENIGN_MAP, ctx.indent! + shift) : toJSON(BENIGN_MAP)];
}

const REFUSE = Symbol('must be refused');
const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `data` with the first value `match` picks replaced by what `replace` makes of it. */
function replaced(data: unknown, match: (v: unknown) => boolean, replace: (v: unknown) => unknown): unknown {
  let done = false;
  const walk = (v: unknown): unknown => {
    if (!done && match(v)) {
      done = true;
      return replace(v);
    }
    if (Array.isArray(v)) return v.map(walk);
    if (isMap(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  const out = walk(data);
  assert.ok(done, 'the benign value was not found in the benign render');
  return out;
}

/**
 * The scalar a raw print makes, read as istiod's YAML reads it: helpers/istio-yaml-model.ts, written
 * apart from the safety layer from go-yaml's rules (escapes, `''`, folded line breaks, a value that is a whole quoted
 * scalar, comments and edge blanks dropped), not the parser under test. Unquoted, a plain scalar resolves
 * as go-yaml v2 resolves it (go-yaml-schema.ts, checked against go-yaml itself): `010` is 8, `~` null.
 */
function rawLeaf(ctx: PrintContext, style: 'plain' | 'double' | 'single', text: string, vs: readonly string[]): unknown {
  const s = text.replace(/⟦(\d+)⟧/g, (_, i) => vs[Number(i)]!);
  // an empty value prints nothing: `name: ` is the template's own null, as in istiod (a null field is dropped)
  if (style === 'plain' && s === '') return null;
  // a value that ends the template's text in quotes that end the line may close them with a comment
  // after (`" #`); in a flow mapping (`"⟦0⟧",`) the comment would hide the comma
  const q = style === 'double' ? '"' : "'";
  const at = ctx.template.indexOf(q + text + q);
  const endsLine = at >= 0 && /^[ \t]*(\r?\n|$)/.test(ctx.template.slice(at + text.length + 2));
  const last = endsLine ? /⟦(\d+)⟧$/.exec(text) : null;
  const valueAt = last ? s.length - vs[Number(last[1])]!.length : undefined;
  try {
    if (style === 'plain') return yamlPlainScalar(s, 'value');
    return yamlQuotedAtLineEnd(s, q, valueAt, 'value');
  } catch {
    return REFUSE;
  }
}

/** Each scalar of a raw print context in place of its benign rendering, or REFUSE. */
function rawExpected(ctx: PrintContext, benignData: unknown, vs: readonly string[]): unknown {
  let out = benignData;
  for (const { style, text } of ctx.scalars!) {
    const leaf = rawLeaf(ctx, style, text, vs);
    if (leaf === REFUSE) return REFUSE;
    const benignLeaf = rawLeaf(
      ctx,
      style,
      text,
      Array.from({ length: vs.length }, (_, i) => benignRaw(ctx, i)),
    );
    out = replaced(
      out,
      (v) => v === benignLeaf,
      () => leaf,
    );
  }
  return out;
}

/** The benign render's data with the pod's values where the benign ones were, or REFUSE. */
function expected(ctx: PrintContext, benignData: unknown, data: unknown[]): unknown {
  const found = (s: string) => (v: unknown) => typeof v === 'string' && v.includes(s);
  const sameAsBenignMap = (v: unknown) => isMap(v) && Object.keys(v).length === 1 && v.BENIGNK === 'BENIGNV';
  switch (ctx.printer) {
    case 'raw':
      return rawExpected(ctx, benignData, data as string[]);
    case 'quote':
      return replaced(
        benignData,
        (v) => v === 'BENIGN0X',
        () => data[0],
      );
    case 'json':
    case 'json-nindent':
      return replaced(benignData, sameAsBenignMap, () => data[0]);
    case 'json-text':
      return replaced(benignData, found(JSON.stringify(BENIGN_MAP)), (v) =>
        (v as string).replace(JSON.stringify(BENIGN_MAP), JSON.stringify(data[0])),
      );
    case 'yaml-pairs': {
      let collides = false;
      const out = replaced(
        benignData,
        (v) => isMap(v) && Object.hasOwn(v, 'BENIGNK'),
        (v) => {
          const { BENIGNK: _, ...rest } = v as Record<string, unknown>;
          collides = Object.keys(data[0] as object).some((k) => Object.hasOwn(rest, k));
          return { ...rest, ...(data[0] as object) };
        },
      );
      return collides ? REFUSE : out;
    }
  }
}

/** Checks one render; true if the checker accepted it. */
function holds(ctx: PrintContext, benignData: unknown, v: { printed: Printed[]; data: unknown[] }): boolean {
  const { text, spans } = render(ctx.template, v.printed);
  if (checkTaintedSpans(text, spans) !== undefined) return false;
  let loaded: unknown;
  try {
    loaded = loadRenderedYaml('sidecar', text, spans);
  } catch (e) {
    // a value of a type Go's Pod cannot hold there (`name: 0`): istiod refuses it, so do we
    if (isInjectionError(e) && e.code === 'TEMPLATE_RENDER') return false;
    throw e;
  }
  const want = expected(ctx, benignData, v.data);
  assert.notEqual(want, REFUSE, `accepted, but YAML cannot hold the value as written: ${JSON.stringify(text)}`);
  assert.deepStrictEqual(loaded, want, `the render changed more than the value's own place: ${JSON.stringify(text)}`);
  return true;
}

describe('property: pod values printed where Istio templates print them never add or change fields', () => {
  for (const ctx of ISTIO_PRINT_CONTEXTS) {
    it(ctx.source, () => {
      const b = render(ctx.template, benign(ctx));
      const benignData = loadRenderedYaml('sidecar', b.text, b.spans);
      let accepted = 0;
      fc.assert(
        fc.property(values(ctx, ctx.integer ? hostileInteger : hostileText), (v) => {
          if (holds(ctx, benignData, v)) accepted++;
        }),
        { numRuns: RUNS, seed: SEED },
      );
      // ordinary values (names, image references, maps of them) are never refused
      fc.assert(
        fc.property(values(ctx, ctx.integer ? ordinaryInteger : ordinaryText), (v) => {
          assert.ok(holds(ctx, benignData, v), `refused an ordinary value: ${JSON.stringify(v.data)}`);
        }),
        { numRuns: Math.ceil(RUNS / 3), seed: SEED },
      );
      if (process.env.PROPERTY_VERBOSE) console.log(`      ${accepted} of ${RUNS} hostile values accepted`);
      assert.ok(accepted > RUNS / 20, `only ${accepted} of ${RUNS} hostile values were accepted: the property says little`);
    });
  }
});

/** Every context in one render, each under its own key: `c0:`, `c1:`... (placeholders renumbered). */
function combinedTemplate(): string {
  let offset = 0;
  return ISTIO_PRINT_CONTEXTS.map((ctx, k) => {
    const body = ctx.template.replace(/⟦(\d+)⟧/g, (_, i) => `⟦${offset + Number(i)}⟧`).replace(/^(?=.)/gm, '  ');
    offset += ctx.template.match(/⟦\d+⟧/g)!.length;
    return `c${k}:\n${body}`;
  }).join('');
}

describe('property: all those prints in one render, a few of them hostile', () => {
  it('refused, or every context holds exactly its own values', () => {
    const template = combinedTemplate();
    const b = render(
      template,
      ISTIO_PRINT_CONTEXTS.flatMap((ctx) => benign(ctx, 2)),
    );
    const benignData = loadRenderedYaml('sidecar', b.text, b.spans) as Record<string, unknown>;
    // mostly ordinary values, so that a render is often accepted and the others' values are checked too
    const perContext = ISTIO_PRINT_CONTEXTS.map((ctx) =>
      fc.oneof(
        { arbitrary: values(ctx, ctx.integer ? ordinaryInteger : ordinaryText, 2), weight: 7 },
        values(ctx, ctx.integer ? hostileInteger : hostileText, 2),
      ),
    );
    let accepted = 0;
    fc.assert(
      fc.property(fc.tuple(...perContext), (vs) => {
        const { text, spans } = render(
          template,
          vs.flatMap((v) => v.printed),
        );
        if (checkTaintedSpans(text, spans) !== undefined) return;
        let loaded: unknown;
        try {
          loaded = loadRenderedYaml('sidecar', text, spans);
        } catch (e) {
          if (isInjectionError(e) && e.code === 'TEMPLATE_RENDER') return; // a type istiod refuses there
          throw e;
        }
        accepted++;
        const want = ISTIO_PRINT_CONTEXTS.map((ctx, k) => expected(ctx, benignData[`c${k}`], vs[k]!.data));
        assert.ok(!want.includes(REFUSE), `accepted, but YAML cannot hold a value as written: ${JSON.stringify(text)}`);
        assert.deepStrictEqual(
          loaded,
          Object.fromEntries(want.map((w, k) => [`c${k}`, w])),
          `a value changed more than its own place: ${JSON.stringify(text)}`,
        );
      }),
      { numRuns: RUNS, seed: SEED },
    );
    if (process.env.PROPERTY_VERBOSE) console.log(`      ${accepted} of ${RUNS} accepted`);
    assert.ok(accepted > RUNS / 20, `only ${accepted} of ${RUNS} renders were accepted: the property says little`);
  });
});
