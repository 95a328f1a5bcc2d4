// Differential property: on generated templates, valid and broken (half checked against a function map
// with a function named break, which Go then lexes as an identifier), our parser accepts exactly what Go's
// text/template/parse accepts, defines the same templates, reads every number and string constant to the
// same values, and fails with Go's exact message. GOTPL_SEED / GOTPL_CASES run other or more cases.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { GoParseOracle, type ParseRequest, goAvailable, parseOurs } from './go-parse-oracle.ts';

const FRAGMENTS = [
  'text',
  ' ',
  '\n',
  '  \n ',
  '{{',
  '{{- ',
  '{{-',
  '}}',
  ' -}}',
  '-}}',
  '{{/* c */}}',
  '{{- /* c */ -}}',
  '{{/*',
  '*/}}',
  '/* x */',
  'if',
  'else',
  'end',
  'range',
  'with',
  'define',
  'template',
  'block',
  'break',
  'continue',
  'nil',
  'true',
  'false',
  '"a"',
  '"x\\n\\u00e9"',
  '"\\q"',
  '"open',
  '`raw\n`',
  '`open',
  "'a'",
  "'\\n'",
  "'ab'",
  "''",
  "'\\x41'",
  '1',
  '-2',
  '+3',
  '0x1F',
  '0o17',
  '017',
  '08',
  '1_000',
  '1__0',
  '0x',
  '1e',
  '1.5e3',
  '.5',
  '1i',
  '2.5i',
  '1+2i',
  '0x1p-2',
  '1a',
  '99999999999999999999',
  '.',
  '.A',
  '.A.B',
  '$',
  '$x',
  '$x.A',
  '$i',
  '$v',
  ':=',
  '=',
  ',',
  '|',
  '(',
  ')',
  '"x"',
  'len',
  'printf',
  'and',
  'undefinedFn',
  '#',
  '@',
  'é',
  '\t',
  '\r\n',
  '\u00a0',
  '\u200b',
  '日本',
  '😀',
  '\u0007',
  '"\\xc3\\xa9"',
  '"\\303\\251"',
  '"\\377"',
  "'\\377'",
  '"é\\té"',
  '"\\x4"',
  '"\\400"',
  "'\\400'",
  '"\\U0010FFFF"',
  "'\\ud800'",
  "'\\''",
  '0b101',
  '0x1.8p1',
  '1e400',
  '0X_1',
  '1_',
  '0_1',
  '-.5',
  '+',
  '-',
  '{{else if',
  '{{else with',
  '$x, $y :=',
  '{{-\t',
  '\t-}}',
  '{{ /* c */ }}',
  '( )',
  ':',
];

const fragmentSoup = fc.array(fc.constantFrom(...FRAGMENTS), { minLength: 1, maxLength: 14 }).map((parts) => parts.join(''));

// Structured templates: mostly valid, so acceptance is exercised too, with occasional damage.
const operand = fc.constantFrom(
  '.',
  '.A',
  '.A.B',
  '$',
  '$x',
  '1',
  '0x10',
  '"s"',
  '`r`',
  'true',
  'nil',
  "'c'",
  '(len .)',
  '(.A).B',
  '(printf "%d" 1)',
  '$x.A',
  'undefinedFn',
);
const command = fc.oneof(
  operand,
  fc
    .tuple(fc.constantFrom('len', 'printf "%v"', 'and', 'or', 'index', 'eq .'), fc.array(operand, { maxLength: 2 }))
    .map(([f, args]) => [f, ...args].join(' ')),
);
const pipeline = fc
  .tuple(fc.constantFrom('', '$x := ', '$x = ', '$y := '), fc.array(command, { minLength: 1, maxLength: 3 }))
  .map(([decl, cmds]) => decl + cmds.join(' | '));
const open = fc.constantFrom('{{', '{{- ', '{{ ');
const close = fc.constantFrom('}}', ' -}}', ' }}');

