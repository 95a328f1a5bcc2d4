// `sidecar-injector iptables` end to end in-process, with a fake host standing in for the binaries:
// what it runs, what it prints, and the exit codes a node operator sees. (netns.test.ts runs the real ones.)
import assert from 'node:assert/strict';
import type { Host } from '../../src/capture/apply.ts';
import type { ToolResult } from '../../src/capture/failures.ts';
import { generateRules } from '../../src/capture/rules.ts';
import { parseCaptureArgs } from '../../src/capture/parse-args.ts';
import { runIptables } from '../../src/cli/iptables-command.ts';
import { runCli } from '../../src/cli/main.ts';
import { memoryIO } from '../helpers/cli.ts';
import { DEFAULT_INJECTED_ARGS, saveFixture } from './helpers.ts';

const NFT = ['iptables-nft-save', 'iptables-nft-restore', 'ip6tables-nft-save', 'ip6tables-nft-restore'];
const LEGACY = ['iptables-legacy-save', 'iptables-legacy-restore', 'ip6tables-legacy-save', 'ip6tables-legacy-restore'];
const ok = (stdout = ''): ToolResult => ({ code: 0, stdout, stderr: '' });

interface Run {
  cmd: string;
  args: string[];
  input?: string;
  env?: Record<string, string>;
}

interface FakeOptions {
  installed?: string[];
  /** iptables-save output by binary name. */
  saves?: Record<string, string | ToolResult>;
  restore?: (cmd: string, input: string) => ToolResult;
  ip?: (args: string[]) => ToolResult;
  addresses?: Array<{ address: string; internal: boolean }>;
  lockWritable?: boolean;
  env?: Record<string, string>;
}

