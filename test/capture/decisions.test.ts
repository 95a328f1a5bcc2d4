// The decisions behind `sidecar-injector iptables`, without running anything: backend, IPv6, DNS servers,
// what to do with rules already there, and what a failed command tells the operator.
import assert from 'node:assert/strict';
import { chooseVariant, countSavedRules, forcedVariant, lockEnv, toolsOf, type VariantProbe } from '../../src/capture/backend.ts';
import { CaptureSettingError } from '../../src/capture/errors.ts';
import { isAlreadyPresent, toolFailure } from '../../src/capture/failures.ts';
import { decideApply, unsupportedSetting, type FamilyState } from '../../src/capture/plan.ts';
import { captureRuntime, nameservers, podHasIPv6 } from '../../src/capture/pod-network.ts';
import { defaultCaptureSettings } from '../../src/capture/settings.ts';
import { parseCaptureArgs } from '../../src/capture/parse-args.ts';
import { saveFixture } from './helpers.ts';

const probe = (variant: VariantProbe['variant'], installed: boolean, rules = 0): VariantProbe => ({
  variant,
  installed,
  rules,
  ...(installed ? {} : { missing: `${variant}-save` }),
});

describe('capture: choosing the iptables backend the node uses', () => {
  it('uses the variant that already has rules in the namespace, nft first', () => {
    assert.deepEqual(chooseVariant([probe('iptables-nft', true, 0), probe('iptables-legacy', true, 3)], undefined), {
      variant: 'iptables-legacy',
      why: '3 rules already in this network namespace',
    });
    assert.equal(
      (chooseVariant([probe('iptables-nft', true, 2), probe('iptables-legacy', true, 3)], undefined) as { variant: string }).variant,
      'iptables-nft',
    );
  });

  it('uses the first installed variant (nft, legacy, plain iptables) when the namespace is empty', () => {
    assert.equal(
      (chooseVariant([probe('iptables-nft', true), probe('iptables-legacy', true)], undefined) as { variant: string }).variant,
      'iptables-nft',
    );
    assert.equal(
      (chooseVariant([probe('iptables-nft', false), probe('iptables-legacy', true)], undefined) as { variant: string }).variant,
      'iptables-legacy',
    );
    assert.equal(
      (chooseVariant([probe('iptables-nft', false), probe('iptables-legacy', false), probe('iptables', true)], undefined) as { variant: string })
        .variant,
      'iptables',
    );
  });

  it('names iptables-restore when no iptables is installed, and the forced one when it is missing', () => {
    assert.deepEqual(chooseVariant([probe('iptables-nft', false), probe('iptables-legacy', false), probe('iptables', false)], undefined), {
      missing: 'iptables-restore',
    });
    assert.deepEqual(chooseVariant([probe('iptables-legacy', false)], 'iptables-legacy'), { missing: 'iptables-legacy-save' });
  });

  it('obeys --force-iptables-binary, accepting a path or a -save/-restore name, and names the flag for anything else', () => {
    assert.equal(forcedVariant(''), undefined);
    assert.equal(forcedVariant('iptables-legacy'), 'iptables-legacy');
    assert.equal(forcedVariant('/usr/sbin/iptables-nft-restore'), 'iptables-nft');
    assert.throws(
      () => forcedVariant('nft'),
      (e: unknown) =>
        e instanceof CaptureSettingError &&
        e.flag === '--force-iptables-binary' &&
        /expected one of iptables-nft, iptables-legacy, iptables/.test(e.message),
    );
    assert.deepEqual(chooseVariant([probe('iptables-legacy', true)], 'iptables-legacy'), {
      variant: 'iptables-legacy',
      why: 'chosen with --force-iptables-binary',
    });
  });

  it('counts rules, not table headers, in iptables-save output', () => {
    assert.equal(countSavedRules(''), 0);
    assert.equal(countSavedRules('*nat\n:PREROUTING ACCEPT [0:0]\nCOMMIT\n'), 0);
    assert.equal(countSavedRules(saveFixture('default.legacy.v4.txt')), 18);
  });

  it('names the IPv6 tools of the same variant', () => {
    assert.deepEqual(toolsOf('iptables-legacy'), {
      variant: 'iptables-legacy',
      save: 'iptables-legacy-save',
      restore: 'iptables-legacy-restore',
      save6: 'ip6tables-legacy-save',
      restore6: 'ip6tables-legacy-restore',
      maybeLegacy: true,
    });
    assert.equal(toolsOf('iptables').restore6, 'ip6tables-restore');
  });

  it('gives legacy iptables a lock file it can open when the root filesystem is read-only', () => {
    assert.deepEqual(lockEnv(toolsOf('iptables-legacy'), {}, false), { XTABLES_LOCKFILE: '/proc/self/ns/net' });
    assert.deepEqual(lockEnv(toolsOf('iptables-legacy'), {}, true), {});
    assert.deepEqual(lockEnv(toolsOf('iptables-legacy'), { XTABLES_LOCKFILE: '/tmp/x' }, false), {});
    assert.deepEqual(lockEnv(toolsOf('iptables-nft'), {}, false), {}, 'nft takes no lock');
  });
});

