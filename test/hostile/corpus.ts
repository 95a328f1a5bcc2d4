// A deterministic corpus of hostile request bodies for /inject: truncated and malformed JSON, every
// node of a valid review replaced by every wrong type, deep nesting, huge strings and arrays, wrong
// kinds and versions, missing request/object/uid. Each case says what answer it must get.

export interface HostileCase {
  name: string;
  body: Buffer;
  /** 'review': HTTP 200 with allowed false (or a skip/inject for harmless mutations); 'http4xx': refused before admission. */
  expect: 'refused' | 'answered' | 'http4xx';
  contentType?: string;
}

const base = {
  apiVersion: 'admission.k8s.io/v1',
  kind: 'AdmissionReview',
  request: {
    uid: 'hostile-uid',
    kind: { group: '', version: 'v1', kind: 'Pod' },
    resource: { group: '', version: 'v1', resource: 'pods' },
    namespace: 'apps',
    operation: 'CREATE',
    object: {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { generateName: 'web-', labels: { app: 'web' }, annotations: { 'sidecar.istio.io/proxyCPU': '100m' } },
      spec: {
        containers: [
          {
            name: 'web',
            image: 'web:1',
            ports: [{ containerPort: 8080, protocol: 'TCP' }],
            env: [{ name: 'A', value: 'b' }],
            readinessProbe: { httpGet: { port: 8080, path: '/r' } },
          },
        ],
        volumes: [{ name: 'v', emptyDir: {} }],
      },
    },
  },
};

type Path = Array<string | number>;

export function paths(v: unknown, at: Path = []): Path[] {
  const out: Path[] = [at];
  if (Array.isArray(v)) for (const [i, x] of v.entries()) out.push(...paths(x, [...at, i]));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) out.push(...paths(x, [...at, k]));
  return out;
}

function setAt(root: unknown, path: Path, value: unknown): unknown {
  if (path.length === 0) return value;
  const copy = structuredClone(root) as Record<string | number, unknown>;
  let cur = copy;
  for (const p of path.slice(0, -1)) cur = cur[p] as Record<string | number, unknown>;
  cur[path[path.length - 1]!] = value;
  return copy;
}

const json = (v: unknown) => Buffer.from(JSON.stringify(v));

