// Settings ↔ istio-init arguments, both ways.
import assert from 'node:assert/strict';
import { toIstioIptablesArgs, toIstioIptablesEnv } from './istio-iptables-args.ts';
import { CaptureSettingError } from '../../src/capture/errors.ts';
import { defaultCaptureSettings, type CaptureSettings } from '../../src/capture/settings.ts';
import { parseCaptureArgs } from '../../src/capture/parse-args.ts';
import { DEFAULT_INJECTED_ARGS, injectedIptablesArgs } from './helpers.ts';

describe('capture: istio-init arguments', () => {
  it('writes the default injected argument set from its settings', () => {
    assert.deepEqual(toIstioIptablesArgs(parseCaptureArgs(DEFAULT_INJECTED_ARGS)), DEFAULT_INJECTED_ARGS);
  });

  describe('gives back every argument list in the injection goldens', () => {
    const found = injectedIptablesArgs();
    it('finds them', () => assert.ok(found.length >= 10, `found ${found.length}`));
    for (const { file, args } of found) {
      it(`${file}: ${args.slice(1).join(' ')}`, () => {
        assert.deepEqual(toIstioIptablesArgs(parseCaptureArgs(args)), args);
      });
    }
  });

  const variants: Array<[string, Partial<CaptureSettings>]> = [
    ['defaults', {}],
    ['TPROXY with ports and excludes', { interceptionMode: 'TPROXY', inboundPorts: [80, 443], inboundPortsExclude: [22] }],
    [
      'outbound options',
      {
        outboundIPRanges: ['10.0.0.0/8', '2001:db8::/32'],
        outboundIPRangesExclude: ['10.1.0.0/16'],
        outboundPorts: [3306],
        outboundPortsExclude: [25, 587],
      },
    ],
    ['interfaces', { rerouteVirtualInterfaces: ['eth1', 'eth2'], excludeInterfaces: ['net1'], outboundIPRanges: '*' }],
    ['owners', { proxyUID: ['3', '4'], proxyGID: ['1', '2'] }],
    [
      'non-default numbers',
      {
        proxyPort: 16001,
        inboundCapturePort: 16006,
        inboundTunnelPort: 16008,
        tproxyMark: 7,
        tproxyRouteTable: 77,
        iptablesProbePort: 16002,
        probeTimeout: '1m',
      },
    ],
    [
      'every boolean and string',
      {
        dryRun: true,
        skipRuleApply: true,
        runValidation: true,
        redirectDNS: true,
        dropInvalid: true,
        dualStack: true,
        captureAllDNS: true,
        networkNamespace: '/var/run/netns/pod',
        cniMode: true,
        reconcile: true,
        cleanupOnly: true,
        forceApply: true,
        nativeNftables: true,
        forceIptablesBinary: 'iptables-nft',
        logOutputLevel: 'default:debug',
        logAsJson: true,
      },
    ],
    ['env-only settings', { hostIPv4LoopbackCidr: '127.0.0.1/8', ownerGroupsInclude: ['java', '202'] }],
    ['owner group excludes', { ownerGroupsExclude: ['888', 'ftp'] }],
  ];
  for (const [name, patch] of variants) {
    it(`round-trips settings: ${name}`, () => {
      const s: CaptureSettings = { ...defaultCaptureSettings(), ...patch };
      const back = parseCaptureArgs(toIstioIptablesArgs(s), toIstioIptablesEnv(s));
      assert.deepEqual(back, s);
    });
  }

  it('writes optional flags in the template order after the fixed ones', () => {
    const s: CaptureSettings = {
      ...defaultCaptureSettings(),
      outboundPorts: [1],
      outboundPortsExclude: [2],
      rerouteVirtualInterfaces: ['eth1'],
      excludeInterfaces: ['net1'],
      logOutputLevel: 'default:info',
      logAsJson: true,
      runValidation: true,
      skipRuleApply: true,
    };
    assert.deepEqual(toIstioIptablesArgs(s).slice(17), [
      '-q',
      '1',
      '-o',
      '2',
      '-k',
      'eth1',
      '-c',
      'net1',
      '--log_output_level=default:info',
      '--log_as_json',
      '--run-validation',
      '--skip-rule-apply',
    ]);
  });

  it('puts only non-default env-only settings in the environment', () => {
    assert.deepEqual(toIstioIptablesEnv(defaultCaptureSettings()), {});
  });

  it('refuses invalid settings, naming the flag', () => {
    const s: CaptureSettings = { ...defaultCaptureSettings(), rerouteVirtualInterfaces: ['bad/name'] };
    assert.throws(
      () => toIstioIptablesArgs(s),
      (e: unknown) => e instanceof CaptureSettingError && e.flag === '-k',
    );
  });
});
