// The hostile-value property on Istio's own Go templates (sidecar, gateway, grpc-agent, grpc-simple, from
// Istio's chart ConfigMap unchanged), through the real engine: a pod author's annotation, label or name
// never adds or changes fields. For every key a template reads, each hostile value (the list of
// hostile-values.test.ts, then fast-check strings of YAML syntax, quotes, line breaks, `{{`, Unicode line
// separators, JSON) gives either a refusal (TEMPLATE_UNSAFE_VALUE naming the template and the action that
// printed it, or another coded InjectionError), or a pod with the structure of a benign value's where only
// the places that depend on the value differ, and there only as a string.
// HOSTILE_RUNS (default 4) sets the generated values per key; HOSTILE_SEED the seed.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { parse } from 'yaml';
import { InjectionError } from '../../src/core/errors.ts';
import { injectPod } from '../../src/core/inject.ts';
import { buildSettings, type NativeSidecarMode, type Settings } from '../../src/core/settings/index.ts';
import type { Pod } from '../../src/core/types.ts';
import { chartDataOrSkip } from '../helpers/istio-chart.ts';
import {
  ANNOTATIONS_READ_BY_CORE,
  DATA_ANNOTATIONS,
  type Flat,
  flatten,
  HOSTILE,
  HOSTILE_TOKENS,
  hostileEnough,
  LABELS_READ_BY_CORE,
  VALUE_ALTERNATIVES,
} from './hostile-values-istio-cases.ts';

const RUNS = Number(process.env.HOSTILE_RUNS ?? 4);
const SEED = Number(process.env.HOSTILE_SEED ?? 1515);
/** What a pod asks for (inject.istio.io/templates): Istio's four injectable templates, and ours after sidecar. */
const SELECTIONS = ['sidecar', 'gateway', 'grpc-agent', 'grpc-simple', 'sidecar,capture-native'];
type Where = 'annotations' | 'labels' | 'name';

/** The annotation and label keys a Go template reads, found in its text. */
function keysRead(text: string): { annotations: string[]; labels: string[] } {
  const annotations = new Set<string>();
  const labels = new Set<string>();
  for (const m of text.matchAll(/(?:\.ObjectMeta\.Annotations|annotation\s+\.ObjectMeta)\s+[`"]([^`"]+)[`"]/g)) annotations.add(m[1]!);
  for (const m of text.matchAll(/\.ObjectMeta\.Labels\s+[`"]([^`"]+)[`"]/g)) labels.add(m[1]!);
  return { annotations: [...annotations].sort(), labels: [...labels].sort() };
}

function basePod(selection: string): Pod {
  if (selection === 'gateway') {
    return {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'gw', namespace: 'istio-ingress', annotations: {}, labels: { app: 'istio-ingressgateway', istio: 'ingressgateway' } },
      spec: { containers: [{ name: 'istio-proxy', image: 'auto', ports: [{ containerPort: 15090, protocol: 'TCP', name: 'http-envoy-prom' }] }] },
    } as Pod;
  }
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'default', annotations: {}, labels: {} },
    spec: {
      containers: [
        {
          name: 'app',
          image: 'app:1',
          ports: [{ name: 'http', containerPort: 8080 }],
          readinessProbe: { httpGet: { port: 'http', path: '/r' } } as never,
        },
      ],
    },
  };
}

/** The template's pod with `value` at `key` (a name: the pod's, the first container's or its port's). */
function podWith(selection: string, where: Where, key: string, value: string): Pod {
  const p = structuredClone(basePod(selection));
  p.metadata.annotations!['inject.istio.io/templates'] = selection;
  if (where === 'annotations') p.metadata.annotations![key] = value;
  else if (where === 'labels') p.metadata.labels![key] = value;
  else if (key === 'pod') p.metadata.name = value;
  else if (key === 'container') p.spec.containers[0]!.name = value;
  else (p.spec.containers[0]!.ports as Array<{ name?: string }>)[0]!.name = value;
  return p;
}

type Outcome = { pod: Flat; guarded: unknown } | { error: InjectionError };

/** What a pod author must never change in an injected container, whatever data their annotation holds. */
function guarded(p: Pod): unknown {
  const out: Record<string, unknown> = {};
  for (const c of [...(p.spec.initContainers ?? []), ...p.spec.containers]) {
    if (c.name.startsWith('istio-')) out[c.name] = { command: c.command, securityContext: c.securityContext, args0: c.args?.[0] };
  }
  return out;
}

function tryInject(settings: Settings, where: Where, key: string, p: Pod): Outcome {
  try {
    const out = injectPod(p, { settings, namespace: p.metadata.namespace! }).pod;
    // the pod author's own key is theirs to set
    if (where === 'annotations') delete out.metadata.annotations?.[key];
    if (where === 'labels') delete out.metadata.labels?.[key];
    return { pod: flatten(out), guarded: guarded(out) };
  } catch (e) {
    if (e instanceof InjectionError) return { error: e };
    throw e;
  }
}

/** Leaf paths where two renders differ: the places that depend on the value. */
function differing(a: Flat, b: Flat, into: Set<string>): void {
  for (const [path, v] of a.leaves) if (!Object.is(b.leaves.get(path), v)) into.add(path);
  for (const path of b.leaves.keys()) if (!a.leaves.has(path)) into.add(path);
}

