// The trees our Go-template parser builds, and its limits: what later stages (execution) rely on.
import assert from 'node:assert/strict';
import { type ActionNode, MAX_PARSE_DEPTH, parseGoTemplates, type RangeNode } from '../../src/core/gotemplate/index.ts';
import { isInjectionError } from '../../src/core/errors.ts';

const rootOf = (text: string, name = 't') => {
  const tree = parseGoTemplates(name, text).get(name);
  assert.ok(tree);
  return tree.root.nodes;
};

describe('Go template parser: trees and limits', () => {
  it('trims the text around {{- and -}} and drops comments', () => {
    assert.deepEqual(
      rootOf('a  {{- /* gone */ -}}\n  b {{- 1 -}} c').map((n) => n.kind),
      ['text', 'text', 'action', 'text'],
    );
    assert.deepEqual(
      rootOf('a  {{- /* gone */ -}}\n  b {{- 1 -}} c').flatMap((n) => (n.kind === 'text' ? [n.text] : [])),
      ['a', 'b', 'c'],
    );
  });

  it('builds field chains, variables and parenthesised pipelines as Go does', () => {
    const [action] = rootOf('{{ $x := (index .A 0).B.C | printf "%v" }}') as ActionNode[];
    assert.ok(action);
    assert.deepEqual(
      action.pipe.decl.map((d) => d.ident),
      [['$x']],
    );
    const [first, second] = action.pipe.cmds;
    const chain = first?.args[0];
    assert.equal(chain?.kind, 'chain');
    assert.deepEqual(chain?.kind === 'chain' ? chain.field : [], ['B', 'C']);
    assert.deepEqual(
      second?.args.map((a) => a.kind),
      ['identifier', 'string'],
    );
  });

  it('keeps range declarations, else and break inside the range', () => {
    const [range] = rootOf('{{range $i, $v := .L}}{{if $v}}{{break}}{{end}}{{else}}none{{end}}') as RangeNode[];
    assert.equal(range?.kind, 'range');
    assert.deepEqual(
      range?.pipe.decl.map((d) => d.ident[0]),
      ['$i', '$v'],
    );
    assert.equal(range?.elseList?.nodes[0]?.kind, 'text');
  });

  it('reads Go literals: escapes, runes, hex, octal, floats and imaginary numbers', () => {
    const [action] = rootOf('{{print "a\\tb\\u00e9" `r\\n` \'\\x41\' 0x1F 0o17 017 1_000 1.5e3 2i}}') as ActionNode[];
    const args = action?.pipe.cmds[0]?.args ?? [];
    assert.deepEqual(
      args.slice(1, 3).map((a) => (a.kind === 'string' ? a.text : '')),
      ['a\tbé', 'r\\n'],
    );
    assert.deepEqual(
      args.slice(3, 9).map((a) => (a.kind === 'number' ? a.int : undefined)),
      [65n, 31n, 15n, 15n, 1000n, 1500n],
    );
    assert.deepEqual(args[9]?.kind === 'number' ? args[9].complex : undefined, { re: 0, im: 2 });
  });

  it('names the template and the line of a parse error, and the function it does not know', () => {
    assert.throws(() => parseGoTemplates('sidecar', 'a\n{{ if .X }}\n{{ nope 1 }}{{ end }}', { functions: [] }), {
      message: 'template: sidecar:3: function "nope" not defined',
    });
    assert.throws(() => parseGoTemplates('gw', '{{define "x"}}a{{end}}\n{{define "x"}}b{{end}}'), {
      message: 'template: gw:2: template: multiple definition of template "x"',
    });
  });

  it(`refuses nesting deeper than ${MAX_PARSE_DEPTH} levels with an error, not a stack overflow`, () => {
    const deepParens = `{{${'('.repeat(MAX_PARSE_DEPTH + 1)}1${')'.repeat(MAX_PARSE_DEPTH + 1)}}}`;
    assert.throws(
      () => parseGoTemplates('t', deepParens),
      (e: unknown) => isInjectionError(e) && e.message === 'template: t:1: max expression depth exceeded',
    );
    const deepIfs = `${'{{if .}}'.repeat(MAX_PARSE_DEPTH + 1)}${'{{end}}'.repeat(MAX_PARSE_DEPTH + 1)}`;
    assert.throws(() => parseGoTemplates('t', deepIfs), /template: t:1: max nesting depth exceeded/);
    const fine = `${'{{if .}}'.repeat(MAX_PARSE_DEPTH - 1)}${'{{end}}'.repeat(MAX_PARSE_DEPTH - 1)}`;
    assert.equal(parseGoTemplates('t', fine).size, 1);
  });
});
