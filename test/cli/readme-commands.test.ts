// Every `sidecar-injector …` command the README shows in a `sh` block runs as written from a clone: each is
// run verbatim through the CLI (in-process, from the repository's root) and must exit 0. The ones that need a
// cluster, a server or root are listed below with the reason; a README command neither run nor listed fails.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../../src/cli/main.ts';
import { memoryIO } from '../helpers/cli.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

/** Commands that cannot run offline, by their text, with why. */
const SKIP: Record<string, string> = {
  'npx sidecar-injector inject -f examples/deployment.yaml --config istio-cms.yaml --values istio-cms.yaml --mesh istio-cms.yaml':
    'istio-cms.yaml is what kubectl writes from a cluster (the same run with examples/istio-cms.yaml is run)',
  'npx sidecar-injector kube-inject -f examples/deployment.yaml': "reads istiod's ConfigMaps from a cluster (test/e2e/kube-inject.test.ts)",
  'npx sidecar-injector explain -f examples/deployment.yaml -n shop --kubeconfig ~/.kube/config': 'reads the cluster (test/e2e/cluster-view.test.ts)',
  'sidecar-injector tag set prod --revision canary [--overwrite] [--dry-run -o yaml|json] [--kubeconfig F]':
    'a synopsis; needs a cluster (test/e2e/tags.test.ts)',
  'sidecar-injector namespace enable shop --revision prod': 'needs a cluster (test/e2e/tags.test.ts)',
  'sidecar-injector tag list [-o json]': 'a synopsis; needs a cluster (test/e2e/tags.test.ts)',
  'sidecar-injector tag remove prod [--force]': 'a synopsis; needs a cluster (test/e2e/tags.test.ts)',
  'npx sidecar-injector namespace enable my-app': 'needs a cluster (test/e2e/install-walkthrough.test.ts)',
  'npx sidecar-injector namespace status my-app --kubeconfig ~/.kube/config': 'needs a cluster (test/e2e/install-walkthrough.test.ts)',
  'npx sidecar-injector explain -f examples/deployment.yaml -n my-app --kubeconfig ~/.kube/config':
    'needs a cluster (test/e2e/install-walkthrough.test.ts)',
  'npx sidecar-injector namespace enable shop --revision canary': 'needs a cluster (test/e2e/revisions.test.ts)',
  'npx sidecar-injector namespace enable shop --revision default': 'needs a cluster (test/e2e/revisions.test.ts)',
  'npx sidecar-injector namespace enable shop --revision prod': 'needs a cluster (test/e2e/revisions.test.ts)',
  'npx sidecar-injector tag set default --revision canary': 'needs a cluster (test/e2e/revisions.test.ts)',
  'npx sidecar-injector tag set prod --revision 1-2-0 --overwrite': 'needs a cluster (test/e2e/revisions.test.ts)',
  'npx sidecar-injector tag set prod --revision 1-1-0 --overwrite': 'needs a cluster (test/e2e/revisions.test.ts)',
};

/** The README's `sh` blocks' sidecar-injector commands, one per line, comments removed. */
function readmeCommands(): string[] {
  const blocks = [...README.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
  return blocks
    .flatMap((b) => b.split('\n'))
    .map((l) => l.replace(/\s+#.*$/, '').trim())
    .filter((l) => /^(npx )?sidecar-injector /.test(l));
}

/** Shell words as sh splits this simple subset: '…' and "…" quotes, `< FILE` as standard input. */
function words(line: string): { argv: string[]; stdin?: string } {
  const argv: string[] = [];
  let stdin: string | undefined;
  const re = /'([^']*)'|"([^"]*)"|(<)|(\S+)/g;
  let redirect = false;
  for (const m of line.matchAll(re)) {
    if (m[3]) {
      redirect = true;
      continue;
    }
    const w = m[1] ?? m[2] ?? m[4]!;
    if (redirect) {
      stdin = w;
      redirect = false;
    } else argv.push(w);
  }
  return { argv: argv.slice(argv[0] === 'npx' ? 2 : 1), stdin };
}

describe('README commands', () => {
  const commands = readmeCommands();

  it('finds the commands of the README (sanity check of this test)', () => {
    assert.ok(commands.length >= 10, commands.join('\n'));
    for (const c of Object.keys(SKIP)) assert.ok(commands.includes(c), `skip list entry not in the README: ${c}`);
  });

  for (const command of commands) {
    if (SKIP[command]) {
      it(`${command}: not run here (${SKIP[command]})`);
      continue;
    }
    it(`${command}: exits 0`, async function () {
      this.timeout(120_000);
      const { argv, stdin } = words(command);
      const io = memoryIO(stdin === undefined ? '' : readFileSync(join(ROOT, stdin), 'utf8'));
      const cwd = process.cwd();
      process.chdir(ROOT);
      try {
        const code = await runCli(argv, io);
        assert.equal(code, 0, io.err());
        // kube-inject -o FILE writes there, as istioctl does
        const outFile = argv[0] === 'kube-inject' && argv.includes('-o') ? argv[argv.indexOf('-o') + 1]! : undefined;
        assert.notEqual(outFile ? readFileSync(outFile, 'utf8') : io.out(), '', 'some output');
        assert.doesNotMatch(io.err(), /^(error|warning):/m);
      } finally {
        process.chdir(cwd);
      }
    });
  }
});
