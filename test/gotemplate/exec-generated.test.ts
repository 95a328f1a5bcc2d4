// Differential property: generated templates executed on generated JSON data give Go's text/template
// output byte for byte, or fail with Go's exact message (template, line, byte column, node, text).
// GOTPL_EXEC_SEED / GOTPL_EXEC_CASES run other or more cases.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { type ExecRequest, GoExecOracle, execOurs, execReplayed } from './exec-oracle.ts';
import { goAvailable } from './go-parse-oracle.ts';

const KEYS = ['A', 'B', 'L', 'M', 'X', 'a', 'é'];
const STRINGS = ['', 'x', 'abc', 'héllo', '😀 ok', '<a&b>', 'it\'s "q"', 'line\nbreak', ' ', '0', 'true', '%d'];

const number = fc.oneof(
  fc.constantFrom(0, 1, -1, 2, 42, 1.5, -2.5, 0.1, 1e6, 1e21, 1e-7, 255, 65, 123456789, 0.5, 2.5),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer({ min: -1000, max: 1000 }),
);
const scalar = fc.oneof(fc.constantFrom(...STRINGS), number, fc.boolean(), fc.constant(null));
const data: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { maxDepth: 3, depthSize: 'small' },
    scalar,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.constantFrom(...KEYS), tie('value'), { maxKeys: 5 }),
  ),
})).value;
const root = fc.dictionary(fc.constantFrom(...KEYS), data, { minKeys: 2, maxKeys: 7 });

const field = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.constantFrom('.', '.A', '.B', '.L', '.M', '.X', '.A.B', '.M.a', '.M.X', '.L.A', '.Nope', '$', '$.A', '$x', '$x.A', '.é'),
  },
  // typed Go values (oracle/fixture.go): structs, pointers, methods, named ints, typed maps and slices
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '(typed).Name',
      '(typed).Count',
      '(typed).Port',
      '(typed).Mode',
      '(typed).Tags',
      '(typed).Labels',
      '(typed).List',
      '(typed).Empty',
      '(typed).Inner.Label',
      '(typed).NilInner',
      '(typed).NilInner.Value',
      '(typed).GetInner.GetValue',
      '(typed).Tags.a',
      '(typed).Nope',
      '(typed).Ratio',
    ),
  },
);
const literal = fc.constantFrom('1', '0', '-1', '2', '1.5', '"s"', '""', '"A"', 'true', 'false', 'nil', "'c'", '0x10', '1e3', '`r`', '"😀"');
const operand = fc.oneof({ weight: 3, arbitrary: field }, { weight: 2, arbitrary: literal });
const FORMATS = [
  '"%v"',
  '"%d"',
  '"%s"',
  '"%q"',
  '"%5.2f"',
  '"%x"',
  '"%T"',
  '"%v %v"',
  '"%-4s|"',
  '"%e"',
  '"%.3g"',
  '"%08.3f"',
  '"%t"',
  '"%c"',
  '"%+d"',
];
const call: fc.Arbitrary<string> = fc.oneof(
  fc
    .tuple(fc.constantFrom('len', 'not', 'print', 'println', 'html', 'js', 'urlquery', 'strfn', 'intfn', 'anyfn', 'floatfn'), operand)
    .map(([f, a]) => `${f} ${a}`),
  fc
    .tuple(fc.constantFrom('eq', 'ne', 'lt', 'le', 'gt', 'ge', 'and', 'or', 'index', 'print', 'mapfn "k"'), operand, operand)
    .map(([f, a, b]) => `${f} ${a} ${b}`),
  fc
    .tuple(fc.constantFrom('eq', 'and', 'or', 'index', 'slice', 'joinfn ","'), operand, fc.constantFrom('0', '1', '2', '"a"', '"A"', '.A'), operand)
    .map(([f, a, b, c]) => `${f} ${a} ${b} ${c}`),
  fc.tuple(fc.constantFrom(...FORMATS), fc.array(operand, { maxLength: 3 })).map(([f, a]) => ['printf', f, ...a].join(' ')),
  fc.constantFrom('slice .A 1', 'slice .L 0 2', 'index .L 0', 'index .M "a"', 'len .L', 'listfn 3', 'nilfn', 'failfn "no"'),
);
const command = fc.oneof(
  { weight: 2, arbitrary: operand },
  { weight: 3, arbitrary: call },
  call.map((c) => `(${c})`),
);
const pipeline = fc
  .tuple(
    command,
    fc.array(fc.constantFrom('len', 'print', 'printf "%v"', 'not', 'strfn', 'html', 'and 1', 'or 0', 'eq 1', '.A', 'index .L'), { maxLength: 2 }),
  )
  .map(([first, tail]) => [first, ...tail].join(' | '));
const decl = fc.constantFrom('', '', '', '$x := ', '$x = ', '$y := ');

