// Issue 12 rows for the CLI: hostile files get one line on stderr naming the cap or the field and exit
// code 1 (never a stack trace); prototype-named kinds pass through.
import assert from 'node:assert/strict';
import { runCli } from '../../src/cli/main.ts';
import { memoryIO } from '../helpers/cli.ts';

async function cli(command: string, input: string) {
  const io = memoryIO(input);
  const code = await runCli([command, '-f', '-'], io);
  return { code, out: io.out(), err: io.err() };
}

const BOMB =
  'a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n';

describe('CLI with hostile input', () => {
  for (const command of ['inject', 'explain']) {
    it(`${command}: refuses an alias bomb, deep nesting, a stream of empty documents and a List of non-objects in one line`, async () => {
      const cases: Array<[string, RegExp]> = [
        [BOMB, /MAX_YAML_ALIASES/],
        [`kind: Pod\nspec: ${'['.repeat(100_000)}${']'.repeat(100_000)}\n`, /MAX_NESTING_DEPTH/],
        ['---\n'.repeat(20_000), /MAX_DOCUMENTS/],
        [JSON.stringify({ kind: 'List', items: [{ kind: 'Pod' }, null] }), /List item 2 is null, not a Kubernetes object/],
      ];
      for (const [input, why] of cases) {
        const r = await cli(command, input);
        assert.equal(r.code, 1);
        assert.match(r.err, why);
        assert.equal(r.err.trim().split('\n').length, 1, r.err);
        assert.doesNotMatch(r.err, /\n\s+at /);
      }
    });
  }

  it('inject: passes prototype-named kinds through, and names a type-confused ownerReferences', async () => {
    const r = await cli('inject', 'kind: constructor\nmetadata: {name: a}\n---\nkind: __proto__\nmetadata: {name: b}\n');
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /kind: constructor[\s\S]*kind: __proto__/);
    const bad = await cli(
      'inject',
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'p', ownerReferences: 'x' },
        spec: { containers: [{ name: 'a', image: 'a' }] },
      }),
    );
    assert.equal(bad.code, 1);
    assert.match(bad.err, /^error: .*metadata\.ownerReferences must be a list of objects \[INVALID_OBJECT\]\n$/);
  });
});