export function hostileCorpus(): HostileCase[] {
  const cases: HostileCase[] = [];
  const valid = JSON.stringify(base);
  // 1. truncated JSON at 200 offsets
  for (let i = 1; i <= 200; i++) {
    const cut = Math.floor((valid.length * i) / 201);
    cases.push({ name: `truncated at ${cut}/${valid.length}`, body: Buffer.from(valid.slice(0, cut)), expect: 'refused' });
  }
  // 2. every node replaced by every wrong type
  const wrong: Array<[string, unknown]> = [
    ['null', null],
    ['number', 7],
    ['string', 'x'],
    ['array', [1]],
    ['object', { a: 1 }],
    ['bool', true],
  ];
  for (const p of paths(base)) {
    if (p.length === 0) continue;
    for (const [label, v] of wrong) {
      cases.push({ name: `${p.join('.')} = ${label}`, body: json(setAt(base, p, v)), expect: 'answered' });
    }
  }
  // 3. malformed JSON of many shapes
  const malformed = [
    '{',
    '}',
    '[',
    '"',
    '{"a":}',
    '{"a" 1}',
    'nul',
    'tru',
    '{"apiVersion":"admission.k8s.io/v1",}',
    "{'a':1}",
    '\u0000',
    '\uFEFF{}',
    'NaN',
    '1e999999',
    '{"a":"\\ud800"}',
    '{"a":"\\x41"}',
    '[1,2,,3]',
    '{"__proto__":{"polluted":1}}',
    '{"constructor":{"prototype":{"polluted":1}}}',
    '0',
    '-',
    '[]',
    '""',
    'true',
    'null',
  ];
  for (const [i, m] of malformed.entries())
    cases.push({ name: `malformed #${i} ${JSON.stringify(m).slice(0, 30)}`, body: Buffer.from(m), expect: 'refused' });
  // 4. wrong kinds and versions, missing parts
  for (const apiVersion of ['admission.k8s.io/v2', 'v1', '', 'admission.k8s.io/v1beta2', 'ADMISSION.K8S.IO/V1'])
    cases.push({ name: `apiVersion ${apiVersion}`, body: json({ ...base, apiVersion }), expect: 'refused' });
  for (const kind of ['AdmissionRequest', 'Pod', '', 'admissionreview'])
    cases.push({ name: `kind ${kind}`, body: json({ ...base, kind }), expect: 'refused' });
  for (const k of ['request', 'uid', 'object', 'kind']) {
    const r = structuredClone(base) as Record<string, any>;
    if (k === 'request') delete r.request;
    else delete r.request[k];
    cases.push({ name: `missing ${k}`, body: json(r), expect: 'refused' });
  }
  for (const [g, kd] of [
    ['apps', 'Deployment'],
    ['', 'Service'],
    ['', 'Secret'],
    ['batch', 'Pod'],
  ]) {
    cases.push({
      name: `request for ${g}/${kd}`,
      body: json(setAt(base, ['request', 'kind'], { group: g, version: 'v1', kind: kd })),
      expect: 'refused',
    });
  }
  // 5. deep nesting
  for (const depth of [100, 1_000, 10_000, 100_000]) {
    cases.push({ name: `nested arrays depth ${depth}`, body: Buffer.from('['.repeat(depth) + ']'.repeat(depth)), expect: 'refused' });
    cases.push({
      name: `nested annotation value depth ${depth}`,
      body: Buffer.from(valid.replace('"100m"', `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`)),
      expect: 'answered',
    });
  }
  // 6. huge strings and arrays under the cap
  const hugeString = 'x'.repeat(5 * 1024 * 1024);
  cases.push({
    name: 'a 5 MiB annotation',
    body: json(setAt(base, ['request', 'object', 'metadata', 'annotations', 'big'], hugeString)),
    expect: 'answered',
  });
  cases.push({
    name: 'a 5 MiB container name',
    body: json(setAt(base, ['request', 'object', 'spec', 'containers', 0, 'name'], hugeString)),
    expect: 'answered',
  });
  cases.push({
    name: '20,000 containers',
    body: json(
      setAt(
        base,
        ['request', 'object', 'spec', 'containers'],
        Array.from({ length: 20_000 }, (_, i) => ({ name: `c${i}`, image: 'i' })),
      ),
    ),
    expect: 'answered',
  });
  cases.push({
    name: '50,000 env vars',
    body: json(
      setAt(
        base,
        ['request', 'object', 'spec', 'containers', 0, 'env'],
        Array.from({ length: 50_000 }, (_, i) => ({ name: `E${i}`, value: 'v' })),
      ),
    ),
    expect: 'answered',
  });
  cases.push({
    name: '30,000 annotations',
    body: json(
      setAt(base, ['request', 'object', 'metadata', 'annotations'], Object.fromEntries(Array.from({ length: 30_000 }, (_, i) => [`k${i}`, 'v']))),
    ),
    expect: 'answered',
  });
  cases.push({
    name: '100,000 duplicate container names',
    body: json(
      setAt(
        base,
        ['request', 'object', 'spec', 'containers'],
        Array.from({ length: 100_000 }, () => ({ name: 'same', image: 'i' })),
      ),
    ),
    expect: 'answered',
  });
  // 7. over the cap, and not JSON by content type
  cases.push({ name: 'body over 6 MiB', body: Buffer.alloc(6 * 1024 * 1024 + 10, 0x20), expect: 'http4xx' });
  cases.push({ name: 'empty body', body: Buffer.alloc(0), expect: 'http4xx' });
  cases.push({ name: 'text/plain', body: json(base), expect: 'http4xx', contentType: 'text/plain' });
  cases.push({ name: 'application/yaml on /inject', body: json(base), expect: 'http4xx', contentType: 'application/yaml' });
  return cases;
}
