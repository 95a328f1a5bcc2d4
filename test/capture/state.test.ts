// Whether our rules are already in place, and what --cleanup-only removes, decided from iptables-save output.
import assert from 'node:assert/strict';
import { cleanupPlan } from '../../src/capture/cleanup.ts';
import { compareState } from '../../src/capture/state.ts';
import { fixtureRules, saveFixture } from './helpers.ts';

/** Someone else's rules and chains (kube, a CNI), which must never count as ours or be touched. */
const FOREIGN = `*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
:KUBE-FOO - [0:0]
-A PREROUTING -j KUBE-FOO
-A OUTPUT -p udp -m udp --dport 9999 -j RETURN
-A KUBE-FOO -s 10.9.0.0/16 -j RETURN
COMMIT
*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT
COMMIT
`;

/** Puts extra rule lines into the default fixture's nat table (before COMMIT). */
function withNatLines(save: string, ...lines: string[]): string {
  const at = save.indexOf('COMMIT');
  return `${save.slice(0, at)}${lines.join('\n')}\n${save.slice(at)}`;
}

describe('capture: are our rules already in place?', () => {
  const rules = fixtureRules('default');

  it('finds nothing of ours in an empty namespace or among foreign rules, so the rules get applied', () => {
    for (const save of ['', FOREIGN]) {
      const c = compareState(rules.ipv4, save);
      assert.equal(c.residue, false);
      assert.equal(c.same, false);
    }
  });

  it('recognises its own rules as iptables-save prints them, on both backends, with foreign rules around', () => {
    for (const backend of ['legacy', 'nft']) {
      const save = saveFixture(`default.${backend}.v4.txt`);
      assert.deepEqual(compareState(rules.ipv4, save), { residue: true, same: true, differences: [] }, backend);
    }
    const everything = fixtureRules('everything');
    for (const [fam, input] of [
      ['v4', everything.ipv4],
      ['v6', everything.ipv6],
    ] as const) {
      for (const backend of ['legacy', 'nft']) {
        assert.equal(compareState(input, saveFixture(`everything.${backend}.${fam}.txt`)).same, true, `${backend} ${fam}`);
      }
    }
    const mixed = withNatLines(
      saveFixture('default.nft.v4.txt'),
      '-A OUTPUT -p udp -m udp --dport 9999 -j RETURN',
      '-A PREROUTING -s 10.9.0.0/16 -j RETURN',
    );
    assert.equal(compareState(rules.ipv4, mixed).same, true);
  });

  it('sees rules made with other settings as different, naming the chain and the rule', () => {
    const other = saveFixture('default.nft.v4.txt').replace('--dport 15020 -j RETURN\n', '');
    const c = compareState(rules.ipv4, other);
    assert.equal(c.residue, true);
    assert.equal(c.same, false);
    assert.match(
      c.differences[0] as string,
      /nat: chain ISTIO_INBOUND has 4 rules, expected 5; first difference at rule 4: expected "-A ISTIO_INBOUND -p tcp --dport 15020 -j RETURN"/,
    );
  });

  it('sees a second jump into our chains (rules applied twice) as different', () => {
    const twice = withNatLines(saveFixture('default.nft.v4.txt'), '-A OUTPUT -j ISTIO_OUTPUT');
    const c = compareState(rules.ipv4, twice);
    assert.equal(c.same, false);
    assert.match(c.differences.join('\n'), /chain OUTPUT has 2 jumps to ISTIO_\* chains, expected 1/);
  });

  it('sees a missing jump, a missing chain and an extra ISTIO_ chain as different', () => {
    const save = saveFixture('default.nft.v4.txt');
    assert.match(
      compareState(rules.ipv4, save.replace('-A OUTPUT -j ISTIO_OUTPUT\n', '')).differences.join('\n'),
      /chain OUTPUT lacks "-A OUTPUT -j ISTIO_OUTPUT"/,
    );
    const noRedirect = save
      .replace(':ISTIO_REDIRECT - [0:0]\n', '')
      .replace(/-A ISTIO_REDIRECT .*\n/, '')
      .replace('-A ISTIO_OUTPUT -j ISTIO_REDIRECT\n', '');
    assert.match(compareState(rules.ipv4, noRedirect).differences.join('\n'), /chain ISTIO_REDIRECT is missing/);
    assert.match(
      compareState(rules.ipv4, withNatLines(save, ':ISTIO_EXTRA - [0:0]')).differences.join('\n'),
      /chain ISTIO_EXTRA is there but would not be created/,
    );
  });

  it('sees rules in another order as different', () => {
    const save = saveFixture('default.nft.v4.txt');
    const swapped = save.replace(
      '-A ISTIO_INBOUND -p tcp -m tcp --dport 15090 -j RETURN\n-A ISTIO_INBOUND -p tcp -m tcp --dport 15021 -j RETURN',
      '-A ISTIO_INBOUND -p tcp -m tcp --dport 15021 -j RETURN\n-A ISTIO_INBOUND -p tcp -m tcp --dport 15090 -j RETURN',
    );
    assert.notEqual(swapped, save);
    assert.equal(compareState(rules.ipv4, swapped).same, false);
  });
});

