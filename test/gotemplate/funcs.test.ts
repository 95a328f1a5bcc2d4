// Differential test of the template functions against istiod's own function map run by Go: the same
// calls (a table per parameter type, edge cases included, plus generated strings) through both, and the
// result's %T, JSON and %v (or the error) compared. Also: every function we define has Go's signature.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { istioTemplateFunctions } from '../../src/core/gotemplate/funcs/index.ts';
import { GO_ASSIGNED_RANGES, GO_UNICODE_VERSION } from '../../src/core/gotemplate/funcs/unicode15.ts';
import { goAvailable } from './go-parse-oracle.ts';
import { decimalCalls, jsonCalls, mergeCalls, regexCalls, semverCalls, yamlCalls } from './funcs-cases.ts';
import { documentCalls, generatedCalls, tableCalls } from './funcs-calls.ts';
import { funcsOracleBinary, goSignatures, normalise, runGo, runOurs } from './funcs-oracle.ts';

/**
 * The differences we accept, by name: a cut inside a UTF-8 sequence (Go makes invalid UTF-8, which a JS
 * string cannot hold: we refuse), and b64dec/b32dec giving bytes that are not UTF-8 (the same).
 */
function knownDifference(got: ReturnType<typeof normalise>, exp: ReturnType<typeof normalise>): string | undefined {
  if ('error' in got && got.error.includes('multi-byte character') && !('error' in exp) && exp.json.includes('\\ufffd')) return 'invalid UTF-8 cut';
  if ('error' in got && got.error.includes('decoded bytes are not UTF-8') && !('error' in exp) && exp.json.includes('\\ufffd'))
    return 'decoded bytes not UTF-8';
  return undefined;
}

describe('Go template functions, against istiod’s function map run by Go', function () {
  this.timeout(180_000);
  let binary = '';
  before(function () {
    if (!goAvailable()) this.skip();
    binary = funcsOracleBinary();
  });
  const ours = istioTemplateFunctions((name) => ({ ISTIO_VENDOR: 'acme' })[name]);

  it('defines each function with Go’s parameter types', () => {
    const sigs = goSignatures(binary);
    const goType = (t: string) => t.replace(/interface \{\}/g, 'any');
    for (const [name, f] of Object.entries(ours)) {
      assert.ok(sigs[name], `${name} is not in istiod's function map`);
      assert.deepEqual(
        [f.params, f.variadic],
        [sigs[name]!.params.map(goType), sigs[name]!.variadic ? goType(sigs[name]!.variadic!) : undefined],
        name,
      );
    }
  });

  it('answers a table of calls as Go does (result type, JSON, %v, or the error)', () => {
    const sigs = goSignatures(binary);
    // env reads istiod's environment; keys and values follow Go's random map order (ours: sorted, checked below)
    const names = Object.keys(ours).filter((n) => !['env', 'fail', 'keys', 'values'].includes(n));
    const calls = [
      ...tableCalls(sigs, names),
      ...generatedCalls(),
      ...regexCalls(),
      ...yamlCalls(),
      ...semverCalls(),
      ...decimalCalls(),
      ...jsonCalls(),
      ...documentCalls(),
      ...mergeCalls(),
    ];
    const want = runGo(binary, calls);
    const mismatches: string[] = [];
    const known: Record<string, number> = {};
    calls.forEach((c, i) => {
      const got = normalise(runOurs(ours, c));
      const exp = normalise(want[i]!);
      if (JSON.stringify(got) === JSON.stringify(exp)) return;
      const why = knownDifference(got, exp);
      if (why) known[why] = (known[why] ?? 0) + 1;
      else mismatches.push(`${c.fn}(${JSON.stringify(c.args)}): go ${JSON.stringify(exp)} ours ${JSON.stringify(got)}`);
    });
    if (process.env.FUNCS_DUMP) console.log(calls.length, 'calls; known differences:', known);
    if (process.env.FUNCS_DUMP) for (const m of mismatches) console.log(m.slice(0, 600));
    assert.ok(calls.length > 1000, `only ${calls.length} calls`);
    assert.deepEqual(mismatches.slice(0, 40), [], `${mismatches.length} of ${calls.length} calls differ`);
  });

  it('uses the Unicode tables Go has (its letters, digits, printable characters), not Node’s newer ones', () => {
    const [version, ranges] = execFileSync(binary, ['unicode-assigned']).toString('utf8').trim().split('\n');
    assert.equal(GO_UNICODE_VERSION, version);
    assert.equal(GO_ASSIGNED_RANGES, ranges);
  });

  it('reads istiod’s environment through the env parameter only', () => {
    assert.equal(ours.env!.call('ISTIO_VENDOR', 'none'), 'acme');
    assert.equal(ours.env!.call('UNSET_VARIABLE', 'none'), 'none');
  });

  it('refuses counts that would make huge results, naming the function', () => {
    assert.throws(() => ours.until!.call(10n ** 9n), /until/);
    assert.throws(() => ours.repeat!.call(10n ** 9n, 'ab'), /repeat/);
  });
});