describe('capture: what the pod looks like at run time', () => {
  const a = (address: string, internal = false): { address: string; internal: boolean } => ({ address, internal });

  it('writes ip6tables rules for an IPv6 pod, not for an IPv4 one with link-local IPv6', () => {
    assert.equal(podHasIPv6([a('127.0.0.1', true), a('::1', true), a('10.1.2.3'), a('fe80::1')], false), false);
    assert.equal(podHasIPv6([a('::1', true), a('fd00::5'), a('fe80::1')], false), true);
  });

  it('writes both for a dual-stack pod only with --dual-stack', () => {
    const dual = [a('10.1.2.3'), a('fd00::5')];
    assert.equal(podHasIPv6(dual, false), false);
    assert.equal(podHasIPv6(dual, true), true);
  });

  it('reads the nameservers for DNS capture from resolv.conf, only when DNS is redirected', () => {
    const conf = 'search default.svc.cluster.local\nnameserver 10.96.0.10\n# nameserver 1.1.1.1\nnameserver fd00::a\noptions ndots:5\n';
    assert.deepEqual(nameservers(conf), ['10.96.0.10', 'fd00::a']);
    assert.deepEqual(captureRuntime(parseCaptureArgs(['--redirect-dns']), [], conf), { ipv6: false, dnsServers: ['10.96.0.10', 'fd00::a'] });
    assert.deepEqual(captureRuntime(parseCaptureArgs(['--redirect-dns', '--capture-all-dns']), [], conf), { ipv6: false });
    assert.deepEqual(captureRuntime(parseCaptureArgs([]), [], conf), { ipv6: false });
  });
});

describe('capture: what to do with rules already in the namespace', () => {
  const state = (residue: boolean, same: boolean): FamilyState => ({
    family: 'IPv4',
    comparison: { residue, same, differences: same ? [] : ['nat: chain ISTIO_INBOUND has 4 rules, expected 5'] },
  });
  const s = defaultCaptureSettings();

  it('applies in a clean namespace and does nothing when the same rules are there', () => {
    assert.deepEqual(decideApply([state(false, false)], s), { kind: 'apply' });
    assert.deepEqual(decideApply([state(true, true)], s), { kind: 'skip' });
  });

  it('refuses to stack new rules on different ones, saying how to proceed', () => {
    assert.throws(
      () => decideApply([state(true, false)], s),
      /differ from the ones these flags give \(IPv4 nat: chain ISTIO_INBOUND has 4 rules, expected 5\); rerun with --reconcile to replace them, or with --cleanup-only to remove them/,
    );
  });

  it('replaces them with --reconcile, and always with --force-apply', () => {
    assert.equal(decideApply([state(true, false)], { ...s, reconcile: true }).kind, 'replace');
    assert.equal(decideApply([state(true, false)], { ...s, forceApply: true }).kind, 'replace');
    assert.equal(decideApply([state(true, true)], { ...s, forceApply: true }).kind, 'replace');
    assert.deepEqual(decideApply([state(false, false)], { ...s, forceApply: true }), { kind: 'apply' });
  });

  it('skips only when every family is in place', () => {
    assert.throws(() => decideApply([state(true, true), { ...state(true, false), family: 'IPv6' }], s), /IPv6 nat/);
  });

  it('names the istio-iptables modes this command does not take', () => {
    assert.equal(unsupportedSetting(s), undefined);
    assert.match(unsupportedSetting({ ...s, cniMode: true }) ?? '', /^--cni-mode is not supported/);
    assert.match(unsupportedSetting({ ...s, networkNamespace: '/var/run/netns/x' }) ?? '', /^--network-namespace is not supported/);
    assert.match(unsupportedSetting({ ...s, runValidation: true }) ?? '', /^--run-validation is not supported/);
  });
});