const body: fc.Arbitrary<string> = fc.letrec<{ body: string }>((tie) => ({
  body: fc.oneof(
    { maxDepth: 3 },
    fc.constantFrom('', 'x', ' \n ', '{{/* note */}}'),
    fc.tuple(open, pipeline, close).map(([o, p, c]) => o + p + c),
    fc
      .tuple(
        fc.constantFrom('if', 'with', 'range', 'range $i, $v :=', 'range $v :='),
        pipeline,
        tie('body') as fc.Arbitrary<string>,
        fc.constantFrom('', '{{else}}', '{{else if .B}}y', '{{else with .C}}z'),
        tie('body') as fc.Arbitrary<string>,
        fc.constantFrom('{{end}}', '{{ end }}', ''),
      )
      .map(([kw, p, b1, els, b2, end]) => `{{${kw} ${p}}}${b1}${els}${b2}${end}`),
    fc.tuple(fc.constantFrom('{{break}}', '{{continue}}'), tie('body') as fc.Arbitrary<string>).map(([k, b]) => `{{range .}}${b}${k}{{end}}`),
    fc
      .tuple(fc.constantFrom('"t"', '"u"', '`t`'), tie('body') as fc.Arbitrary<string>)
      .map(([n, b]) => `{{define ${n}}}${b}{{end}}{{template ${n} .}}`),
    fc.tuple(fc.constantFrom('"blk"', '"t"'), pipeline, tie('body') as fc.Arbitrary<string>).map(([n, p, b]) => `{{block ${n} ${p}}}${b}{{end}}`),
    fc.tuple(tie('body') as fc.Arbitrary<string>, tie('body') as fc.Arbitrary<string>).map(([a, b]) => a + b),
  ),
})).body;

// Literal soup: numbers, runes and strings from the characters their syntax uses, as an argument.
const LITERAL_CHARS = [...'0123456789xXoObBeEpP._+-i\'"\\aAfnuU` '];
const literal = fc.array(fc.constantFrom(...LITERAL_CHARS), { minLength: 1, maxLength: 8 }).map((cs) => `{{print ${cs.join('')}}}`);

const damage = fc
  .tuple(body, fc.nat(), fc.constantFrom(...FRAGMENTS))
  .map(([t, at, f]) => t.slice(0, at % (t.length + 1)) + f + t.slice(at % (t.length + 1)));

describe('Go template parser against Go text/template/parse on generated templates', function () {
  this.timeout(60_000);
  let oracle: GoParseOracle | undefined;
  before(function () {
    if (!goAvailable()) {
      console.log('    skipped: `go` is not on PATH');
      this.skip();
    }
    oracle = new GoParseOracle();
  });
  after(() => oracle?.close());

  const cases = (seed: number, count: number): ParseRequest[] =>
    fc
      .sample(fc.tuple(fc.oneof(fragmentSoup, body, damage, literal), fc.boolean()), { seed, numRuns: count })
      .map(([text, checkFunctions]) => ({ name: 'gen', text, functions: checkFunctions ? ['break'] : null }));

  it('accepts exactly what Go accepts, with the same templates and the same error messages', () => {
    const requests = cases(Number(process.env.GOTPL_SEED ?? 15), Number(process.env.GOTPL_CASES ?? 4000));
    const theirs = (oracle as GoParseOracle).parse(requests);
    const mismatches = requests.flatMap((r, i) => {
      const ours = parseOurs(r);
      return JSON.stringify(ours) === JSON.stringify(theirs[i]) ? [] : [{ text: r.text, functions: r.functions, ours, go: theirs[i] }];
    });
    const accepted = theirs.filter((t) => t.ok).length;
    console.log(
      `    ${requests.length} templates, Go accepts ${accepted}, rejects ${requests.length - accepted}; ${mismatches.length} disagreements`,
    );
    assert.ok(accepted > 400 && requests.length - accepted > 400, 'the generator covers both valid and broken templates');
    assert.deepEqual(mismatches.slice(0, 5), []);
  });
});