function fakeHost(o: FakeOptions = {}): Host & { runs: Run[]; ran(): string[] } {
  const installed = new Set(o.installed ?? [...NFT, ...LEGACY, 'ip']);
  const runs: Run[] = [];
  return {
    runs,
    ran: () => runs.map((r) => [r.cmd, ...r.args].join(' ')),
    env: o.env ?? {},
    which: (name) => (installed.has(name) ? `/usr/sbin/${name}` : undefined),
    addresses: () =>
      o.addresses ?? [
        { address: '127.0.0.1', internal: true },
        { address: '10.1.2.3', internal: false },
      ],
    readFile: () => undefined,
    defaultLockWritable: () => o.lockWritable ?? true,
    async run(argv, opts = {}) {
      const cmd = (argv[0] as string).replace(/^.*\//, '');
      const run: Run = { cmd, args: argv.slice(1) };
      if (opts.input !== undefined) run.input = opts.input;
      if (opts.env && Object.keys(opts.env).length > 0) run.env = opts.env;
      runs.push(run);
      if (cmd.endsWith('-save')) {
        const s = o.saves?.[cmd] ?? '';
        return typeof s === 'string' ? ok(s) : s;
      }
      if (cmd.endsWith('-restore')) return o.restore?.(cmd, opts.input ?? '') ?? ok();
      if (cmd === 'ip') return o.ip?.(argv.slice(1)) ?? ok();
      return { code: 127, stdout: '', stderr: `unexpected ${cmd}` };
    },
  };
}

async function cli(argv: string[], host: Host): Promise<{ code: number; out: string; err: string }> {
  const io = memoryIO();
  const code = await runIptables(argv, io, host);
  return { code, out: io.out(), err: io.err() };
}

const ARGS = DEFAULT_INJECTED_ARGS.slice(1); // as the capture-native template passes them
const RULES = generateRules(parseCaptureArgs(ARGS)).ipv4;

describe('sidecar-injector iptables: applying the rules', () => {
  it('applies them with iptables-restore --noflush in a clean namespace, nft when nothing says otherwise', async () => {
    const host = fakeHost();
    const r = await cli(ARGS, host);
    assert.equal(r.code, 0, r.err);
    // nft has no rules, so legacy is asked too (it has none either): nft, the first installed, is used.
    assert.deepEqual(host.ran(), ['iptables-nft-save', 'iptables-legacy-save', 'iptables-nft-save', 'iptables-nft-restore --noflush']);
    assert.equal(host.runs[3]?.input, RULES);
    assert.equal(
      r.out,
      'using iptables-nft (no rules in this network namespace yet; first one installed)\n' +
        `IPv4: iptables-nft-restore --noflush input:\n${RULES}IPv4: applied 18 rules with iptables-nft-restore --noflush\n`,
    );
  });

  it('does nothing when the same rules are already there', async () => {
    const host = fakeHost({ saves: { 'iptables-nft-save': saveFixture('default.nft.v4.txt') } });
    const r = await cli(ARGS, host);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(host.ran(), ['iptables-nft-save', 'iptables-nft-save']);
    assert.match(r.out, /rules already in place \(IPv4\); nothing to do/);
  });

  it('uses legacy iptables when the namespace has legacy rules, waiting for its lock and opening a lock file it can', async () => {
    const host = fakeHost({ saves: { 'iptables-legacy-save': '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -j ACCEPT\nCOMMIT\n' }, lockWritable: false });
    const r = await cli(ARGS, host);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(host.ran(), [
      'iptables-nft-save',
      'iptables-legacy-save',
      'iptables-legacy-save',
      'iptables-legacy-restore --noflush --wait=30',
    ]);
    assert.deepEqual(host.runs[3]?.env, { XTABLES_LOCKFILE: '/proc/self/ns/net' });
    assert.match(r.out, /^using iptables-legacy \(1 rules already in this network namespace\)/);
  });

  it('refuses to stack rules on different ones (exit 1), and replaces them with --reconcile', async () => {
    const other = saveFixture('default.nft.v4.txt').replace('-A ISTIO_INBOUND -p tcp -m tcp --dport 15020 -j RETURN\n', '');
    const refused = fakeHost({ saves: { 'iptables-nft-save': other } });
    const r = await cli(ARGS, refused);
    assert.equal(r.code, 1);
    assert.match(
      r.err,
      /^error: ISTIO_\* rules from an earlier run .* rerun with --reconcile to replace them, or with --cleanup-only to remove them\n$/,
    );
    assert.equal(
      refused.ran().some((c) => c.includes('restore')),
      false,
      'nothing written',
    );

    const host = fakeHost({ saves: { 'iptables-nft-save': other } });
    const ok2 = await cli([...ARGS, '--reconcile'], host);
    assert.equal(ok2.code, 0, ok2.err);
    const restores = host.runs.filter((x) => x.cmd === 'iptables-nft-restore');
    assert.equal(restores.length, 2);
    assert.match(restores[0]?.input ?? '', /^\*nat\n-D PREROUTING -p tcp -j ISTIO_INBOUND\n-D OUTPUT -j ISTIO_OUTPUT\n-F ISTIO_INBOUND\n/);
    assert.equal(restores[1]?.input, RULES);
  });

  it('writes ip6tables rules too in an IPv6 pod', async () => {
    const host = fakeHost({
      addresses: [
        { address: '::1', internal: true },
        { address: 'fd00::5', internal: false },
      ],
    });
    const r = await cli(ARGS, host);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(host.ran(), [
      'iptables-nft-save',
      'iptables-legacy-save',
      'iptables-nft-save',
      'ip6tables-nft-save',
      'iptables-nft-restore --noflush',
      'ip6tables-nft-restore --noflush',
      'ip -6 addr add ::6/128 dev lo',
    ]);
  });

  it('sets up TPROXY policy routing with ip, accepting routes that are already there', async () => {
    const host = fakeHost({ ip: (a) => (a.includes('route') ? { code: 2, stdout: '', stderr: 'RTNETLINK answers: File exists' } : ok()) });
    const r = await cli(['-m', 'TPROXY', '-b', '*'], host);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(
      host.ran().filter((c) => c.startsWith('ip ')),
      ['ip -4 rule add fwmark 1337 lookup 133', 'ip -4 route add local 0.0.0.0/0 dev lo table 133'],
    );
    assert.match(r.out, /ip -4 route add local 0\.0\.0\.0\/0 dev lo table 133 \(already present\)\n$/);
  });

  it('logs one JSON object a line with --log_as_json, as pilot-agent does', async () => {
    const r = await cli([...ARGS, '--log_as_json'], fakeHost());
    assert.equal(r.code, 0, r.err);
    const lines = r.out
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { level: string; msg: string; time: string });
    assert.deepEqual(
      lines.map((l) => l.level),
      ['info', 'info', 'info'],
    );
    assert.match(lines[2]?.msg ?? '', /^IPv4: applied 18 rules/);
  });

  it('applies nothing with --skip-rule-apply', async () => {
    const host = fakeHost();
    assert.equal((await cli([...ARGS, '--skip-rule-apply'], host)).code, 0);
    assert.deepEqual(host.runs, []);
  });
});

