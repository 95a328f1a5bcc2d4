// The CLI never leaves a user guessing: --help/-h on every command and subcommand prints its usage (exit 0),
// --version prints package.json's version, and every error is one line naming the flag or file (exit 2 for
// a usage error, 1 for a failure).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXPLAIN, INJECT, KUBE_INJECT, NAMESPACE, SERVE, SUMMARIES, TAG } from '../../src/cli/commands.ts';
import type { CommandSpec } from '../../src/cli/flags.ts';
import { runCli } from '../../src/cli/main.ts';
import { memoryIO } from '../helpers/cli.ts';

async function cli(...argv: string[]) {
  const io = memoryIO('');
  const code = await runCli(argv, io);
  return { code, out: io.out(), err: io.err() };
}

const oneLine = (s: string) => s.trim().split('\n').length === 1;
const PKG = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'package.json'), 'utf8')) as { version: string };

describe('CLI help', () => {
  const withSubs = (s: CommandSpec): CommandSpec[] => [s, ...(s.subcommands ?? [])];
  const specs = [INJECT, KUBE_INJECT, EXPLAIN, SERVE, ...withSubs(NAMESPACE), ...withSubs(TAG)];
  for (const spec of specs) {
    for (const flag of ['--help', '-h']) {
      it(`${spec.name} ${flag}: its usage on stdout, every flag of its table listed, exit 0`, async () => {
        const r = await cli(...spec.name.split(' '), flag);
        assert.equal(r.code, 0, r.err);
        assert.equal(r.err, '');
        assert.ok(r.out.startsWith(`usage: sidecar-injector ${spec.name} `), r.out);
        for (const f of spec.flags) assert.ok(r.out.includes(`--${f.name}`), `--${f.name} in:\n${r.out}`);
      });
    }
  }

  it('a command with --help among wrong flags still prints the help', async () => {
    const r = await cli('inject', '--bogus', '--help');
    assert.equal(r.code, 0);
    assert.match(r.out, /^usage: sidecar-injector inject/);
  });

  it('iptables --help and -h: its usage, exit 0', async () => {
    for (const flag of ['--help', '-h']) {
      const r = await cli('iptables', flag);
      assert.equal(r.code, 0);
      assert.match(r.out, /^usage: sidecar-injector iptables/);
    }
  });

  it('the top-level usage lists every command with a summary and points to <command> --help', async () => {
    for (const argv of [['--help'], ['-h'], ['help']]) {
      const r = await cli(...argv);
      assert.equal(r.code, 0);
      for (const [name, summary] of SUMMARIES) assert.ok(r.out.includes(`  ${name.padEnd(14)}${summary}`), name);
      assert.match(r.out, /sidecar-injector <command> --help/);
    }
  });

  it('no command: the usage on stderr, exit 2', async () => {
    const r = await cli();
    assert.equal(r.code, 2);
    assert.match(r.err, /^usage: sidecar-injector <command>/);
  });

  it("--version and version print package.json's version, exit 0", async () => {
    for (const argv of ['--version', 'version']) {
      const r = await cli(argv);
      assert.equal(r.code, 0);
      assert.equal(r.out, `sidecar-injector ${PKG.version}\n`);
    }
  });
});

describe('CLI errors', () => {
  const usage: Array<[string[], RegExp]> = [
    [['inject', '--bogus'], /^error: unknown flag --bogus for inject \(see: sidecar-injector inject --help\)$/],
    [['explain', '-f'], /^error: -f, --filename needs a value \(see: sidecar-injector explain --help\)$/],
    [['inject'], /^error: inject needs -f FILE/],
    [['kube-inject'], /^error: kube-inject needs -f FILE/],
    [['inject', '-f', '-', '-o', 'xml'], /^error: -o must be one of yaml, json \(got "xml"\)$/],
    [['explain', '-f', '-', '-o', 'xml'], /^error: -o must be one of text, json, yaml \(got "xml"\)$/],
    [['inject', '-f', '-', '--native-sidecars', 'yes'], /^error: --native-sidecars must be one of true, false, auto \(got "yes"\)$/],
    [['namespace'], /^error: namespace needs a subcommand \(see: sidecar-injector namespace --help\)$/],
    [['tag', 'set'], /^error: tag set needs exactly one TAG \(see: sidecar-injector tag --help\)$/],
    [['frobnicate'], /^error: unknown command "frobnicate" \(see: sidecar-injector --help\)$/],
    [['serve', '--log-level', 'loud'], /^error: --log-level must be one of trace, debug, info, warn, error, fatal, silent \(got "loud"\)$/],
    [['inject', '-f', '-', '--set-file', 'values.x'], /^error: --set-file "values\.x": want KEY=PATH$/],
  ];
  for (const [argv, message] of usage) {
    it(`${argv.join(' ')}: one line naming what is wrong, exit 2`, async () => {
      const r = await cli(...argv);
      assert.equal(r.code, 2, r.err);
      assert.match(r.err.trim(), message);
      assert.ok(oneLine(r.err), r.err);
    });
  }

  const failures: Array<[string[], string]> = [
    [['inject', '-f', '/nonexistent/pods.yaml'], 'error: -f /nonexistent/pods.yaml: no such file'],
    [['explain', '-f', '/nonexistent/pods.yaml'], 'error: -f /nonexistent/pods.yaml: no such file'],
    [['kube-inject', '-f', '/nonexistent/pods.yaml'], 'error: -f /nonexistent/pods.yaml: no such file'],
    [['inject', '-f', '/'], 'error: -f /: a directory, not a file'],
    [
      ['inject', '-f', '-', '--set-file', 'values.x=/nonexistent/x'],
      'error: --set-file values.x=/nonexistent/x: cannot read /nonexistent/x (ENOENT)',
    ],
  ];
  for (const [argv, line] of failures) {
    it(`${argv.join(' ')}: "${line}", exit 1`, async () => {
      const r = await cli(...argv);
      assert.equal(r.code, 1, r.err);
      assert.equal(r.err, `${line}\n`);
    });
  }

  it('a --values file that is missing: one line naming --values and the file, exit 1', async () => {
    const r = await cli('inject', '-f', '-', '--values', '/nonexistent/values.yaml');
    assert.equal(r.code, 1);
    assert.match(r.err, /^error: cannot read --values file \/nonexistent\/values\.yaml: ENOENT/);
    assert.ok(oneLine(r.err));
  });
});
