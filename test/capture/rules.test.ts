// Rule generation beyond the goldens: each run.go branch, in Istio's emission order.
import assert from 'node:assert/strict';
import { CaptureSettingError } from '../../src/capture/errors.ts';
import { generateRules } from '../../src/capture/rules.ts';
import { defaultCaptureSettings } from '../../src/capture/settings.ts';
import { parseCaptureArgs } from '../../src/capture/parse-args.ts';
import { parseRestore } from './helpers.ts';

const gen = (args: string[], runtime?: Parameters<typeof generateRules>[1]) => generateRules(parseCaptureArgs(args), runtime);
const table = (text: string, name: string) => {
  const t = parseRestore(text).get(name);
  assert.ok(t, `table ${name} present`);
  return t;
};
const chain = (text: string, tbl: string, ch: string): string[] => table(text, tbl).chains.get(ch) ?? [];

describe('capture: rule generation', () => {
  it('is pure and deterministic', () => {
    const s = parseCaptureArgs(['-b', '*', '-i', '*', '-m', 'TPROXY', '--redirect-dns', '--capture-all-dns']);
    const before = JSON.stringify(s);
    assert.deepEqual(generateRules(s, { ipv6: true }), generateRules(s, { ipv6: true }));
    assert.equal(JSON.stringify(s), before, 'settings are not mutated');
  });

  it('puts exclude-interface RETURNs first, in nat (and in mangle for TPROXY)', () => {
    const r = gen(['-c', 'net1,net2', '-b', '*']);
    const nat = table(r.ipv4, 'nat').rules;
    assert.deepEqual(nat.slice(0, 4), [
      '-A PREROUTING -i net1 -j RETURN',
      '-A OUTPUT -o net1 -j RETURN',
      '-A PREROUTING -i net2 -j RETURN',
      '-A OUTPUT -o net2 -j RETURN',
    ]);
    assert.equal(parseRestore(r.ipv4).get('mangle'), undefined);
    const t = gen(['-c', 'net1', '-b', '*', '-m', 'TPROXY']);
    assert.deepEqual(table(t.ipv4, 'mangle').rules.slice(0, 2), ['-A PREROUTING -i net1 -j RETURN', '-A OUTPUT -o net1 -j RETURN']);
  });

  it('adds the drop-invalid rule in mangle via ISTIO_DROP', () => {
    const r = gen(['--drop-invalid']);
    assert.ok(
      r.ipv4.startsWith(
        '* mangle\n-N ISTIO_DROP\n-A PREROUTING -m conntrack --ctstate INVALID -j ISTIO_DROP\n-A ISTIO_DROP -j DROP\nCOMMIT\n* nat\n',
      ),
    );
    assert.deepEqual(gen(['--drop-invalid']), generateRules(parseCaptureArgs([], { INVALID_DROP: 'true' })));
  });

  it('writes one RETURN per -d port only with -b "*", and ignores -d with a port list', () => {
    const wild = chain(gen(['-b', '*', '-d', '22,15020']).ipv4, 'nat', 'ISTIO_INBOUND');
    assert.deepEqual(wild, [
      '-A ISTIO_INBOUND -p tcp --dport 15008 -j RETURN',
      '-A ISTIO_INBOUND -p tcp --dport 22 -j RETURN',
      '-A ISTIO_INBOUND -p tcp --dport 15020 -j RETURN',
      '-A ISTIO_INBOUND -p tcp -j ISTIO_IN_REDIRECT',
    ]);
    const list = chain(gen(['-b', '80', '-d', '22']).ipv4, 'nat', 'ISTIO_INBOUND');
    assert.deepEqual(list, ['-A ISTIO_INBOUND -p tcp --dport 15008 -j RETURN', '-A ISTIO_INBOUND -p tcp --dport 80 -j ISTIO_IN_REDIRECT']);
  });

  it('uses TPROXY per port with a port list', () => {
    const r = gen(['-b', '8080', '-m', 'TPROXY']);
    const mangle = table(r.ipv4, 'mangle');
    assert.deepEqual(mangle.chains.get('ISTIO_INBOUND'), [
      '-A ISTIO_INBOUND -p tcp --dport 8080 -m conntrack --ctstate RELATED,ESTABLISHED -j ISTIO_DIVERT',
      '-A ISTIO_INBOUND -p tcp --dport 8080 -j ISTIO_TPROXY',
      '-I ISTIO_INBOUND 1 -p tcp -m mark --mark 1337 -j RETURN',
      '-I ISTIO_INBOUND 2 -p tcp -s 127.0.0.6/32 -i lo -j RETURN',
      '-I ISTIO_INBOUND 3 -p tcp -i lo -m mark ! --mark 1338 -j RETURN',
    ]);
  });

  it('honours -t, -r, -z and -e in TPROXY mode', () => {
    const r = gen(['-b', '*', '-m', 'TPROXY', '-t', '7', '-r', '77', '-z', '16006', '-e', '16008']);
    const mangle = table(r.ipv4, 'mangle').rules;
    assert.ok(mangle.includes('-A ISTIO_DIVERT -j MARK --set-mark 7'));
    assert.ok(mangle.includes('-A ISTIO_TPROXY ! -d 127.0.0.1/32 -p tcp -j TPROXY --tproxy-mark 7/0xffffffff --on-port 16006'));
    assert.ok(mangle.includes('-A PREROUTING -p tcp -m mark --mark 7 -j CONNMARK --save-mark'));
    assert.ok(chain(r.ipv4, 'nat', 'ISTIO_INBOUND').includes('-A ISTIO_INBOUND -p tcp --dport 16008 -j RETURN'));
    assert.deepEqual(r.routes, [
      ['ip', '-4', 'rule', 'add', 'fwmark', '7', 'lookup', '77'],
      ['ip', '-4', 'route', 'add', 'local', '0.0.0.0/0', 'dev', 'lo', 'table', '77'],
    ]);
  });

  it('excludes outbound ports for tcp and udp right after the OUTPUT jump', () => {
    const out = chain(gen(['-o', '5432,6379']).ipv4, 'nat', 'ISTIO_OUTPUT');
    assert.deepEqual(out.slice(0, 5), [
      '-A ISTIO_OUTPUT -p tcp --dport 5432 -j RETURN',
      '-A ISTIO_OUTPUT -p udp --dport 5432 -j RETURN',
      '-A ISTIO_OUTPUT -p tcp --dport 6379 -j RETURN',
      '-A ISTIO_OUTPUT -p udp --dport 6379 -j RETURN',
      '-A ISTIO_OUTPUT -o lo -s 127.0.0.6/32 -j RETURN',
    ]);
  });

  it('writes per-UID then per-GID rules for lists', () => {
    const out = chain(gen(['-u', '3,4', '-g', '1,2']).ipv4, 'nat', 'ISTIO_OUTPUT');
    const owners = out.filter((l) => l.includes('-owner')).map((l) => l.replace(/.*-(uid|gid)-owner (\w+).*/, '$1 $2'));
    assert.deepEqual(owners, ['uid 3', 'uid 3', 'uid 3', 'uid 4', 'uid 4', 'uid 4', 'gid 1', 'gid 1', 'gid 1', 'gid 2', 'gid 2', 'gid 2']);
  });

  it('omits the "-o lo ! --uid-owner" RETURNs when -i contains a loopback range (traffic-annotations)', () => {
    const out = chain(gen(['-i', '127.0.0.1/24,10.96.0.1/24', '-x', '10.96.0.2/24,10.96.0.3/24', '-o', '7,8,9']).ipv4, 'nat', 'ISTIO_OUTPUT');
    assert.ok(!out.some((l) => l.includes('! --uid-owner') || l.includes('! --gid-owner')));
    assert.deepEqual(out.slice(-6), [
      '-A ISTIO_OUTPUT -m owner --gid-owner 1337 -j RETURN',
      '-A ISTIO_OUTPUT -d 127.0.0.1/32 -j RETURN',
      '-A ISTIO_OUTPUT -d 10.96.0.2/24 -j RETURN',
      '-A ISTIO_OUTPUT -d 10.96.0.3/24 -j RETURN',
      '-A ISTIO_OUTPUT -d 127.0.0.1/24 -j ISTIO_REDIRECT',
      '-A ISTIO_OUTPUT -d 10.96.0.1/24 -j ISTIO_REDIRECT',
    ]);
  });

  it('redirects -q ports before the CIDR rules and reroutes virtual interfaces per CIDR', () => {
    const r = gen(['-q', '3306', '-i', '10.0.0.0/8', '-k', 'eth1']);
    const nat = table(r.ipv4, 'nat').rules;
    assert.deepEqual(nat.slice(-3), [
      '-A ISTIO_OUTPUT -p tcp --dport 3306 -j ISTIO_REDIRECT',
      '-I PREROUTING 1 -i eth1 -d 10.0.0.0/8 -j ISTIO_REDIRECT',
      '-A ISTIO_OUTPUT -d 10.0.0.0/8 -j ISTIO_REDIRECT',
    ]);
    assert.equal(nat[0], '-I PREROUTING 1 -i eth1 -j RETURN');
  });

  it('applies owner groups (env only)', () => {
    const inc = chain(gen([]).ipv4, 'nat', 'ISTIO_OUTPUT');
    assert.ok(!inc.some((l) => l.includes('java')));
    const only = generateRules(parseCaptureArgs([], { ISTIO_OUTBOUND_OWNER_GROUPS: 'java,202' }));
    const o1 = chain(only.ipv4, 'nat', 'ISTIO_OUTPUT');
    assert.equal(o1.at(-2), '-A ISTIO_OUTPUT -m owner ! --gid-owner java -m owner ! --gid-owner 202 -j RETURN');
    const except = generateRules(parseCaptureArgs([], { ISTIO_OUTBOUND_OWNER_GROUPS_EXCLUDE: '888,ftp' }));
    const o2 = chain(except.ipv4, 'nat', 'ISTIO_OUTPUT');
    assert.deepEqual(o2.slice(-3), [
      '-A ISTIO_OUTPUT -m owner --gid-owner 888 -j RETURN',
      '-A ISTIO_OUTPUT -m owner --gid-owner ftp -j RETURN',
      '-A ISTIO_OUTPUT -d 127.0.0.1/32 -j RETURN',
    ]);
  });

  it('uses ISTIO_OUTBOUND_IPV4_LOOPBACK_CIDR in IPv4 rules', () => {
    const r = generateRules(parseCaptureArgs(['-b', '*', '-m', 'TPROXY'], { ISTIO_OUTBOUND_IPV4_LOOPBACK_CIDR: '127.0.0.1/8' }));
    assert.ok(r.ipv4.includes('-A ISTIO_OUTPUT -d 127.0.0.1/8 -j RETURN'));
    assert.ok(r.ipv4.includes('-A ISTIO_TPROXY ! -d 127.0.0.1/8 -p tcp'));
    assert.ok(!r.ipv4.includes('127.0.0.1/32'));
  });

  describe('IPv6 pods', () => {
    it('builds ip6tables input with ::6 / ::1 and splits CIDRs by family', () => {
      const r = gen(['-b', '4000,5000', '-k', 'eth0', '-x', '2001:db8::/32,1.1.0.0/16', '-i', '2001:DB8::/32,9.9.0.0/16'], { ipv6: true });
      assert.ok(r.ipv6);
      const v6 = chain(r.ipv6, 'nat', 'ISTIO_OUTPUT');
      assert.ok(v6.includes('-A ISTIO_OUTPUT -o lo -s ::6/128 -j RETURN'));
      assert.ok(v6.includes('-A ISTIO_OUTPUT -o lo ! -d ::1/128 -p tcp ! --dport 15008 -m owner --uid-owner 1337 -j ISTIO_IN_REDIRECT'));
      assert.deepEqual(v6.slice(-3), [
        '-A ISTIO_OUTPUT -d ::1/128 -j RETURN',
        '-A ISTIO_OUTPUT -d 2001:db8::/32 -j RETURN',
        '-A ISTIO_OUTPUT -d 2001:db8::/32 -j ISTIO_REDIRECT',
      ]);
      assert.ok(table(r.ipv6, 'nat').rules.includes('-I PREROUTING 1 -i eth0 -d 2001:db8::/32 -j ISTIO_REDIRECT'));
      const v4 = chain(r.ipv4, 'nat', 'ISTIO_OUTPUT');
      assert.deepEqual(v4.slice(-3), [
        '-A ISTIO_OUTPUT -d 127.0.0.1/32 -j RETURN',
        '-A ISTIO_OUTPUT -d 1.1.0.0/16 -j RETURN',
        '-A ISTIO_OUTPUT -d 9.9.0.0/16 -j ISTIO_REDIRECT',
      ]);
      assert.ok(!r.ipv4.includes('2001:db8'));
      assert.deepEqual(r.routes, [['ip', '-6', 'addr', 'add', '::6/128', 'dev', 'lo']]);
    });

    it('adds IPv6 TPROXY rules and routes', () => {
      const r = gen(['-b', '*', '-m', 'TPROXY'], { ipv6: true });
      assert.ok(r.ipv6);
      const mangle = table(r.ipv6, 'mangle').rules;
      assert.ok(mangle.includes('-A ISTIO_TPROXY ! -d ::1/128 -p tcp -j TPROXY --tproxy-mark 1337/0xffffffff --on-port 15006'));
      assert.ok(mangle.includes('-I ISTIO_INBOUND 2 -p tcp -s ::6/128 -i lo -j RETURN'));
      assert.ok(!mangle.some((l) => l.includes('127.0.0.6')));
      assert.deepEqual(r.routes, [
        ['ip', '-6', 'addr', 'add', '::6/128', 'dev', 'lo'],
        ['ip', '-4', 'rule', 'add', 'fwmark', '1337', 'lookup', '133'],
        ['ip', '-6', 'rule', 'add', 'fwmark', '1337', 'lookup', '133'],
        ['ip', '-4', 'route', 'add', 'local', '0.0.0.0/0', 'dev', 'lo', 'table', '133'],
        ['ip', '-6', 'route', 'add', 'local', '::/0', 'dev', 'lo', 'table', '133'],
      ]);
    });
  });

  describe('DNS capture', () => {
    it('is disabled when neither --capture-all-dns nor nameservers are given', () => {
      assert.deepEqual(gen(['--redirect-dns']), gen([]));
    });

    it('redirects to the agent for the resolv.conf nameservers, with raw-table conntrack zones', () => {
      const r = gen(['--redirect-dns', '-u', '3', '-g', '1'], { ipv6: true, dnsServers: ['127.0.0.53', '::127.0.0.53', 'bogus'] });
      const out = chain(r.ipv4, 'nat', 'ISTIO_OUTPUT');
      assert.ok(
        out.includes('-A ISTIO_OUTPUT -o lo ! -d 127.0.0.1/32 -p tcp -m multiport ! --dports 53,15008 -m owner --uid-owner 3 -j ISTIO_IN_REDIRECT'),
      );
      assert.ok(out.includes('-A ISTIO_OUTPUT -o lo -p tcp ! --dport 53 -m owner ! --uid-owner 3 -j RETURN'));
      assert.ok(out.includes('-A ISTIO_OUTPUT -o lo ! -d 127.0.0.1/32 -p tcp ! --dport 15008 -m owner --gid-owner 1 -j ISTIO_IN_REDIRECT'));
      assert.ok(out.includes('-A ISTIO_OUTPUT -o lo -p tcp ! --dport 53 -m owner ! --gid-owner 1 -j RETURN'));
      assert.deepEqual(out.slice(-2), ['-A ISTIO_OUTPUT -j ISTIO_OUTPUT_DNS', '-A ISTIO_OUTPUT -d 127.0.0.1/32 -j RETURN']);
      assert.deepEqual(chain(r.ipv4, 'nat', 'ISTIO_OUTPUT_DNS'), [
        '-A ISTIO_OUTPUT_DNS -p tcp --dport 53 -d 127.0.0.53/32 -j REDIRECT --to-ports 15053',
        '-A ISTIO_OUTPUT_DNS -p udp --dport 53 -d 127.0.0.53/32 -j REDIRECT --to-port 15053',
      ]);
      const raw = table(r.ipv4, 'raw');
      assert.deepEqual(raw.newChains, ['ISTIO_OUTPUT_DNS', 'ISTIO_INBOUND']);
      assert.deepEqual(raw.rules, [
        '-A OUTPUT -j ISTIO_OUTPUT_DNS',
        '-A ISTIO_OUTPUT_DNS -p udp --dport 53 -m owner --uid-owner 3 -j CT --zone 1',
        '-A ISTIO_OUTPUT_DNS -p udp --sport 15053 -m owner --uid-owner 3 -j CT --zone 2',
        '-A ISTIO_OUTPUT_DNS -p udp --dport 53 -m owner --gid-owner 1 -j CT --zone 1',
        '-A ISTIO_OUTPUT_DNS -p udp --sport 15053 -m owner --gid-owner 1 -j CT --zone 2',
        '-A PREROUTING -j ISTIO_INBOUND',
        '-A ISTIO_OUTPUT_DNS -p udp --dport 53 -d 127.0.0.53/32 -j CT --zone 2',
        '-A ISTIO_INBOUND -p udp --sport 53 -s 127.0.0.53/32 -j CT --zone 1',
      ]);
      assert.deepEqual([...parseRestore(r.ipv4).keys()], ['nat', 'raw']);
      assert.ok(r.ipv6);
      assert.deepEqual(chain(r.ipv6, 'nat', 'ISTIO_OUTPUT_DNS'), [
        '-A ISTIO_OUTPUT_DNS -p tcp --dport 53 -d ::127.0.0.53/128 -j REDIRECT --to-ports 15053',
        '-A ISTIO_OUTPUT_DNS -p udp --dport 53 -d ::127.0.0.53/128 -j REDIRECT --to-port 15053',
      ]);
    });

    it('captures all port-53 traffic with --capture-all-dns (ISTIO_META_DNS_CAPTURE also enables it)', () => {
      const r = generateRules(parseCaptureArgs(['--capture-all-dns'], { ISTIO_META_DNS_CAPTURE: 'true' }));
      assert.deepEqual(chain(r.ipv4, 'nat', 'ISTIO_OUTPUT_DNS'), [
        '-A ISTIO_OUTPUT_DNS -p tcp --dport 53 -j REDIRECT --to-ports 15053',
        '-A ISTIO_OUTPUT_DNS -p udp --dport 53 -j REDIRECT --to-port 15053',
      ]);
      assert.deepEqual(table(r.ipv4, 'raw').rules.slice(-3), [
        '-A PREROUTING -j ISTIO_INBOUND',
        '-A ISTIO_OUTPUT_DNS -p udp --dport 53 -j CT --zone 2',
        '-A ISTIO_INBOUND -p udp --sport 53 -j CT --zone 1',
      ]);
    });
  });

  it('validates settings built in code', () => {
    const s = defaultCaptureSettings();
    s.outboundIPRanges = ['10.0.0.0/33'];
    assert.throws(
      () => generateRules(s),
      (e: unknown) => e instanceof CaptureSettingError && e.flag === '-i',
    );
    const t = defaultCaptureSettings();
    t.proxyPort = 70000;
    assert.throws(
      () => generateRules(t),
      (e: unknown) => e instanceof CaptureSettingError && e.flag === '-p',
    );
  });
});
