// The executor against Go's text/template, case by case: every language feature of exec-cases.ts gives
// the same output, or fails with the same message (template, line, byte column, node, text).
import assert from 'node:assert/strict';
import { EXEC_CASES } from './exec-cases.ts';
import { GoExecOracle, type ExecRequest, execOurs } from './exec-oracle.ts';
import { goAvailable } from './go-parse-oracle.ts';

describe('Go template executor: language features against Go text/template', function () {
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

  it('prints and fails as Go does on every hand-written case', () => {
    const requests: ExecRequest[] = EXEC_CASES.map((c) => ({
      name: 't',
      text: c.text,
      exec: c.exec ?? 't',
      data: c.data,
      fixture: c.fixture === true,
    }));
    const theirs = (oracle as GoExecOracle).exec(requests);
    const mismatches = requests.flatMap((r, i) => {
      const ours = execOurs(r);
      return JSON.stringify(ours) === JSON.stringify(theirs[i]) ? [] : [{ text: r.text, ours, go: theirs[i] }];
    });
    const failing = theirs.filter((t) => !t.ok).length;
    console.log(`    ${requests.length} cases (${failing} are Go errors); ${mismatches.length} disagreements`);
    assert.ok(failing > 30 && requests.length - failing > 60, 'the table covers both outputs and errors');
    assert.deepEqual(mismatches, []);
  });
});