/** Why the hostile render is not a benign one with the value in value-dependent string leaves, or undefined. */
function changed(hostile: Flat, benign: Flat[], dependent: Set<string>): string | undefined {
  const same = benign.find((b) => b.structure === hostile.structure);
  if (!same) return 'the structure (keys, list lengths) differs from every benign value';
  for (const [path, v] of hostile.leaves) {
    const was = same.leaves.get(path);
    if (Object.is(v, was)) continue;
    if (!dependent.has(path)) return `${path} changed (${JSON.stringify(was)} -> ${JSON.stringify(v)}) though no benign value changes it`;
    if (typeof v !== 'string' && typeof v !== typeof was) return `${path} became ${JSON.stringify(v)}, not a string`;
  }
  return undefined;
}

const generated = fc.oneof(
  fc.array(fc.constantFrom(...HOSTILE_TOKENS), { minLength: 1, maxLength: 8 }).map((a) => a.join('')),
  fc.json(),
  fc.string({ maxLength: 16, unit: 'binary' }),
);

interface Counts {
  accepted: number;
  refused: Record<string, number>;
}

/** One key of one template selection: every hostile value refused as it should be, or injected as a benign one. */
function checkKey(settings: Settings, selection: string, where: Where, key: string, seed: number, c: Counts): void {
  const alternatives = VALUE_ALTERNATIVES[key] ?? ['benign', 'other'];
  const benign = alternatives.map((v) => tryInject(settings, where, key, podWith(selection, where, key, v)));
  const ok = benign.filter((b) => 'pod' in b);
  assert.ok(ok.length > 0, `${selection} ${where} ${key}: no benign value injects (${(benign[0] as { error: Error }).error?.message})`);
  const dependent = new Set<string>();
  for (const b of ok.slice(1)) differing(ok[0]!.pod, b.pod, dependent);
  const values = [...HOSTILE, ...fc.sample(generated.filter(hostileEnough), { numRuns: RUNS, seed })];
  for (const h of values) {
    const what = `${selection} ${where} ${key}=${JSON.stringify(h)}`;
    const got = tryInject(settings, where, key, podWith(selection, where, key, h));
    if ('error' in got) {
      c.refused[got.error.code] = (c.refused[got.error.code] ?? 0) + 1;
      if (process.env.HOSTILE_LOG === got.error.code) console.log(`${what}: ${got.error.message.slice(0, 300)}`);
      if (got.error.code === 'TEMPLATE_UNSAFE_VALUE') {
        // names the template and the action that printed the value
        const names = selection.split(',').map((t) => `injection template "${t}" printed {{`);
        assert.ok(
          names.some((n) => got.error.message.includes(n)),
          `${what}: ${got.error.message}`,
        );
        assert.match(got.error.message, /\(template line \d+\)/, what);
      }
      continue;
    }
    c.accepted++;
    if (DATA_ANNOTATIONS.has(key)) {
      // its value is data the injector parses and validates: it may shape the pod as Istio lets it
      assert.deepEqual(got.guarded, ok[0]!.guarded, `${what}: changed an injected container's command or privileges`);
      continue;
    }
    const why = changed(
      got.pod,
      ok.map((b) => b.pod),
      dependent,
    );
    assert.equal(why, undefined, `${what}: ${why}`);
  }
}

describe("hostile values on Istio's Go templates (chart ConfigMap unchanged) never add or change fields", function () {
  this.timeout(300_000);
  const settings: Partial<Record<NativeSidecarMode, Settings>> = {};
  let templates: Record<string, string>;
  const counts = new Map<string, Counts>();
  before(function () {
    const chart = chartDataOrSkip(this);
    // capture-native is ours: given as a template next to Istio's (the built-in Go templates' directory)
    const ours = { 'capture-native': readFileSync(join(import.meta.dirname, '..', '..', 'templates', 'capture-native.tmpl'), 'utf8') };
    for (const native of ['false', 'true'] as const)
      settings[native] = buildSettings({ ...chart, templates: ours, nativeSidecars: native, reuse: false });
    templates = { ...(parse(chart.config) as { templates: Record<string, string> }).templates, ...ours };
  });
  after(() => {
    for (const [t, c] of counts) console.log(`      ${t}: ${c.accepted} accepted, refused ${JSON.stringify(c.refused)}`);
  });

  it('finds the keys the templates read (sanity check of this test)', () => {
    const sidecar = keysRead(templates.sidecar!);
    for (const k of ['sidecar.istio.io/proxyImage', 'traffic.sidecar.istio.io/includeInboundPorts', 'sidecar.istio.io/bootstrapOverride'])
      assert.ok(sidecar.annotations.includes(k), k);
    assert.ok(sidecar.labels.includes('service.istio.io/canonical-name'));
    assert.ok(keysRead(templates.gateway!).labels.includes('app'));
    assert.ok(keysRead(templates['capture-native']!).annotations.includes('traffic.sidecar.istio.io/excludeInterfaces'));
  });

  for (const selection of SELECTIONS) {
    for (const native of ['false', 'true'] as const) {
      it(`${selection}, native sidecars ${native}: every annotation, label and name it reads`, () => {
        const c: Counts = { accepted: 0, refused: {} };
        counts.set(`${selection} (native ${native})`, c);
        const read = selection.split(',').map((t) => keysRead(templates[t]!));
        const cases: Array<[Where, string]> = [
          ...[...new Set([...read.flatMap((r) => r.annotations), ...ANNOTATIONS_READ_BY_CORE])].map((k): [Where, string] => ['annotations', k]),
          ...[...new Set([...read.flatMap((r) => r.labels), ...LABELS_READ_BY_CORE])].map((k): [Where, string] => ['labels', k]),
          ...(['pod', 'container', 'port'] as const).map((k): [Where, string] => ['name', k]),
        ];
        for (const [i, [where, key]] of cases.entries()) checkKey(settings[native]!, selection, where, key, SEED + i, c);
        assert.ok(c.accepted > cases.length, 'hostile values land as strings, not only refusals');
      });
    }
  }
});