describe('capture: messages for a failed iptables or ip run', () => {
  it('says CAP_NET_ADMIN is needed when the kernel refuses (exit 1)', () => {
    for (const stderr of [
      'iptables-nft-save v1.8.9 (nf_tables): Could not fetch rule set generation id: Permission denied (you must be root)',
      "Fatal: can't open lock file /run/xtables.lock: Permission denied",
      "iptables-restore v1.8.9 (legacy): iptables-restore: unable to initialize table 'nat'\n\nError occurred at line: 1\nPermission denied",
    ]) {
      const e = toolFailure(['iptables-restore', '--noflush'], { code: 4, stdout: '', stderr });
      assert.equal(e.exitCode, 1);
      assert.match(e.message, /^iptables-restore --noflush failed: needs CAP_NET_ADMIN \(run as root\)/);
    }
  });

  it('names a missing binary and what to install (exit 2)', () => {
    const e = toolFailure(['ip6tables-restore'], { code: null, stdout: '', stderr: '', notFound: true });
    assert.equal(e.exitCode, 2);
    assert.equal(
      e.message,
      'ip6tables-restore not found in PATH: install iptables in the image (or choose another backend with --force-iptables-binary)',
    );
    assert.match(
      toolFailure(['ip', 'rule'], { code: null, stdout: '', stderr: '', notFound: true }).message,
      /^ip not found in PATH: install iproute2/,
    );
  });

  it('shows the input line iptables-restore refused', () => {
    const input = '* nat\n-N ISTIO_OUTPUT\n-A ISTIO_OUTPUT -m owner --gid-owner java -j RETURN\nCOMMIT\n';
    const legacy =
      'iptables-restore v1.8.9 (legacy): owner: Bad value for "--gid-owner" option: "java"\nError occurred at line: 3\nTry `iptables-restore -h\' or \'iptables-restore --help\' for more information.';
    const e = toolFailure(['iptables-legacy-restore', '--noflush'], { code: 2, stdout: '', stderr: legacy }, input);
    assert.equal(e.exitCode, 1);
    assert.equal(
      e.message,
      'iptables-legacy-restore --noflush failed at input line 3 "-A ISTIO_OUTPUT -m owner --gid-owner java -j RETURN": iptables-restore v1.8.9 (legacy): owner: Bad value for "--gid-owner" option: "java"; Error occurred at line: 3',
    );
    const nft = toolFailure(
      ['iptables-nft-restore', '--noflush'],
      { code: 1, stdout: '', stderr: 'iptables-nft-restore: line 2 failed: Chain already exists.' },
      input,
    );
    assert.match(nft.message, /at input line 2 "-N ISTIO_OUTPUT": iptables-nft-restore: line 2 failed: Chain already exists\.$/);
  });

  it('says when a command hung, and treats "File exists" from ip as already done', () => {
    assert.match(toolFailure(['iptables-legacy-restore'], { code: null, stdout: '', stderr: '', timedOut: true }).message, /did not finish in time/);
    assert.equal(isAlreadyPresent({ code: 2, stdout: '', stderr: 'RTNETLINK answers: File exists' }), true);
    assert.equal(isAlreadyPresent({ code: 2, stdout: '', stderr: 'RTNETLINK answers: Operation not permitted' }), false);
  });
});
