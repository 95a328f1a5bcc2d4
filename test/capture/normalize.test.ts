// Our rules as we write them and as iptables-save prints them back must compare equal, on both backends.
// The fixtures are real iptables-save output of both backends (see helpers.ts, FIXTURE_CASES).
import assert from 'node:assert/strict';
import { canonicalRule, splitRuleWords } from '../../src/capture/normalize.ts';
import { parseRestoreInput, parseSave } from '../../src/capture/ruleset.ts';
import { fixtureRules, saveFixture } from './helpers.ts';

const canon = (line: string): string => canonicalRule(splitRuleWords(line).slice(2));

describe('capture: rules as written compare equal to rules as iptables-save prints them', () => {
  const files = [
    ['default', 'legacy', 'v4'],
    ['default', 'nft', 'v4'],
    ['everything', 'legacy', 'v4'],
    ['everything', 'nft', 'v4'],
    ['everything', 'legacy', 'v6'],
    ['everything', 'nft', 'v6'],
  ] as const;
  for (const [name, backend, fam] of files) {
    it(`${name} rules, ${backend} backend, ${fam === 'v4' ? 'IPv4' : 'IPv6'}: every chain, rule by rule`, () => {
      const rules = fixtureRules(name);
      const want = parseRestoreInput(fam === 'v4' ? rules.ipv4 : rules.ipv6);
      const have = parseSave(saveFixture(`${name}.${backend}.${fam}.txt`));
      for (const [table, t] of want) {
        for (const [chain, list] of t.chains) {
          const saved = have.get(table)?.chains.get(chain) ?? [];
          assert.deepEqual(
            saved.map((r) => canonicalRule(r.words)),
            list.map((r) => canonicalRule(r.words)),
            `${table}/${chain}`,
          );
        }
      }
    });
  }

  it('adds the implicit -m tcp / -m udp where iptables loads it', () => {
    assert.equal(
      canon('-A X -o lo -p tcp ! --dport 53 -m owner ! --uid-owner 1337 -j RETURN'),
      canon('-A X -o lo -p tcp -m tcp ! --dport 53 -m owner ! --uid-owner 1337 -j RETURN'),
    );
    assert.equal(canon('-A X -p udp --dport 53 -d 10.0.0.1/32 -j CT --zone 1'), canon('-A X -d 10.0.0.1/32 -p udp -m udp --dport 53 -j CT --zone 1'));
  });

  it('reads numbers in hex and drops full masks and target defaults', () => {
    assert.equal(canon('-A X -j MARK --set-mark 1337'), canon('-A X -j MARK --set-xmark 0x539/0xffffffff'));
    assert.equal(
      canon('-A X -p tcp -j TPROXY --tproxy-mark 1337/0xffffffff --on-port 15006'),
      canon('-A X -p tcp -j TPROXY --on-port 15006 --on-ip 0.0.0.0 --tproxy-mark 0x539/0xffffffff'),
    );
    assert.equal(canon('-A X -j CONNMARK --save-mark'), canon('-A X -j CONNMARK --save-mark --nfmask 0xffffffff --ctmask 0xffffffff'));
    assert.equal(canon('-A X -p udp -j REDIRECT --to-port 15053'), canon('-A X -p udp -j REDIRECT --to-ports 15053'));
  });

  it('masks addresses as iptables prints them', () => {
    assert.equal(canon('-A X -d 10.96.0.1/24 -j RETURN'), canon('-A X -d 10.96.0.0/24 -j RETURN'));
    assert.equal(canon('-A X -d fd01::1/64 -j RETURN'), canon('-A X -d fd01::/64 -j RETURN'));
    assert.equal(canon('-A X -s 10.0.0.1 -j RETURN'), canon('-A X -s 10.0.0.1/32 -j RETURN'));
  });

  it('keeps what differs different: negation, values, targets, match order of separate matches', () => {
    const base = canon('-A X -o lo -m owner --uid-owner 1337 -j RETURN');
    assert.notEqual(base, canon('-A X -o lo -m owner ! --uid-owner 1337 -j RETURN'));
    assert.notEqual(base, canon('-A X -o lo -m owner --uid-owner 1338 -j RETURN'));
    assert.notEqual(base, canon('-A X -o lo -m owner --uid-owner 1337 -j ACCEPT'));
    assert.notEqual(base, canon('-A X ! -o lo -m owner --uid-owner 1337 -j RETURN'));
    assert.notEqual(canon('-A X -d 10.0.0.0/8 -j RETURN'), canon('-A X -d 10.0.0.0/16 -j RETURN'));
  });

  it('splits words as iptables-save quotes them', () => {
    assert.deepEqual(splitRuleWords('-A X -m comment --comment "a \\"b\\" c" -j RETURN'), [
      '-A',
      'X',
      '-m',
      'comment',
      '--comment',
      'a "b" c',
      '-j',
      'RETURN',
    ]);
  });
});
