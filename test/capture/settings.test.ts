// istio-iptables flags and environment: parsing, precedence, and errors that name the flag.
import assert from 'node:assert/strict';
import { CaptureSettingError } from '../../src/capture/errors.ts';
import { parsePrefix } from '../../src/capture/net.ts';
import { defaultCaptureSettings, type CaptureSettings } from '../../src/capture/settings.ts';
import { parseCaptureArgs } from '../../src/capture/parse-args.ts';
import { DEFAULT_INJECTED_ARGS } from './helpers.ts';

/** Asserts that parsing fails with a CaptureSettingError naming `flag` (and the message mentions it). */
function rejects(argv: string[], flag: string, env: Record<string, string> = {}, message?: RegExp): void {
  assert.throws(
    () => parseCaptureArgs(argv, env),
    (e: unknown) => {
      assert.ok(e instanceof CaptureSettingError, `a CaptureSettingError, got ${String(e)}`);
      assert.equal(e.code, 'INVALID_CAPTURE_SETTING');
      assert.equal(e.flag, flag);
      assert.ok(e.message.includes(flag), `message names ${flag}: ${e.message}`);
      if (message) assert.match(e.message, message);
      return true;
    },
  );
}

describe('capture: settings', () => {
  it('defaults to istio-iptables defaults (no inbound, no outbound capture)', () => {
    const s = parseCaptureArgs([]);
    assert.deepEqual(s, defaultCaptureSettings());
    assert.equal(s.proxyPort, 15001);
    assert.equal(s.inboundCapturePort, 15006);
    assert.equal(s.inboundTunnelPort, 15008);
    assert.deepEqual(s.proxyUID, ['1337']);
    assert.deepEqual(s.proxyGID, ['1337']);
    assert.equal(s.interceptionMode, 'REDIRECT');
    assert.deepEqual(s.inboundPorts, []);
    assert.deepEqual(s.outboundIPRanges, []);
    assert.equal(s.tproxyMark, 1337);
    assert.equal(s.tproxyRouteTable, 133);
    assert.equal(s.hostIPv4LoopbackCidr, '127.0.0.1/32');
    assert.equal(s.ownerGroupsInclude, '*');
  });

  it('reads the default injected argument set', () => {
    const s = parseCaptureArgs(DEFAULT_INJECTED_ARGS);
    const expected: CaptureSettings = {
      ...defaultCaptureSettings(),
      interceptionMode: 'REDIRECT',
      outboundIPRanges: '*',
      inboundPorts: '*',
      inboundPortsExclude: [15090, 15021, 15020],
      logOutputLevel: 'default:info',
    };
    assert.deepEqual(s, expected);
  });

  it('accepts every pflag spelling of a flag', () => {
    for (const argv of [['-z', '16006'], ['-z16006'], ['-z=16006'], ['--inbound-capture-port', '16006'], ['--inbound-capture-port=16006']]) {
      assert.equal(parseCaptureArgs(argv).inboundCapturePort, 16006, argv.join(' '));
    }
    assert.equal(parseCaptureArgs(['-n']).dryRun, true);
    assert.equal(parseCaptureArgs(['-n=false']).dryRun, false);
    assert.equal(parseCaptureArgs(['--dry-run']).dryRun, true);
    assert.equal(parseCaptureArgs(['--dry-run=false']).dryRun, false);
    assert.equal(parseCaptureArgs(['--redirect-dns', '--drop-invalid']).dropInvalid, true);
  });

  it('knows every short and long flag of istio-iptables', () => {
    const s = parseCaptureArgs([
      '-p',
      '1',
      '-z',
      '2',
      '-e',
      '3',
      '-u',
      '4,5',
      '-g',
      '6',
      '-m',
      'TPROXY',
      '-b',
      '7,8',
      '-d',
      '9',
      '-c',
      'eth9',
      '-i',
      '10.0.0.0/8',
      '-x',
      '10.1.0.0/16',
      '-q',
      '11',
      '-o',
      '12',
      '-k',
      'eth1',
      '-t',
      '13',
      '-r',
      '14',
      '-n',
      '--iptables-probe-port',
      '15',
      '--probe-timeout',
      '1m30s',
      '--skip-rule-apply',
      '--run-validation',
      '--redirect-dns',
      '--drop-invalid',
      '--dual-stack',
      '--capture-all-dns',
      '--network-namespace',
      '/var/run/netns/x',
      '--cni-mode',
      '--reconcile',
      '--cleanup-only',
      '--force-apply',
      '--native-nftables',
      '--force-iptables-binary',
      'iptables-legacy',
      '--log_output_level=default:debug',
      '--log_as_json',
    ]);
    assert.deepEqual(s, {
      ...defaultCaptureSettings(),
      proxyPort: 1,
      inboundCapturePort: 2,
      inboundTunnelPort: 3,
      proxyUID: ['4', '5'],
      proxyGID: ['6'],
      interceptionMode: 'TPROXY',
      inboundPorts: [7, 8],
      inboundPortsExclude: [9],
      excludeInterfaces: ['eth9'],
      outboundIPRanges: ['10.0.0.0/8'],
      outboundIPRangesExclude: ['10.1.0.0/16'],
      outboundPorts: [11],
      outboundPortsExclude: [12],
      rerouteVirtualInterfaces: ['eth1'],
      tproxyMark: 13,
      tproxyRouteTable: 14,
      dryRun: true,
      iptablesProbePort: 15,
      probeTimeout: '1m30s',
      skipRuleApply: true,
      runValidation: true,
      redirectDNS: true,
      dropInvalid: true,
      dualStack: true,
      captureAllDNS: true,
      networkNamespace: '/var/run/netns/x',
      cniMode: true,
      reconcile: true,
      cleanupOnly: true,
      forceApply: true,
      nativeNftables: true,
      forceIptablesBinary: 'iptables-legacy',
      logOutputLevel: 'default:debug',
      logAsJson: true,
    } satisfies CaptureSettings);
  });

  it('lets the last occurrence of a flag win, and takes a following token as the value even if it starts with "-"', () => {
    assert.equal(parseCaptureArgs(['-p', '1', '-p', '2']).proxyPort, 2);
    assert.deepEqual(parseCaptureArgs(['-x', '', '-b', '*']).outboundIPRangesExclude, []);
  });

  it('splits lists like istio (empty items dropped), trimming spaces', () => {
    const s = parseCaptureArgs(['-d', '6000,7000,', '-i', '10.0.0.0/8, 192.168.0.0/16', '-k', 'eth0,,eth1']);
    assert.deepEqual(s.inboundPortsExclude, [6000, 7000]);
    assert.deepEqual(s.outboundIPRanges, ['10.0.0.0/8', '192.168.0.0/16']);
    assert.deepEqual(s.rerouteVirtualInterfaces, ['eth0', 'eth1']);
  });

  it('keeps CIDRs as Go writes them: unmasked, IPv6 canonical', () => {
    const s = parseCaptureArgs(['-i', '127.0.0.1/24,2001:DB8:0:0::/32,::ffff:10.0.0.1/128,fe80:0:0:1:0:0:0:1/64']);
    assert.deepEqual(s.outboundIPRanges, ['127.0.0.1/24', '2001:db8::/32', '::ffff:10.0.0.1/128', 'fe80:0:0:1::1/64']);
    assert.equal(parsePrefix('1:0:0:2:0:0:0:3/64')?.cidr, '1:0:0:2::3/64');
    assert.equal(parsePrefix('1:0:0:2:0:0:3:4/64')?.cidr, '1::2:0:0:3:4/64');
    assert.equal(parsePrefix('::/0')?.cidr, '::/0');
    assert.equal(parsePrefix('::1/128')?.loopback, true);
    assert.equal(parsePrefix('127.1.2.3/32')?.loopback, true);
  });

  it('defaults -g to -u, and -u "" to 1337', () => {
    assert.deepEqual(parseCaptureArgs(['-u', '3,4']).proxyGID, ['3', '4']);
    assert.deepEqual(parseCaptureArgs(['-u', '3', '-g', '']).proxyGID, ['3']);
    assert.deepEqual(parseCaptureArgs(['-u', '']).proxyUID, ['1337']);
    assert.equal(parseCaptureArgs(['-m', '']).interceptionMode, 'REDIRECT');
  });

  describe('environment', () => {
    it('reads each flag from its environment variable (except -p)', () => {
      const s = parseCaptureArgs([], {
        ENVOY_PORT: '1',
        INBOUND_CAPTURE_PORT: '2',
        INBOUND_TUNNEL_PORT: '3',
        PROXY_UID: '4',
        ISTIO_INBOUND_INTERCEPTION_MODE: 'TPROXY',
        ISTIO_INBOUND_PORTS: '*',
        ISTIO_LOCAL_EXCLUDE_PORTS: '22',
        ISTIO_SERVICE_CIDR: '*',
        ISTIO_SERVICE_EXCLUDE_CIDR: '10.0.0.0/8',
        KUBE_VIRT_INTERFACES: 'eth1',
        ISTIO_EXCLUDE_INTERFACES: 'eth2',
        ISTIO_INBOUND_TPROXY_MARK: '5',
        ISTIO_INBOUND_TPROXY_ROUTE_TABLE: '6',
        DRY_RUN: 'true',
        PROBE_TIMEOUT: '10s',
      });
      assert.equal(s.proxyPort, 15001, '-p has no environment variable');
      assert.equal(s.inboundCapturePort, 2);
      assert.equal(s.inboundTunnelPort, 3);
      assert.deepEqual(s.proxyUID, ['4']);
      assert.deepEqual(s.proxyGID, ['4']);
      assert.equal(s.interceptionMode, 'TPROXY');
      assert.equal(s.inboundPorts, '*');
      assert.deepEqual(s.inboundPortsExclude, [22]);
      assert.equal(s.outboundIPRanges, '*');
      assert.deepEqual(s.outboundIPRangesExclude, ['10.0.0.0/8']);
      assert.deepEqual(s.rerouteVirtualInterfaces, ['eth1']);
      assert.deepEqual(s.excludeInterfaces, ['eth2']);
      assert.equal(s.tproxyMark, 5);
      assert.equal(s.tproxyRouteTable, 6);
      assert.equal(s.dryRun, true);
      assert.equal(s.probeTimeout, '10s');
    });

    it('prefers the flag, then the variable, then its alias; empty variables count as unset', () => {
      assert.equal(parseCaptureArgs(['-z', '7'], { INBOUND_CAPTURE_PORT: '8' }).inboundCapturePort, 7);
      assert.equal(parseCaptureArgs([], { INBOUND_CAPTURE_PORT: '' }).inboundCapturePort, 15006);
      assert.equal(parseCaptureArgs([], { ISTIO_META_DNS_CAPTURE: 'true' }).redirectDNS, true);
      assert.equal(parseCaptureArgs([], { ISTIO_META_DNS_CAPTURE: 'true', REDIRECT_DNS: 'false' }).redirectDNS, false);
      assert.equal(parseCaptureArgs(['--redirect-dns=false'], { REDIRECT_DNS: 'true' }).redirectDNS, false);
      assert.equal(parseCaptureArgs([], { INVALID_DROP: '1' }).dropInvalid, true);
      assert.equal(parseCaptureArgs([], { ISTIO_DUAL_STACK: 'True' }).dualStack, true);
      // A bad variable is not looked at when the flag is given.
      assert.equal(parseCaptureArgs(['-z', '7'], { INBOUND_CAPTURE_PORT: 'x' }).inboundCapturePort, 7);
    });

    it('reads the env-only settings', () => {
      const s = parseCaptureArgs([], {
        ISTIO_OUTBOUND_IPV4_LOOPBACK_CIDR: '127.0.0.1/8',
        ISTIO_OUTBOUND_OWNER_GROUPS: 'java,202',
        ISTIO_OUTBOUND_OWNER_GROUPS_EXCLUDE: '888',
      });
      assert.equal(s.hostIPv4LoopbackCidr, '127.0.0.1/8');
      assert.deepEqual(s.ownerGroupsInclude, ['java', '202']);
      assert.deepEqual(s.ownerGroupsExclude, ['888']);
    });
  });

  describe('errors name the flag', () => {
    it('bad port', () => {
      rejects(['-p', 'http'], '-p', {}, /port/);
      rejects(['--envoy-port=0'], '--envoy-port', {}, /out of range/);
      rejects(['-z', '65536'], '-z');
      rejects(['-e', '-1'], '-e');
      rejects(['-b', '80,abc'], '-b', {}, /"abc"/);
      rejects(['-b', '*,80'], '-b');
      rejects(['-d', '15090,1e3'], '-d');
      rejects(['-q', '*'], '-q');
      rejects(['-o', '70000'], '-o');
      rejects(['--iptables-probe-port', 'x'], '--iptables-probe-port');
      rejects([], 'INBOUND_CAPTURE_PORT', { INBOUND_CAPTURE_PORT: 'abc' });
      rejects([], 'ISTIO_LOCAL_EXCLUDE_PORTS', { ISTIO_LOCAL_EXCLUDE_PORTS: '1,2,x' });
    });

    it('bad CIDR', () => {
      rejects(['-i', '10.0.0.0'], '-i', {}, /CIDR/);
      rejects(['-i', '10.0.0.0/33'], '-i');
      rejects(['-i', '256.0.0.0/8'], '-i');
      rejects(['-i', '010.0.0.0/8'], '-i');
      rejects(['-i', '10.0.0.0/08'], '-i');
      rejects(['-i', '*,10.0.0.0/8'], '-i');
      rejects(['--istio-service-cidr', 'fe80::1%eth0/64'], '--istio-service-cidr');
      rejects(['-i', '1:2:3:4:5:6:7:8:9/64'], '-i');
      rejects(['-i', '1::2::3/64'], '-i');
      rejects(['-x', '*'], '-x', {}, /not allowed/);
      rejects(['-x', '2001:db8::/129'], '-x');
      rejects([], 'ISTIO_SERVICE_CIDR', { ISTIO_SERVICE_CIDR: 'nope' });
      rejects([], 'ISTIO_OUTBOUND_IPV4_LOOPBACK_CIDR', { ISTIO_OUTBOUND_IPV4_LOOPBACK_CIDR: '10.0.0.1/32' }, /loopback/);
      rejects([], 'ISTIO_OUTBOUND_IPV4_LOOPBACK_CIDR', { ISTIO_OUTBOUND_IPV4_LOOPBACK_CIDR: '127.0.0.1/7' }, /mask/);
    });

    it('bad mode', () => {
      rejects(['-m', 'tproxy'], '-m', {}, /REDIRECT or TPROXY/);
      rejects(['-m', 'NONE'], '-m');
      rejects(['--istio-inbound-interception-mode=DNAT'], '--istio-inbound-interception-mode');
      rejects([], 'ISTIO_INBOUND_INTERCEPTION_MODE', { ISTIO_INBOUND_INTERCEPTION_MODE: 'x' });
    });

    it('bad interface', () => {
      rejects(['-k', 'eth0,this-name-is-too-long'], '-k', {}, /interface/);
      rejects(['-c', 'eth/0'], '-c');
      rejects(['-c', 'eth 0'], '-c');
      rejects(['-c', '-j'], '-c');
      rejects(['-c', '..'], '-c');
      rejects(['--kube-virt-interfaces', 'a:b'], '--kube-virt-interfaces');
      rejects([], 'KUBE_VIRT_INTERFACES', { KUBE_VIRT_INTERFACES: '!eth0' });
    });

    it('unknown flag, missing value, stray argument', () => {
      rejects(['-y', '1'], '-y', {}, /unknown flag/);
      rejects(['--envoy-prot', '1'], '--envoy-prot', {}, /unknown flag/);
      rejects(['-f'], '-f');
      rejects(['-p'], '-p', {}, /needs an argument/);
      rejects(['--istio-service-cidr'], '--istio-service-cidr', {}, /needs an argument/);
      rejects(['-p', '1', 'extra'], 'extra', {}, /unexpected argument/);
      rejects(['--', 'x'], 'x');
      rejects(['-nx'], '-n');
    });

    it('other bad values', () => {
      rejects(['-u', '1337;rm'], '-u');
      rejects(['-g', 'a b'], '-g');
      rejects(['-t', '0x539'], '-t');
      rejects(['-r', '0'], '-r');
      rejects(['--dry-run=maybe'], '--dry-run', {}, /boolean/);
      rejects(['--probe-timeout', '5'], '--probe-timeout', {}, /duration/);
      rejects([], 'REDIRECT_DNS', { REDIRECT_DNS: 'yes' });
      rejects(
        [],
        'ISTIO_OUTBOUND_OWNER_GROUPS',
        { ISTIO_OUTBOUND_OWNER_GROUPS: Array.from({ length: 65 }, (_, i) => String(i)).join(',') },
        /cannot exceed 64/,
      );
      rejects([], 'ISTIO_OUTBOUND_OWNER_GROUPS', { ISTIO_OUTBOUND_OWNER_GROUPS: ',' });
    });
  });
});
