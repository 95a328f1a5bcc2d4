// The CLI loads settings istiod accepts with a warning, and says what it read differently on stderr.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/cli/main.ts';
import { parseDocuments } from '../../src/core/documents.ts';
import { memoryIO } from '../helpers/cli.ts';

describe('CLI settings warnings', () => {
  const dir = mkdtempSync(join(tmpdir(), 'si-cli-warn-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const command of ['inject', 'explain']) {
    it(`${command}: loads a config with an unknown field and a pull secret no Secret can be named, warning on stderr`, async () => {
      const config = join(dir, 'config');
      writeFileSync(config, 'polcy: disabled\n');
      const values = join(dir, 'values');
      writeFileSync(values, JSON.stringify({ global: { imagePullSecrets: ['barSecret'] } }));
      const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'app', image: 'app:1' }] } };
      const io = memoryIO(JSON.stringify(pod));
      const code = await runCli([command, '-f', '-', '--config', config, '--values', values, '--native-sidecars', 'false'], io);
      assert.equal(code, 0, io.err());
      assert.match(io.err(), /^warning: config\.polcy: unknown field, ignored as Istio ignores it$/m);
      assert.match(io.err(), /^warning: values\.global\.imagePullSecrets\[0\] "barSecret"/m);
      if (command === 'inject')
        assert.deepEqual((parseDocuments(io.out())[0]!.spec as { imagePullSecrets: unknown }).imagePullSecrets, [{ name: 'barSecret' }]);
    });
  }
});
