// The executor is on every pod's critical path: a hostile template or hostile data ends in a clear error
// (LIMIT_EXCEEDED, naming what ran out) in bounded time, never a hang, a crash or a huge allocation.
import assert from 'node:assert/strict';
import { isInjectionError } from '../../src/core/errors.ts';
import { DEFAULT_EXEC_LIMITS, compileGoTemplates } from '../../src/core/gotemplate/index.ts';
import type { GoValue } from '../../src/core/gotemplate/value.ts';

function limitError(text: string, data: GoValue = {}, limits = {}): string {
  const started = Date.now();
  try {
    compileGoTemplates('t', text, {}).execute('t', data, limits);
  } catch (e) {
    assert.ok(Date.now() - started < 5_000, 'answers within 5 s');
    assert.ok(isInjectionError(e), String(e));
    assert.equal(e.code, 'LIMIT_EXCEEDED', e.message);
    return e.message;
  }
  return assert.fail('expected a limit error');
}

describe('Go template executor: limits', () => {
  it('stops output past its cap', () => {
    assert.match(limitError('{{range 100000}}0123456789{{end}}', {}, { maxOutputChars: 10_000 }), /output exceeds 10000 characters/);
  });

  it(`stops a loop past ${DEFAULT_EXEC_LIMITS.maxSteps} steps, with Go's location of the node`, () => {
    assert.match(limitError('{{range 1000000000}}{{end}}'), /^template: t:1:\d+: executing "t" at <.*>: execution took more than \d+ steps$/);
    const nested = { L: Array.from({ length: 2000 }, (_, i) => i) };
    assert.match(limitError('{{range .L}}{{range $.L}}{{.}}{{end}}{{end}}', nested, { maxSteps: 100_000 }), /execution took more than 100000 steps/);
  });

  it('stops recursion at the template depth limit, and exponential recursion by its steps', () => {
    assert.match(limitError('{{define "r"}}{{template "r" .}}{{end}}{{template "r" .}}'), /exceeded maximum template depth \(100\)/);
    assert.match(limitError('{{define "r"}}x{{template "r" .}}{{template "r" .}}{{end}}{{template "r" .}}'), /steps|depth/);
  });

  it('turns a stack too deep (recursion through deep nesting) into a limit error', () => {
    const nest = 900;
    const text = `{{define "r"}}${'{{if .}}'.repeat(nest)}{{template "r" .}}${'{{end}}'.repeat(nest)}{{end}}{{template "r" 1}}`;
    assert.match(limitError(text), /nested too deeply|maximum template depth/);
  });

  it('bounds what functions produce even when nothing is printed', () => {
    assert.match(
      limitError('{{range 1000}}{{$x := printf "%0999999d" 1}}{{end}}', {}, { maxProducedChars: 4_000_000 }),
      /functions produced more than 4000000 characters/,
    );
  });

  it('stays linear when a loop over pod data asks len and index of a large map each time', () => {
    const big = Object.fromEntries(Array.from({ length: 30_000 }, (_, i) => [`k${i}`, String(i)]));
    const data = { Big: big, L: Array.from({ length: 30_000 }, (_, i) => i) };
    const started = Date.now();
    const out = compileGoTemplates('t', '{{range .L}}{{if eq (len $.Big) 0}}x{{end}}{{index $.Big "k7"}}{{end}}', {}).execute('t', data);
    assert.equal(out.text.length, 30_000);
    assert.ok(Date.now() - started < 5_000, 'answers within 5 s');
  });

  it('runs within its limits: the same template with a small loop answers', () => {
    assert.equal(compileGoTemplates('t', '{{range 3}}{{.}}{{end}}', {}).execute('t', {}).text, '012');
  });
});
