// Istio's istio-iptables goldens (test/fixtures/istio/iptables, CASES.md "iptables/"),
// reproduced table by table, chain by chain, in the same order.
import assert from 'node:assert/strict';
import { generateRules } from '../../src/capture/rules.ts';
import { parseCaptureArgs } from '../../src/capture/parse-args.ts';
import { DEFAULT_INJECTED_ARGS, parseRestore, restoreInputOfGolden } from './helpers.ts';

/** CASES.md: every case starts from the defaults, plus these settings (as istio-iptables flags). */
const GOLDEN_CASES: Array<{ golden: string; args: string[] }> = [
  { golden: 'empty.golden', args: [] },
  { golden: 'inbound-ports-wildcard.golden', args: ['-b', '*'] },
  { golden: 'inbound-ports-include.golden', args: ['-b', '32000,31000'] },
  { golden: 'ipnets.golden', args: ['-i', '10.0.0.0/8'] },
  { golden: 'kube-virt-interfaces.golden', args: ['-k', 'eth1,eth2', '-i', '*'] },
  { golden: 'inbound-ports-wildcard-tproxy.golden', args: ['-b', '*', '-m', 'TPROXY'] },
];

function assertSameRestore(actual: string, expected: string): void {
  const a = parseRestore(actual);
  const e = parseRestore(expected);
  assert.deepEqual([...a.keys()], [...e.keys()], 'tables (and their order)');
  for (const [table, ev] of e) {
    const av = a.get(table);
    assert.ok(av, `table ${table}`);
    assert.deepEqual(av.newChains, ev.newChains, `${table}: -N chains`);
    assert.deepEqual([...av.chains.keys()].sort(), [...ev.chains.keys()].sort(), `${table}: chains with rules`);
    for (const [chain, rules] of ev.chains) assert.deepEqual(av.chains.get(chain), rules, `${table}/${chain}`);
    assert.deepEqual(av.rules, ev.rules, `${table}: rule order`);
  }
  assert.equal(actual, expected, 'byte-identical restore input');
}

describe('capture: Istio iptables goldens', () => {
  for (const c of GOLDEN_CASES) {
    it(`reproduces ${c.golden} (${c.args.join(' ') || 'defaults'})`, () => {
      const rules = generateRules(parseCaptureArgs(c.args));
      assertSameRestore(rules.ipv4, restoreInputOfGolden(c.golden));
      assert.equal(rules.ipv6, undefined, 'no ip6tables input for an IPv4 pod');
    });
  }

  it('configures TPROXY policy routing for inbound-ports-wildcard-tproxy', () => {
    const { routes } = generateRules(parseCaptureArgs(['-b', '*', '-m', 'TPROXY']));
    assert.deepEqual(routes, [
      ['ip', '-4', 'rule', 'add', 'fwmark', '1337', 'lookup', '133'],
      ['ip', '-4', 'route', 'add', 'local', '0.0.0.0/0', 'dev', 'lo', 'table', '133'],
    ]);
  });

  it('needs no routes in REDIRECT mode', () => {
    for (const c of GOLDEN_CASES.filter((x) => !x.args.includes('TPROXY'))) {
      assert.deepEqual(generateRules(parseCaptureArgs(c.args)).routes, [], c.golden);
    }
  });
});

describe('capture: the default injected argument set', () => {
  it('is the inbound-ports-wildcard golden plus the -d RETURNs and the wildcard outbound redirect (CASES.md)', () => {
    const golden = restoreInputOfGolden('inbound-ports-wildcard.golden').split('\n');
    const at = golden.indexOf('-A PREROUTING -p tcp -j ISTIO_INBOUND');
    assert.ok(at > 0);
    golden.splice(at + 1, 0, ...[15090, 15021, 15020].map((p) => `-A ISTIO_INBOUND -p tcp --dport ${p} -j RETURN`));
    const commit = golden.lastIndexOf('COMMIT');
    golden.splice(commit, 0, '-A ISTIO_OUTPUT -j ISTIO_REDIRECT');
    const expected = golden.join('\n');

    const rules = generateRules(parseCaptureArgs(DEFAULT_INJECTED_ARGS));
    assertSameRestore(rules.ipv4, expected);
    assert.deepEqual(rules.routes, []);
  });

  it("writes the default injection's nat table exactly, line for line, as istio-iptables does", () => {
    const expected = `* nat
-N ISTIO_INBOUND
-N ISTIO_REDIRECT
-N ISTIO_IN_REDIRECT
-N ISTIO_OUTPUT
-A ISTIO_INBOUND -p tcp --dport 15008 -j RETURN
-A ISTIO_REDIRECT -p tcp -j REDIRECT --to-ports 15001
-A ISTIO_IN_REDIRECT -p tcp -j REDIRECT --to-ports 15006
-A PREROUTING -p tcp -j ISTIO_INBOUND
-A ISTIO_INBOUND -p tcp --dport 15090 -j RETURN
-A ISTIO_INBOUND -p tcp --dport 15021 -j RETURN
-A ISTIO_INBOUND -p tcp --dport 15020 -j RETURN
-A ISTIO_INBOUND -p tcp -j ISTIO_IN_REDIRECT
-A OUTPUT -j ISTIO_OUTPUT
-A ISTIO_OUTPUT -o lo -s 127.0.0.6/32 -j RETURN
-A ISTIO_OUTPUT -o lo ! -d 127.0.0.1/32 -p tcp ! --dport 15008 -m owner --uid-owner 1337 -j ISTIO_IN_REDIRECT
-A ISTIO_OUTPUT -o lo -m owner ! --uid-owner 1337 -j RETURN
-A ISTIO_OUTPUT -m owner --uid-owner 1337 -j RETURN
-A ISTIO_OUTPUT -o lo ! -d 127.0.0.1/32 -p tcp ! --dport 15008 -m owner --gid-owner 1337 -j ISTIO_IN_REDIRECT
-A ISTIO_OUTPUT -o lo -m owner ! --gid-owner 1337 -j RETURN
-A ISTIO_OUTPUT -m owner --gid-owner 1337 -j RETURN
-A ISTIO_OUTPUT -d 127.0.0.1/32 -j RETURN
-A ISTIO_OUTPUT -j ISTIO_REDIRECT
COMMIT
`;
    assert.equal(generateRules(parseCaptureArgs(DEFAULT_INJECTED_ARGS)).ipv4, expected);
  });

  it('is the same with the CNI validation flags (they change what runs, not the rules)', () => {
    const cni = [...DEFAULT_INJECTED_ARGS, '--run-validation', '--skip-rule-apply'];
    assert.equal(generateRules(parseCaptureArgs(cni)).ipv4, generateRules(parseCaptureArgs(DEFAULT_INJECTED_ARGS)).ipv4);
  });
});
