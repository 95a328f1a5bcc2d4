// `{{ $x = append $x v }}` runs in place (exec/append.ts) while nothing else holds $x's list: the output, the
// errors and the pod-value spans are those of sprig's copying append, whatever else the template does with
// the list (copies it to another variable, appends it to itself, passes it on, ranges over it meanwhile).
import assert from 'node:assert/strict';
import { istioTemplateFunctions } from '../../src/core/gotemplate/funcs/index.ts';
import { compileGoTemplates } from '../../src/core/gotemplate/index.ts';
import { type GoFunction, type GoValue, Tainted } from '../../src/core/gotemplate/value.ts';

const inPlace = istioTemplateFunctions(() => undefined);
// the same functions with append and push unmarked: the executor calls them, and they copy
const copying: Record<string, GoFunction> = Object.fromEntries(
  Object.entries(inPlace).map(([name, fn]) => {
    const { appends: _marked, ...plain } = fn;
    return [name, plain];
  }),
);

function run(functions: Record<string, GoFunction>, text: string, data: GoValue) {
  try {
    const r = compileGoTemplates('t', text, functions).execute('t', data);
    return { text: r.text, spans: r.tainted.map((s) => [s.start, s.end, s.structured]) };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

const data = (): GoValue => ({ L: ['a', 'b', 'c'], Pod: new Tainted({ names: ['p1', 'p2'] }), N: null });

const CASES = [
  '{{$a := list}}{{range .L}}{{$a = append $a .}}{{end}}{{$b := $a}}{{$a = append $a "x"}}{{$b}} {{$a}}',
  '{{$a := list 1}}{{$a = append $a 2}}{{$c := $a}}{{$a = append $a 3}}{{$a = append $a 4}}{{$c}} {{$a}}',
  '{{$a := list}}{{$a = append $a .L}}{{$a = append $a .L}}{{$a}}',
  '{{$a := list}}{{$a = append $a 1}}{{$a = append $a $a}}{{$a = append $a $a}}{{len $a}} {{$a}}',
  '{{$a := list}}{{range .L}}{{$a = push $a .}}{{range $a}}[{{.}}]{{end}}{{end}} {{$a}}',
  '{{$a := list}}{{range $i, $n := .Pod.names}}{{$a = append $a $n}}{{$a = mustAppend $a $i}}{{end}}{{$a | join ","}}',
  '{{$a := list}}{{range .L}}{{$a = append $a .}}{{end}}{{$d := dict "k" $a}}{{$a = append $a "z"}}{{$d.k}} {{$a}}',
  '{{$a := list}}{{range .L}}{{$a = append $a .}}{{if eq . "b"}}{{break}}{{end}}{{end}}{{$a}}',
  '{{$a := splitList "," "x,y"}}{{$a = append $a "z"}}{{$a = append $a "w"}}{{$a}} {{typeOf $a}}',
  '{{$a := .N}}{{$a = append $a 1}}{{$a}}',
  '{{$a := "str"}}{{$a = append $a 1}}{{$a}}',
  '{{$a := list}}{{range .L}}{{$a := append $a .}}{{$a = append $a .}}{{$a}}{{end}}{{$a}}',
  '{{define "T"}}{{$a := list}}{{range .}}{{$a = append $a .}}{{end}}{{$a}}{{end}}{{template "T" .L}}{{template "T" .L}}',
];

describe('Go template executor: $x = append $x v in place', () => {
  it('gives what copying append gives: output, errors and pod-value spans', () => {
    for (const text of CASES) assert.deepEqual(run(inPlace, text, data()), run(copying, text, data()), text);
  });

  it('leaves a list another variable holds as it was', () => {
    assert.deepEqual(run(inPlace, CASES[0]!, data()), { text: '[a b c] [a b c x]', spans: [] });
  });

  it('stays linear: 200,000 appends in a range (sprig copies: 20 billion items)', () => {
    const t0 = performance.now();
    const r = run(
      inPlace,
      '{{$a := list}}{{range .}}{{$a = append $a .}}{{end}}{{len $a}}',
      Array.from({ length: 200_000 }, (_, i) => i),
    );
    assert.deepEqual(r, { text: '200000', spans: [] });
    assert.ok(performance.now() - t0 < 5_000, 'within 5 s');
  });
});
