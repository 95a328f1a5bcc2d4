// No value a pod author controls (annotations, labels, names) can add or change fields of what the
// templates render: with a hostile value the result is an error, or the same structure as with a benign
// value, the hostile string appearing only as a plain string.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isInjectionError } from '../../src/core/errors.ts';
import { injectPod } from '../../src/core/inject.ts';
import type { Pod } from '../../src/core/types.ts';
import { defaultSettings } from '../helpers/settings.ts';
import { HOSTILE, LABELS_READ_BY_CORE } from './hostile-values-istio-cases.ts';

/** Every annotation and label the built-in template reads, found in the template itself. */
function keysReadByTemplate(): string[] {
  const text = readFileSync(join(import.meta.dirname, '..', '..', 'templates', 'sidecar.tmpl'), 'utf8');
  const keys = new Set<string>();
  for (const m of text.matchAll(/[`"]([a-z0-9.-]+\.[a-z]+\/[A-Za-z0-9.-]+)[`"]/g)) keys.add(m[1]!);
  return [...keys].sort();
}

/** A valid, ordinary value for annotations the injector validates (anything else: "benign"). */
const BENIGN: Record<string, string> = {
  'readiness.status.sidecar.istio.io/failureThreshold': '5',
  'readiness.status.sidecar.istio.io/initialDelaySeconds': '5',
  'readiness.status.sidecar.istio.io/periodSeconds': '5',
  'status.sidecar.istio.io/port': '15020',
  'sidecar.istio.io/interceptionMode': 'REDIRECT',
  'sidecar.istio.io/proxyCPU': '100m',
  'sidecar.istio.io/proxyCPULimit': '1',
  'sidecar.istio.io/proxyMemory': '128Mi',
  'sidecar.istio.io/proxyMemoryLimit': '1Gi',
  'traffic.sidecar.istio.io/excludeInboundPorts': '8081',
  'traffic.sidecar.istio.io/includeInboundPorts': '8080',
  'traffic.sidecar.istio.io/excludeOutboundPorts': '25',
  'traffic.sidecar.istio.io/includeOutboundPorts': '443',
  'traffic.sidecar.istio.io/includeOutboundIPRanges': '10.0.0.0/8',
  'traffic.sidecar.istio.io/excludeOutboundIPRanges': '10.1.0.0/16',
  'traffic.sidecar.istio.io/excludeInterfaces': 'eth1',
  'traffic.sidecar.istio.io/kubevirtInterfaces': 'net1',
  'istio.io/reroute-virtual-interfaces': 'net1',
  'proxy.istio.io/config': 'concurrency: 2',
  'prometheus.istio.io/merge-metrics': 'true',
  'sidecar.istio.io/proxyImageType': 'debug',
  'prometheus.io/scrape': 'true',
  'prometheus.io/port': '8080',
  'sidecar.istio.io/userVolume': '{"v":{"emptyDir":{}}}',
  'sidecar.istio.io/userVolumeMount': '{"v":{"mountPath":"/v"}}',
  'inject.istio.io/templates': 'sidecar',
};

const EXTRA_ANNOTATIONS = [
  'sidecar.istio.io/inject',
  'inject.istio.io/templates',
  'proxy.istio.io/config',
  'sidecar.istio.io/status',
  'sidecar.istio.io/userVolume',
  'sidecar.istio.io/userVolumeMount',
  'sidecar.istio.io/nativeSidecar',
  'sidecar.istio.io/proxyImageType',
  'prometheus.io/port',
  'prometheus.io/path',
  'prometheus.io/scrape',
  'sidecar.istio.io/rewriteAppHTTPProbers',
  'prometheus.istio.io/merge-metrics',
];
const LABELS = [...LABELS_READ_BY_CORE, 'sidecar.istio.io/inject'];

function pod(annotations: Record<string, string>, labels: Record<string, string>, containerName = 'app'): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'default', annotations, labels },
    spec: {
      containers: [
        {
          name: containerName,
          image: 'app:1',
          ports: [{ name: 'http', containerPort: 8080 }],
          readinessProbe: { httpGet: { port: 'http', path: '/r' } } as never,
        },
      ],
    },
  };
}

/** The structure of a value: every string replaced by "", so only fields, list lengths and non-string values remain. */
function shape(v: unknown): unknown {
  if (typeof v === 'string') return '';
  if (Array.isArray(v)) return v.map(shape);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, shape(x)]));
  return v;
}

/** Every string anywhere in the value, including JSON and key names. */
function strings(v: unknown, out: string[] = []): string[] {
  if (typeof v === 'string') out.push(v);
  else if (Array.isArray(v)) for (const x of v) strings(x, out);
  else if (v && typeof v === 'object')
    for (const [k, x] of Object.entries(v)) {
      out.push(k);
      strings(x, out);
    }
  return out;
}

function tryInject(p: Pod): Pod | Error {
  try {
    return injectPod(p, { settings: defaultSettings(), namespace: 'default' }).pod;
  } catch (e) {
    if (isInjectionError(e)) return e;
    throw e;
  }
}

function withoutKey(p: Pod, where: 'annotations' | 'labels', key: string): unknown {
  const c = structuredClone(p);
  delete c.metadata[where]![key];
  return shape(c);
}

describe('hostile values in annotations, labels and names cannot change what is injected', () => {
  const annotations = [...new Set([...keysReadByTemplate(), ...EXTRA_ANNOTATIONS])];

  it('finds the annotations the template reads (sanity check of this test)', () => {
    const keys = keysReadByTemplate();
    for (const k of [
      'sidecar.istio.io/proxyImage',
      'sidecar.istio.io/logLevel',
      'traffic.sidecar.istio.io/includeInboundPorts',
      'sidecar.istio.io/bootstrapOverride',
    ]) {
      assert.ok(keys.includes(k), k);
    }
  });

  for (const [where, keys] of [
    ['annotations', annotations],
    ['labels', LABELS],
  ] as const) {
    for (const key of keys) {
      it(`${where} ${key}: an error, or the same structure as a benign value`, () => {
        const ok = BENIGN[key] ?? 'benign';
        const benign = tryInject(where === 'annotations' ? pod({ [key]: ok }, {}) : pod({}, { [key]: ok }));
        for (const h of HOSTILE) {
          const got = tryInject(where === 'annotations' ? pod({ [key]: h }, {}) : pod({}, { [key]: h }));
          if (got instanceof Error) continue;
          assert.ok(!(benign instanceof Error), `${key}=${JSON.stringify(h)} injected where a benign value fails`);
          // the pod author's own key is theirs to set; everything else must keep its structure
          assert.deepEqual(withoutKey(got, where, key), withoutKey(benign, where, key), `${key}=${JSON.stringify(h)} changed the injected structure`);
        }
      });
    }
  }

  it('a hostile container name only ever appears as a string (or the pod is refused, as istiod refuses it)', () => {
    const benign = tryInject(pod({}, {}, 'benign'));
    assert.ok(!(benign instanceof Error));
    let injected = 0;
    for (const h of ['a"\n  privileged: true', '{{ values }}', 'x: y']) {
      const got = tryInject(pod({}, {}, h));
      // Istio's template writes the first container's name between quotes: a quote in it breaks istiod's YAML
      if (got instanceof Error) {
        assert.match(got.message, /spec\.containers/);
        continue;
      }
      injected++;
      assert.deepEqual(shape(got), shape(benign));
      assert.ok(
        strings(got).some((s) => s === h),
        'the name is kept verbatim',
      );
    }
    assert.ok(injected >= 2, 'names with YAML syntax but no quote inject');
  });
});
