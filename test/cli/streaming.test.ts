import assert from 'node:assert/strict';
import { runCli } from '../../src/cli/main.ts';
import { progress } from '../../src/cli/progress.ts';
import { parseDocuments } from '../../src/core/documents.ts';
import { memoryIO } from '../helpers/cli.ts';

const deployment = (i: number) =>
  `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-${i}\nspec:\n  selector:\n    matchLabels: {app: a}\n  template:\n    metadata:\n      labels: {app: a}\n    spec:\n      containers:\n      - name: app\n        image: app:1\n`;
const N = 30;
// the last document is broken YAML: an answer that waited for the whole input would write nothing
const input = [...Array.from({ length: N }, (_, i) => deployment(i)), 'kind: [unclosed\n'].join('---\n');

/** memoryIO that records, at each stdout write, how much of stderr had been written (the error comes last). */
function recordingIO() {
  const io = memoryIO(input);
  const writes: Array<{ text: string; errorSeen: boolean }> = [];
  const stdout = io.stdout;
  io.stdout = (t) => {
    writes.push({ text: t, errorSeen: io.err().includes('not valid YAML') });
    stdout(t);
  };
  return { io, writes };
}

describe('explain and inject write each object as it is done, not all at the end', () => {
  it('explain: one write per object, every one before the input is read to its end', async () => {
    const { io, writes } = recordingIO();
    assert.equal(await runCli(['explain', '-f', '-'], io), 1);
    assert.equal(writes.length, N);
    assert.match(writes[0]!.text, /^Deployment "app-0": inject/);
    assert.ok(writes.every((w) => !w.errorSeen));
    assert.match(io.err(), /document 31 is not valid YAML/);
  });

  it('explain -o json: the items before a broken document form a complete JSON array', async () => {
    const { io, writes } = recordingIO();
    assert.equal(await runCli(['explain', '-f', '-', '-o', 'json'], io), 1);
    assert.ok(writes.length > N);
    assert.equal(JSON.parse(io.out()).length, N);
  });

  it('inject: each object written as it is injected, the ones before a broken document kept', async () => {
    const { io, writes } = recordingIO();
    assert.equal(await runCli(['inject', '-f', '-'], io), 1);
    assert.equal(writes.length, N);
    assert.equal(parseDocuments(io.out()).length, N);
    assert.ok(writes.every((w) => !w.errorSeen));
  });
});

describe('progress on stderr for long inputs', () => {
  it('counts objects on a terminal stderr when stdout is a file or a pipe, and erases the line at the end', () => {
    let t = 0;
    const io = memoryIO();
    io.stderrIsTTY = true;
    io.stdoutIsTTY = false;
    const p = progress(io, 'explain', () => t);
    for (let i = 0; i < 10; i++) {
      t += 300;
      p.tick();
    }
    p.done();
    assert.match(io.err(), /\rexplain: 10 objects done…/);
    assert.ok(io.err().endsWith('\r\x1b[K'));
  });

  it('stays quiet when stderr is not a terminal, when stdout is one, and in the first second', () => {
    for (const [err, out, step] of [
      [false, false, 300],
      [true, true, 300],
      [true, false, 50],
    ] as const) {
      let t = 0;
      const io = memoryIO();
      io.stderrIsTTY = err;
      io.stdoutIsTTY = out;
      const p = progress(io, 'inject', () => t);
      for (let i = 0; i < 10; i++) {
        t += step;
        p.tick();
      }
      p.done();
      assert.equal(io.err(), '');
    }
  });
});