describe('capture: --cleanup-only removes our chains and the jumps to them, nothing else', () => {
  it('removes every ISTIO_ chain and jump in nat, mangle and raw, flushing before deleting', () => {
    const plan = cleanupPlan(saveFixture('everything.nft.v4.txt'));
    assert.deepEqual(plan.chains.sort(), [
      'mangle/ISTIO_DIVERT',
      'mangle/ISTIO_DROP',
      'mangle/ISTIO_INBOUND',
      'mangle/ISTIO_TPROXY',
      'nat/ISTIO_INBOUND',
      'nat/ISTIO_IN_REDIRECT',
      'nat/ISTIO_OUTPUT',
      'nat/ISTIO_OUTPUT_DNS',
      'nat/ISTIO_REDIRECT',
      'raw/ISTIO_INBOUND',
      'raw/ISTIO_OUTPUT_DNS',
    ]);
    assert.deepEqual(plan.jumps, [
      'nat: -A PREROUTING -d 10.96.0.0/24 -i eth1 -j ISTIO_REDIRECT',
      'nat: -A OUTPUT -j ISTIO_OUTPUT',
      'mangle: -A PREROUTING -m conntrack --ctstate INVALID -j ISTIO_DROP',
      'mangle: -A PREROUTING -p tcp -j ISTIO_INBOUND',
      'raw: -A PREROUTING -j ISTIO_INBOUND',
      'raw: -A OUTPUT -j ISTIO_OUTPUT_DNS',
    ]);
    const nat = (plan.input as string).split('*nat\n')[1]?.split('COMMIT')[0] ?? '';
    assert.equal(
      nat,
      [
        '-D PREROUTING -d 10.96.0.0/24 -i eth1 -j ISTIO_REDIRECT',
        '-D OUTPUT -j ISTIO_OUTPUT',
        '-F ISTIO_INBOUND',
        '-F ISTIO_IN_REDIRECT',
        '-F ISTIO_OUTPUT',
        '-F ISTIO_OUTPUT_DNS',
        '-F ISTIO_REDIRECT',
        '-X ISTIO_INBOUND',
        '-X ISTIO_IN_REDIRECT',
        '-X ISTIO_OUTPUT',
        '-X ISTIO_OUTPUT_DNS',
        '-X ISTIO_REDIRECT',
        '',
      ].join('\n'),
    );
  });

  it('leaves foreign rules and chains alone, and has nothing to do without ours', () => {
    assert.deepEqual(cleanupPlan(FOREIGN), { input: undefined, chains: [], jumps: [] });
    assert.deepEqual(cleanupPlan(''), { input: undefined, chains: [], jumps: [] });
    const mixed = FOREIGN.replace('-A OUTPUT -p udp', '-A OUTPUT -j ISTIO_OUTPUT\n-A OUTPUT -p udp').replace(
      ':KUBE-FOO',
      ':ISTIO_OUTPUT - [0:0]\n:KUBE-FOO',
    );
    const plan = cleanupPlan(mixed);
    assert.equal(plan.input, '*nat\n-D OUTPUT -j ISTIO_OUTPUT\n-F ISTIO_OUTPUT\n-X ISTIO_OUTPUT\nCOMMIT\n');
  });

  it('removes each copy of a jump that is there twice', () => {
    const save = withNatLines(saveFixture('default.nft.v4.txt'), '-A OUTPUT -j ISTIO_OUTPUT');
    assert.equal(cleanupPlan(save).jumps.filter((j) => j === 'nat: -A OUTPUT -j ISTIO_OUTPUT').length, 2);
  });
});
