// Structured hostile values (objects, lists, deep nesting, numbers, huge strings, prototype names) in
// every annotation the templates and the injector read, through the core and through admission: the
// answer is always a refusal naming the annotation, or an injected pod whose injected containers keep
// their image, command and privileges. Anything else (a TypeError, a RangeError) fails the test.
import assert from 'node:assert/strict';
import { readTemplatesDir } from '../../src/config/files.ts';
import { admit } from '../../src/core/admission.ts';
import { ANNOTATION } from '../../src/core/annotations.ts';
import { InjectionError } from '../../src/core/errors.ts';
import { injectPod } from '../../src/core/inject.ts';
import { applyPatch } from '../../src/core/patch.ts';
import type { Container, Pod } from '../../src/core/types.ts';
import { defaultSettings } from '../helpers/settings.ts';

const settings = defaultSettings({ native: 'false' });

function keysReadByTemplates(): string[] {
  const keys = new Set<string>(Object.values(ANNOTATION));
  for (const text of Object.values(readTemplatesDir())) {
    for (const m of text.matchAll(/["`]([a-z0-9.-]+\.[a-z]+\/[A-Za-z0-9.-]+)["`]/g)) keys.add(m[1]!);
  }
  for (const k of [
    'sidecar.istio.io/userVolume',
    'sidecar.istio.io/userVolumeMount',
    'prometheus.io/scrape',
    'prometheus.io/port',
    'prometheus.io/path',
  ])
    keys.add(k);
  keys.delete(ANNOTATION.inject); // decides whether to inject at all; covered by the decision tests
  return [...keys].sort();
}

/** `depth` levels of nesting, built without recursion. */
function nested(depth: number, list: boolean): unknown {
  let v: unknown = 'leaf';
  for (let i = 0; i < depth; i++) v = list ? [v] : { a: v };
  return v;
}

const STRUCTURED: Array<[string, unknown]> = [
  ['an object', { privileged: true }],
  ['a list', ['a', 'b']],
  ['null', null],
  ['true', true],
  ['a number', 15020],
  ['a huge number', 1e308],
  ['an object with toString', { toString: 'x', valueOf: 1 }],
  ['100k-deep object', nested(100_000, false)],
  ['100k-deep list', nested(100_000, true)],
];
const STRINGS: Array<[string, string]> = [
  ['a 1 MB string', 'x'.repeat(1 << 20)],
  ['__proto__', '__proto__'],
  ['constructor', 'constructor'],
  ['toString', 'toString'],
  ['a deep YAML flow', `${'['.repeat(10_000)}${']'.repeat(10_000)}`],
  ['a deep JSON object', `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`],
  ['a YAML map with prototype keys', '{__proto__: {x: 1}, constructor: 2}'],
  ['a JSON map with prototype keys', '{"__proto__": {"image": "evil"}, "constructor": {}}'],
  ['numbers', '1e999'],
  ['a YAML alias bomb', 'a: &a [x,x,x]\nb: &b [*a,*a,*a]\nc: &c [*b,*b,*b]\nd: [*c,*c,*c]'],
];

const pod = (annotations: Record<string, unknown>): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', namespace: 'default', annotations: annotations as Record<string, string> },
  spec: { containers: [{ name: 'app', image: 'app:1', ports: [{ containerPort: 8080 }] }] },
});

/** What a pod author must never change in an injected container. */
function guarded(p: Pod): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const c of [...(p.spec.initContainers ?? []), ...p.spec.containers] as Container[]) {
    if (c.name === 'istio-proxy' || c.name === 'istio-init')
      out[c.name] = { command: c.command, securityContext: c.securityContext, args0: c.args?.[0] };
  }
  return out;
}

const benign = guarded(injectPod(pod({}), { settings, namespace: 'default' }).pod);

function checkCore(key: string, value: unknown, label: string): 'refused' | 'injected' {
  let p: Pod;
  try {
    p = injectPod(pod({ [key]: value }), { settings, namespace: 'default' }).pod;
  } catch (e) {
    if (!(e instanceof InjectionError)) throw e;
    // a template name the config does not have is refused naming the template
    const named = e.message.includes(key) || e.subject === key || (key === ANNOTATION.templates && e.code === 'TEMPLATE_NOT_FOUND');
    assert.ok(named, `${key}=${label}: refused without naming the annotation: ${e.message.slice(0, 300)}`);
    assert.ok(e.message.length < 4000, `${key}=${label}: a ${e.message.length}-character message`);
    return 'refused';
  }
  const images = [...(p.spec.initContainers ?? []), ...p.spec.containers]
    .filter((c) => c.name === 'istio-proxy' || c.name === 'istio-init')
    .map((c) => c.image);
  if (key !== 'sidecar.istio.io/proxyImage')
    for (const img of images) assert.match(String(img), /^docker\.io\/istio\/proxyv2:/, `${key}=${label} changed an image`);
  assert.deepEqual(guarded(p), benign, `${key}=${label} changed an injected container's command or privileges`);
  return 'injected';
}

function checkAdmission(key: string, value: unknown, label: string): void {
  const request = {
    uid: 'h-1',
    kind: { group: '', version: 'v1', kind: 'Pod' },
    namespace: 'default',
    operation: 'CREATE',
    object: pod({ [key]: value }),
  };
  const out = admit({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request }, { settings });
  const response = (out.review as { response: { uid: string; allowed: boolean; patch?: string; status?: { message: string } } }).response;
  assert.equal(response.uid, 'h-1');
  if (!response.allowed) {
    const message = response.status?.message ?? '';
    assert.ok(
      message.includes(key) || message.includes('metadata.annotations') || (key === ANNOTATION.templates && message.includes('template')),
      `${key}=${label}: refused without naming the annotation: ${message.slice(0, 300)}`,
    );
    return;
  }
  if (!response.patch) return;
  const patched = applyPatch(
    structuredClone(pod({ [key]: typeof value === 'string' ? value : '' })),
    JSON.parse(Buffer.from(response.patch, 'base64').toString('utf8')),
  ) as Pod;
  assert.deepEqual(guarded(patched), benign, `${key}=${label}: admission changed an injected container's command or privileges`);
}

describe('structured hostile values in every annotation the injector reads', function () {
  this.timeout(120_000);
  const keys = keysReadByTemplates();

  it('covers the annotations with real power (sanity check of this test)', () => {
    for (const k of [
      'proxy.istio.io/overrides',
      'sidecar.istio.io/userVolume',
      'sidecar.istio.io/proxyImage',
      'sidecar.istio.io/capNetBindService',
      'proxy.istio.io/config',
      'inject.istio.io/templates',
    ])
      assert.ok(keys.includes(k), k);
  });

  for (const key of keys) {
    it(`${key}: refused naming it, or injected with the injected containers intact, through the core and admission`, () => {
      let refusals = 0;
      for (const [label, value] of [...STRUCTURED, ...STRINGS]) {
        if (checkCore(key, value, label) === 'refused') refusals++;
        checkAdmission(key, value, label);
      }
      assert.ok(refusals >= STRUCTURED.length, `every non-string value is refused (${refusals})`);
    });
  }
});
