// One validator: for every capture annotation, any value the webhook allows, our `iptables` command
// accepts when run (--dry-run, in process) with the args and env the template rendered into istio-init.
// Values: the known escapes, ordinary ones, and seeded random strings over the characters that matter
// (separators, option dashes, address punctuation).
import assert from 'node:assert/strict';
import type { Host } from '../../src/capture/apply.ts';
import { runIptables } from '../../src/cli/iptables-command.ts';
import { InjectionError } from '../../src/core/errors.ts';
import { injectPod } from '../../src/core/inject.ts';
import type { Container, Pod } from '../../src/core/types.ts';
import { memoryIO } from '../helpers/cli.ts';
import { defaultSettings } from '../helpers/settings.ts';

const settings = defaultSettings({ native: 'false' });

const dryRunHost = (env: Record<string, string>): Host => ({
  env,
  which: () => undefined,
  addresses: () => [
    { address: '127.0.0.1', internal: true },
    { address: '10.1.2.3', internal: false },
    { address: 'fd00::3', internal: false },
  ],
  readFile: () => 'nameserver 10.96.0.10\n',
  defaultLockWritable: () => true,
  run: () => Promise.reject(new Error('a dry run runs nothing')),
});

/** `init` is absent when the pod gets no capture (interception mode NONE). */
type Verdict = { allowed: true; init?: Container } | { allowed: false; error: InjectionError };

function admitWith(annotations: Record<string, string>): Verdict {
  const pod: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'default', annotations },
    spec: { containers: [{ name: 'app', image: 'app' }] },
  };
  try {
    const r = injectPod(pod, { settings, namespace: 'default' });
    assert.equal(r.decision.inject, true);
    const init = r.pod.spec.initContainers?.find((c) => c.name === 'istio-init');
    return init ? { allowed: true, init } : { allowed: true };
  } catch (e) {
    if (!(e instanceof InjectionError)) throw e;
    return { allowed: false, error: e };
  }
}

async function iptablesAccepts(init: Container): Promise<{ code: number; err: string }> {
  const env = Object.fromEntries((init.env ?? []).filter((e) => typeof e.value === 'string').map((e) => [e.name, e.value as string]));
  const io = memoryIO();
  const argv = init.command?.at(-1) === 'iptables' ? [...(init.args ?? [])] : (init.args ?? []).slice(1); // pilot-agent's leading istio-iptables
  const code = await runIptables([...argv, '--dry-run'], io, dryRunHost(env));
  return { code, err: io.err() };
}

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function randomValues(alphabet: string, count: number, seed: number): string[] {
  const rnd = seeded(seed);
  return Array.from({ length: count }, () =>
    Array.from({ length: 1 + Math.floor(rnd() * 20) }, () => alphabet[Math.floor(rnd() * alphabet.length)]).join(''),
  );
}

