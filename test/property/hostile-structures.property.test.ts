// Properties over structurally hostile input (issue 12): type-confused values, prototype names and deep
// nesting anywhere in a review's pod, in the structured annotations the injector parses, and in preview
// objects. Every review gets a valid answer with its uid (a patch, when allowed, that applies to the pod
// as sent); every preview answers each object or refuses the request with a cap's InjectionError.
// Anything else thrown fails the property.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import jsonpatch from 'fast-json-patch';
import { admit } from '../../src/core/admission.ts';
import { parseDocuments } from '../../src/core/documents.ts';
import { isInjectionError } from '../../src/core/errors.ts';
import { previewObjects } from '../../src/core/preview.ts';
import { defaultSettings } from '../helpers/settings.ts';
import { paths } from '../hostile/corpus.ts';

const settings = defaultSettings();
const RUNS = Number(process.env.PROPERTY_RUNS ?? 150);
const SEED = 1212;
const UID = 'property-uid';

const PROTO_NAMES = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', 'isPrototypeOf', '__defineGetter__'];
const deepList = (depth: number): unknown => {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = [v];
  return v;
};
const deepMap = (depth: number): unknown => {
  let v: unknown = {};
  for (let i = 0; i < depth; i++) v = { a: v };
  return v;
};
// built once: deep values are the point, not their variety
const DEEP = [deepList(300), deepMap(300), deepList(100_000), deepMap(20_000)];
const deepJson = (depth: number): string => `${'['.repeat(depth)}1${']'.repeat(depth)}`;

const leaf = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.string({ maxLength: 12 }),
  fc.constantFrom(...PROTO_NAMES),
  fc.constantFrom('', 'x', '5', 'true', 'null', '{}', '[]'),
);
const protoKeyed = (v: fc.Arbitrary<unknown>) =>
  fc
    .array(fc.tuple(fc.oneof(fc.constantFrom(...PROTO_NAMES), fc.string({ maxLength: 6 })), v), { maxLength: 4 })
    .map((entries) => Object.fromEntries(entries)); // fromEntries makes own properties, `__proto__` included
const { hostile } = fc.letrec((tie) => ({
  hostile: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.constantFrom(...DEEP),
    fc.array(tie('hostile'), { maxLength: 3 }),
    protoKeyed(tie('hostile')),
  ),
}));
/** What a pod author can put in an annotation: text, JSON of hostile structures, deeply nested JSON. */
const annotationText = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.constantFrom(...PROTO_NAMES),
  fc.constantFrom(deepJson(300), deepJson(100_000), `{"containers":[{"name":"istio-proxy","x":${deepJson(50_000)}}]}`),
  leaf.map((v) => JSON.stringify(v)),
  protoKeyed(leaf).map((v) => JSON.stringify(v)),
  fc.constant('a: &a [1,1,1,1,1,1,1,1,1]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: [*b,*b,*b,*b,*b,*b,*b,*b,*b]'),
);
const STRUCTURED = [
  'proxy.istio.io/overrides',
  'proxy.istio.io/config',
  'sidecar.istio.io/userVolume',
  'sidecar.istio.io/userVolumeMount',
  'sidecar.istio.io/status',
  'inject.istio.io/templates',
  'sidecar.istio.io/interceptionMode',
  'prometheus.io/port',
  'traffic.sidecar.istio.io/includeInboundPorts',
  'sidecar.istio.io/inject',
];

const basePod = () => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    generateName: 'web-',
    labels: { app: 'web', 'pod-template-hash': 'h1' },
    annotations: { 'prometheus.io/scrape': 'true' },
    ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-h1', uid: 'u', controller: true }],
  },
  spec: {
    containers: [
      {
        name: 'web',
        image: 'web:1',
        ports: [{ name: 'http', containerPort: 8080 }],
        env: [{ name: 'A', value: 'b' }],
        readinessProbe: { httpGet: { port: 'http', path: '/r' } },
        securityContext: { runAsUser: 5 },
      },
    ],
    volumes: [{ name: 'v', emptyDir: {} }],
  },
});

type Path = Array<string | number>;
const POD_PATHS = paths(basePod()).filter((p) => p.length > 0);