describe('sidecar-injector iptables: --dry-run and --cleanup-only', () => {
  it('--dry-run prints the iptables-restore input per family and the ip commands, running nothing', async () => {
    const host = fakeHost({ addresses: [{ address: 'fd00::5', internal: false }] });
    const r = await cli(['-n', '-m', 'TPROXY', '-b', '80'], host);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(host.runs, []);
    const rules = generateRules(parseCaptureArgs(['-m', 'TPROXY', '-b', '80']), { ipv6: true });
    assert.equal(
      r.out,
      `# iptables-restore --noflush (IPv4)\n${rules.ipv4}# ip6tables-restore --noflush (IPv6)\n${rules.ipv6}# routes\n` +
        'ip -6 addr add ::6/128 dev lo\nip -4 rule add fwmark 1337 lookup 133\nip -6 rule add fwmark 1337 lookup 133\n' +
        'ip -4 route add local 0.0.0.0/0 dev lo table 133\nip -6 route add local ::/0 dev lo table 133\n',
    );
  });

  it('takes istio-iptables environment variables (DRY_RUN, ISTIO_INBOUND_PORTS)', async () => {
    const host = fakeHost({ env: { DRY_RUN: 'true', ISTIO_INBOUND_PORTS: '8080' } });
    const r = await cli([], host);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /-A ISTIO_INBOUND -p tcp --dport 8080 -j ISTIO_IN_REDIRECT/);
  });

  it('--cleanup-only removes only our chains and jumps, in each family that has ip6tables', async () => {
    const host = fakeHost({ saves: { 'iptables-nft-save': saveFixture('default.nft.v4.txt') } });
    const r = await cli(['--cleanup-only'], host);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(host.ran(), ['iptables-nft-save', 'iptables-nft-save', 'iptables-nft-restore --noflush', 'ip6tables-nft-save']);
    assert.equal(
      host.runs[2]?.input,
      '*nat\n-D PREROUTING -p tcp -j ISTIO_INBOUND\n-D OUTPUT -j ISTIO_OUTPUT\n' +
        '-F ISTIO_INBOUND\n-F ISTIO_IN_REDIRECT\n-F ISTIO_OUTPUT\n-F ISTIO_REDIRECT\n-X ISTIO_INBOUND\n-X ISTIO_IN_REDIRECT\n-X ISTIO_OUTPUT\n-X ISTIO_REDIRECT\nCOMMIT\n',
    );
    assert.match(r.out, /IPv4: removed 4 chains .* and 2 jumps to them\nIPv6: no ISTIO_\* chains or jumps to remove\n$/);
  });
});

describe('sidecar-injector iptables: errors a node operator can act on', () => {
  it('exits 2 naming an invalid or unknown flag', async () => {
    for (const [argv, text] of [
      [['-p', '99999'], 'error: invalid value "99999" for -p: port 99999 is out of range (1-65535)\n'],
      [['--bogus'], 'error: unknown flag --bogus\n'],
      [
        ['--force-iptables-binary=nft'],
        'error: invalid value "nft" for --force-iptables-binary: expected one of iptables-nft, iptables-legacy, iptables\n',
      ],
      [['--cni-mode'], "error: --cni-mode is not supported: this command runs inside the pod's network namespace, as istio-init does\n"],
    ] as const) {
      const r = await cli([...argv], fakeHost());
      assert.equal(r.code, 2, argv.join(' '));
      assert.equal(r.err, text);
    }
    const env = await cli([], fakeHost({ env: { INBOUND_CAPTURE_PORT: 'x' } }));
    assert.equal(env.code, 2);
    assert.match(env.err, /for INBOUND_CAPTURE_PORT/);
  });

  it('exits 2 naming the missing binary', async () => {
    const none = await cli(ARGS, fakeHost({ installed: [] }));
    assert.equal(none.code, 2);
    assert.equal(
      none.err,
      'error: iptables-restore not found in PATH: install iptables in the image (or choose another backend with --force-iptables-binary)\n',
    );
    const noLegacy = await cli([...ARGS, '--force-iptables-binary=iptables-legacy'], fakeHost({ installed: NFT }));
    assert.match(noLegacy.err, /^error: iptables-legacy-save not found in PATH/);
    const noIp6 = await cli(
      ARGS,
      fakeHost({ installed: ['iptables-nft-save', 'iptables-nft-restore', 'ip'], addresses: [{ address: 'fd00::5', internal: false }] }),
    );
    assert.match(noIp6.err, /^error: ip6tables-nft-save not found in PATH/);
    const noIp = await cli(['-m', 'TPROXY', '-b', '*'], fakeHost({ installed: NFT }));
    assert.match(noIp.err, /^error: ip not found in PATH: install iproute2/);
  });

  it('exits 1 saying CAP_NET_ADMIN is needed when not allowed', async () => {
    const denied: ToolResult = {
      code: 4,
      stdout: '',
      stderr: 'iptables-nft-save v1.8.9 (nf_tables): Could not fetch rule set generation id: Permission denied (you must be root)\n',
    };
    const r = await cli(ARGS, fakeHost({ saves: { 'iptables-nft-save': denied, 'iptables-legacy-save': denied } }));
    assert.equal(r.code, 1);
    assert.match(r.err, /^error: iptables-nft-save failed: needs CAP_NET_ADMIN \(run as root\): /);
  });

  it('exits 1 showing the rule iptables-restore refused', async () => {
    const host = fakeHost({
      restore: () => ({ code: 1, stdout: '', stderr: 'iptables-nft-restore: line 9 failed: No chain/target/match by that name.' }),
    });
    const r = await cli(ARGS, host);
    assert.equal(r.code, 1);
    assert.equal(
      r.err,
      'error: iptables-nft-restore --noflush failed at input line 9 "-A PREROUTING -p tcp -j ISTIO_INBOUND": iptables-nft-restore: line 9 failed: No chain/target/match by that name.\n',
    );
  });

  it('is reachable as `sidecar-injector iptables` and explains itself with --help', async () => {
    const io = memoryIO();
    assert.equal(await runCli(['iptables', '--help'], io), 0);
    assert.match(io.out(), /^usage: sidecar-injector iptables \[istio-iptables flags\]/);
  });
});