const IFACE = 'ab1-:./ ,!+@*_n';
const PORT = '0123456789,* -';
const CIDR = '0123456789abcdef.:/,* -';
const TABLE: Array<{ annotation: string; known: string[]; alphabet: string }> = [
  {
    annotation: 'traffic.sidecar.istio.io/excludeInterfaces',
    known: ['--dry-run', 'a:b', '-n', 'eth1', 'eth1,net1', 'net+', '.', '..', 'a/b', 'averyveryverylong'],
    alphabet: IFACE,
  },
  { annotation: 'traffic.sidecar.istio.io/kubevirtInterfaces', known: ['-n', '--cleanup-only', 'net1', 'a b', '!x'], alphabet: IFACE },
  { annotation: 'istio.io/reroute-virtual-interfaces', known: ['-n', 'net1,net2', 'x,-y'], alphabet: IFACE },
  {
    annotation: 'traffic.sidecar.istio.io/includeOutboundIPRanges',
    known: ['1:2:3:4:5:6:7::1:2:3:4:5:6:7:8/64', '*', '10.0.0.0/8', '010.0.0.0/8', 'fd00::/8', '::ffff:1.2.3.4/128', '10.0.0.0/08'],
    alphabet: CIDR,
  },
  { annotation: 'traffic.sidecar.istio.io/excludeOutboundIPRanges', known: ['1:2:3:4:5:6:7:8:9/64', '10.96.0.2/24', '*'], alphabet: CIDR },
  { annotation: 'traffic.sidecar.istio.io/includeInboundPorts', known: ['*', '80,443', '0', '65536', '*,80', ''], alphabet: PORT },
  { annotation: 'traffic.sidecar.istio.io/excludeInboundPorts', known: ['8080', '*', '00080'], alphabet: PORT },
  { annotation: 'traffic.sidecar.istio.io/includeOutboundPorts', known: ['443', '-1', ''], alphabet: PORT },
  { annotation: 'traffic.sidecar.istio.io/excludeOutboundPorts', known: ['25', ' 25 , 26 ', '*'], alphabet: PORT },
  { annotation: 'status.sidecar.istio.io/port', known: ['15020', '0', '65535', '99999'], alphabet: '0123456789' },
  { annotation: 'sidecar.istio.io/interceptionMode', known: ['REDIRECT', 'TPROXY', 'NONE', 'tproxy'], alphabet: 'RTPOXYEDIC' },
  {
    annotation: 'proxy.istio.io/config',
    known: [
      'proxyMetadata: {ISTIO_META_DNS_CAPTURE: maybe}',
      'proxyMetadata: {ISTIO_META_DNS_CAPTURE: "true"}',
      'proxyMetadata: {INBOUND_CAPTURE_PORT: "0"}',
      'proxyMetadata: {DRY_RUN: "x"}',
      'proxyMetadata: {ISTIO_OUTBOUND_OWNER_GROUPS: "-bad"}',
      'interceptionMode: TPROXY',
      'proxyMetadata: {PROBE_TIMEOUT: "5s"}',
    ],
    alphabet: '',
  },
];

describe("capture annotations: the webhook allows only what the init container's iptables command accepts", function () {
  this.timeout(120_000);
  const ESCAPES: Record<string, string> = {
    'traffic.sidecar.istio.io/excludeInterfaces': '--dry-run',
    'traffic.sidecar.istio.io/kubevirtInterfaces': '-n',
    'traffic.sidecar.istio.io/includeOutboundIPRanges': '1:2:3:4:5:6:7::1:2:3:4:5:6:7:8/64',
  };

  it('refuses the known escapes at admission, naming the annotation', () => {
    for (const [annotation, value] of [...Object.entries(ESCAPES), ['traffic.sidecar.istio.io/excludeInterfaces', 'a:b']] as const) {
      const v = admitWith({ [annotation]: value });
      assert.ok(!v.allowed, `${annotation}=${value} was allowed`);
      assert.equal(v.error.subject, annotation);
      assert.match(v.error.message, new RegExp(`for annotation '${annotation.replace(/[./]/g, '\\$&')}'`));
    }
  });

  for (const { annotation, known, alphabet } of TABLE) {
    it(`${annotation}: every allowed value runs, with both the Istio and the capture-native init container`, async () => {
      const values = [...known, ...(alphabet ? randomValues(alphabet, 150, annotation.length) : [])];
      const seen = { allowed: 0, refused: 0 };
      for (const value of values) {
        for (const templates of ['sidecar', 'sidecar,capture-native']) {
          const v = admitWith({ [annotation]: value, 'inject.istio.io/templates': templates });
          if (!v.allowed) {
            seen.refused++;
            assert.match(v.error.message, /annotation '/, v.error.message);
            continue;
          }
          seen.allowed++;
          if (!v.init) continue;
          const run = await iptablesAccepts(v.init);
          assert.equal(run.code, 0, `${annotation}=${JSON.stringify(value)} (${templates}) was allowed, but the iptables command says: ${run.err}`);
        }
      }
      assert.ok(seen.allowed > 0, 'some values are allowed');
      if (alphabet || annotation === 'proxy.istio.io/config') assert.ok(seen.refused > 0, 'some values are refused');
    });
  }
});