const body: fc.Arbitrary<string> = fc.letrec<{ body: string }>((tie) => ({
  body: fc.oneof(
    { maxDepth: 3, depthSize: 'small' },
    fc.constantFrom('t', ' ', '\n', '{{/* c */}}', '{{$x}}', '{{$y := 1}}'),
    fc.tuple(decl, pipeline, fc.constantFrom('{{', '{{- ')).map(([d, p, o]) => `${o}${d}${p}}}`),
    fc
      .tuple(
        fc.constantFrom('if', 'with', 'range', 'range $i, $v :=', 'range $v :=', 'if $z :='),
        pipeline,
        tie('body'),
        fc.constantFrom('', '{{else}}', '{{else CHAIN .B}}'),
        tie('body'),
      )
      // else if only after if, else with only after with
      .map(([kw, p, b1, els, b2]) => {
        const chain = kw.startsWith('range') ? '{{else}}' : els.replace('CHAIN', kw.split(' ')[0] as string);
        return `{{${kw} ${p}}}${b1}${els === '' ? '' : chain + b2}{{end}}`;
      }),
    fc
      .tuple(
        fc.constantFrom('.L', '.M', '.A', '3', 'listfn 2'),
        tie('body'),
        fc.constantFrom('{{break}}', '{{continue}}', '{{if .}}{{break}}{{end}}', '{{if not .}}{{continue}}{{end}}'),
      )
      .map(([p, b, k]) => `{{range ${p}}}${b}${k}{{.}}{{end}}`),
    fc.tuple(tie('body'), fc.constantFrom('.', '.M', '.A', '.L', '')).map(([b, p]) => `{{template "d" ${p}}}${b}`),
    fc.tuple(tie('body'), tie('body')).map(([a, b]) => a + b),
  ),
})).body;
// {{define}} only at the top level; "d" may call itself, one level down the data each time
const program = fc
  .tuple(fc.constantFrom('', '{{$x := .A}}', '{{$x := .M}}{{$y := .L}}'), body, body, fc.constantFrom('.M', '.A', '.X'))
  // inside "d", only its own guarded call: Go has no step limit, an unguarded one would run away
  .map(
    ([prefix, main, defined, next]) =>
      `${prefix}${main}{{define "d"}}${defined.replace(/{{template "d"[^}]*}}/g, '')}{{if .}}{{template "d" ${next}}}{{end}}{{end}}`,
  );

// Deliberate difference: slicing a string inside a UTF-8 sequence gives Go raw bytes (which the oracle's
// JSON shows as one U+FFFD per byte); JavaScript strings cannot hold them, ours has one U+FFFD per sequence.
const sameOutcome = (ours: string, go: string): boolean => ours === go || ours.replace(/\uFFFD+/g, '\uFFFD') === go.replace(/\uFFFD+/g, '\uFFFD');

describe('Go template executor against Go text/template on generated templates and data', function () {
  this.timeout(120_000);
  let oracle: GoExecOracle | undefined;
  before(function () {
    if (!goAvailable()) {
      console.log('    skipped: `go` is not on PATH');
      this.skip();
    }
    oracle = new GoExecOracle();
  });
  after(() => oracle?.close());

  it("prints what Go prints and fails with Go's message", () => {
    const seed = Number(process.env.GOTPL_EXEC_SEED ?? 15);
    const count = Number(process.env.GOTPL_EXEC_CASES ?? 4000);
    const requests: ExecRequest[] = fc
      .sample(fc.tuple(program, root), { seed, numRuns: count })
      .map(([text, d]) => ({ name: 'gen', text, exec: 'gen', data: JSON.parse(JSON.stringify(d)) }));
    const theirs = (oracle as GoExecOracle).exec(requests);
    const mismatches = requests.flatMap((r, i) => {
      const ours = execOurs(r);
      return sameOutcome(JSON.stringify(ours), JSON.stringify(theirs[i]))
        ? []
        : [{ text: r.text, data: JSON.stringify(r.data), ours, go: theirs[i] }];
    });
    const ok = theirs.filter((t) => t.ok).length;
    const execErrors = theirs.filter((t) => !t.ok && t.error.includes('executing')).length;
    console.log(
      `    ${requests.length} templates: Go prints ${ok}, fails executing ${execErrors}, rejects ${requests.length - ok - execErrors} at parse; ${mismatches.length} disagreements`,
    );
    assert.ok(ok > requests.length / 4 && execErrors > requests.length / 10, 'the generator covers output and execution errors');
    assert.deepEqual(mismatches.slice(0, 5), []);
  });
});

describe('Go template executor: top-level statements replayed (render/statements.ts relies on it)', () => {
  it('prints what running every statement prints, variables and errors included, when each replayable one is replayed', () => {
    const requests: ExecRequest[] = fc
      .sample(fc.tuple(program, root), { seed: 16, numRuns: 2000 })
      .map(([text, d]) => ({ name: 'gen', text, exec: 'gen', data: JSON.parse(JSON.stringify(d)) }));
    let replayedRuns = 0;
    const mismatches = requests.flatMap((r) => {
      const plain = execOurs(r);
      const { recorded, replayed, statements } = execReplayed(r);
      if (recorded.ok && statements > 0) replayedRuns++;
      // a recorded run is a plain run; a replay is made only of a run that succeeded
      const want = recorded.ok ? plain : recorded;
      return JSON.stringify(recorded) === JSON.stringify(plain) && JSON.stringify(replayed) === JSON.stringify(want)
        ? []
        : [{ text: r.text, plain, recorded, replayed }];
    });
    assert.ok(replayedRuns > requests.length / 4, `replays exercised (${replayedRuns})`);
    assert.deepEqual(mismatches.slice(0, 3), []);
  });
});