/** The base pod with `value` at `path`, or under a new (maybe prototype-named) key next to it. */
function withValue(path: Path, key: string | undefined, value: unknown): Record<string, unknown> {
  const pod = basePod() as Record<string | number, any>;
  let cur = pod;
  for (const p of path.slice(0, -1)) cur = cur[p];
  const last = path[path.length - 1]!;
  // a key the target cannot take anew (an array's `length`) puts the value in place of the target instead
  const settable =
    cur[last] !== null && typeof cur[last] === 'object' && Object.getOwnPropertyDescriptor(cur[last], key ?? '')?.configurable !== false;
  if (key !== undefined && settable) Object.defineProperty(cur[last], key, { value, enumerable: true, writable: true, configurable: true });
  else cur[last] = value;
  return pod;
}
const mutated = fc
  .record({
    path: fc.constantFrom(...POD_PATHS),
    key: fc.option(fc.oneof(fc.constantFrom(...PROTO_NAMES), fc.string({ maxLength: 6 })), { nil: undefined }),
    value: hostile,
  })
  .map(({ path, key, value }) => withValue(path, key, value));
const annotated = fc.record({ name: fc.constantFrom(...STRUCTURED), text: annotationText }).map(({ name, text }) => {
  const pod = basePod();
  pod.metadata.annotations = { ...pod.metadata.annotations, [name]: text };
  return pod as Record<string, unknown>;
});
const hostilePod = fc.oneof(mutated, annotated);

function checkReview(object: Record<string, unknown>): void {
  const body = {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: { uid: UID, kind: { group: '', version: 'v1', kind: 'Pod' }, namespace: 'apps', object },
  };
  const response = admit(body, { settings }).review.response as { uid: string; allowed: boolean; patch?: string; status?: { message: string } };
  assert.equal(response.uid, UID);
  assert.equal(typeof response.allowed, 'boolean');
  if (!response.allowed) assert.ok(response.status!.message.length > 0 && response.status!.message.length < 5_000);
  if (response.patch) {
    const ops = JSON.parse(Buffer.from(response.patch, 'base64').toString('utf8'));
    jsonpatch.applyPatch(structuredClone(object), ops, true, false); // throws if an operation does not apply
  }
}

/** Preview of the objects: one item per object, or the whole request refused at a cap; anything else is rethrown. */
function checkPreview(objects: Array<Record<string, unknown>>, count = objects.length): void {
  try {
    const items = previewObjects(objects, { settings, namespace: 'apps', namespaceLabels: { 'istio-injection': 'enabled' } });
    assert.equal(items.length, count);
    for (const it of items) assert.ok(typeof it.message === 'string' && it.message.length < 5_000);
  } catch (e) {
    if (isInjectionError(e) && e.code === 'LIMIT_EXCEEDED') return;
    throw e;
  }
}

describe('properties of hostile structures', function () {
  this.timeout(120_000);

  it('every review gets an answer with its uid, whatever the pod holds', () => {
    fc.assert(
      fc.property(hostilePod, (pod) => checkReview(pod)),
      { numRuns: RUNS, seed: SEED },
    );
  });

  it('every preview answers each object, as a pod and as a Deployment template, whatever it holds', () => {
    const kind = fc.oneof(fc.constantFrom('Pod', 'Deployment', 'CronJob', ...PROTO_NAMES), leaf);
    fc.assert(
      fc.property(hostilePod, kind, (pod, k) => {
        checkPreview([{ ...pod, kind: k }]);
        checkPreview([{ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { template: pod } }]);
        checkPreview([{ apiVersion: 'v1', kind: 'List', items: [pod, k] }], 2);
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });

  it('every YAML or JSON text of a hostile object parses to objects or is refused with an InjectionError', () => {
    fc.assert(
      fc.property(mutated, fc.boolean(), (pod, asJson) => {
        let text: string;
        try {
          text = asJson ? JSON.stringify(pod) : JSON.stringify(pod, null, 1).replace(/^\{/, '{\n');
        } catch (e) {
          if (e instanceof RangeError) return; // too deep for JSON.stringify itself: nothing to send
          throw e;
        }
        let objects: Array<Record<string, unknown>>;
        try {
          objects = parseDocuments(text, 'body');
        } catch (e) {
          if (isInjectionError(e)) return;
          throw e;
        }
        checkPreview(objects);
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });
});
