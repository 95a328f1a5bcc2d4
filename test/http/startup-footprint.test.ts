import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { REPO_ROOT } from '../helpers/deploy-render.ts';

// The serve command's modules, loaded in a fresh process: Node's bundled undici (fetch, WebSocket) is
// not among them. An ES import of node:http loads all of it (2.5 MB of heap the webhook never uses:
// src/http/node-http.ts); this catches one slipping back in.
describe('startup footprint', () => {
  it('serving loads none of the fetch/WebSocket client that node:http exports', () => {
    const probe = [
      "await import('./src/cli/serve-command.ts');",
      "await import('./src/serve/serve.ts');",
      "process.stdout.write(JSON.stringify(process.moduleLoadList.filter((m) => m.includes('undici'))));",
    ].join('\n');
    const loaded = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', probe], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      timeout: 30_000,
    });
    assert.deepEqual(JSON.parse(loaded), []);
  });
});
