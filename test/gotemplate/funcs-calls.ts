// The calls the differential test of the template functions makes: a table per Go parameter type (edge
// cases included), generated strings, and focused sets for YAML layout, float arithmetic, semver and regex.
import fc from 'fast-check';
import type { Call } from './funcs-oracle.ts';

export const int = (v: number) => ({ $t: 'int', v });
const strs = (v: string[]) => ({ $t: '[]string', v });
const smap = (v: Record<string, string> | null) => ({ $t: 'map[string]string', v });

/** Arguments per Go parameter type: ordinary values and the edges (nil, empty, zero, wrong kinds for interface{}). */
const POOLS: Record<string, unknown[]> = {
  any: [
    null,
    '',
    'abc',
    'a b',
    0,
    1.5,
    -2,
    1e21,
    1234567,
    1e-7,
    int(3),
    int(0),
    int(-9),
    true,
    false,
    [],
    [1, 'a', null, [2]],
    {},
    { a: 1, b: null, c: { d: null } },
    '42',
    '0x1F',
    '1e3',
    '-7.9',
    ' 12 ',
    strs(['b', 'a', 'b']),
    smap({ x: '1', y: '' }),
    smap(null),
  ],
  string: [
    '',
    'abc',
    'a,b,,c',
    ' pad ',
    'héllo wörld',
    '42',
    '<a&b>',
    'line1\nline2',
    '-',
    '日本語',
    '0x10',
    'yes',
    'key: value',
    '--set',
    '9223372036854775808',
    '1_000',
  ],
  int: [int(0), int(1), int(3), int(-2), int(100)],
  bool: [true, false],
  'map[string]any': [{}, { a: 1, b: 'x', c: null }],
  'map[string]string': [smap({}), smap({ a: '1', b: 'x' }), smap(null)],
  float64: [0.5, 1],
  '[]v1.Container': [
    {
      $t: '[]v1.Container',
      v: [
        { name: 'app', image: 'nginx:1.21', ports: [{ containerPort: 80 }, { containerPort: 53, protocol: 'UDP' }] },
        { name: 'istio-proxy', ports: [{ containerPort: 15090, protocol: 'TCP' }] },
      ],
    },
    { $t: '[]v1.Container', v: [] },
  ],
  'v1.ObjectMeta': [
    { $t: 'v1.ObjectMeta', v: { annotations: { a: 'x', e: '' } } },
    { $t: 'v1.ObjectMeta', v: {} },
  ],
  '*durationpb.Duration': ['0s', '1.5s', '3600s', '0.000001s', '-90.25s', '7322s', null].map((v) => ({ $t: '*durationpb.Duration', v })),
  '*v1alpha1.MeshConfig': [
    {
      $t: '*v1alpha1.MeshConfig',
      v: {
        extensionProviders: [{ name: 'otel', opentelemetry: { service: 'c', port: 4317, serviceAttributeEnrichment: 'OTEL_SEMANTIC_CONVENTIONS' } }],
      },
    },
    { $t: '*v1alpha1.MeshConfig', v: {} },
  ],
  'protoreflect.ProtoMessage': [
    {
      $t: '*v1alpha1.ProxyConfig',
      v: {
        configPath: './etc/istio/proxy',
        serviceCluster: 'istio-proxy',
        drainDuration: '45s',
        discoveryAddress: 'x:1',
        proxyAdminPort: 15000,
        proxyMetadata: { A: '<b>' },
        statusPort: 15021,
      },
    },
    { $t: '*v1alpha1.ProxyConfig', v: null },
  ],
};

/** Deterministic picks (a fixed LCG) so that each run checks the same calls. */
function* picker(seed: number): Generator<number, never> {
  let s = seed;
  for (;;) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    yield s;
  }
}

export function tableCalls(signatures: Record<string, { params: string[]; variadic?: string }>, names: string[]): Call[] {
  const calls: Call[] = [];
  const rnd = picker(7);
  const pick = (type: string) => {
    const pool = POOLS[type.replace(/interface \{\}/g, 'any')];
    if (pool === undefined) throw new Error(`no argument pool for ${type}`);
    return pool[rnd.next().value % pool.length];
  };
  for (const fn of names) {
    const sig = signatures[fn]!;
    for (let i = 0; i < 40; i++) {
      const extra = sig.variadic === undefined ? [] : Array.from({ length: i % 4 }, () => pick(sig.variadic!));
      calls.push({ fn, args: [...sig.params.map(pick), ...extra] });
    }
  }
  return calls;
}

/** Strings that hit YAML's and JSON's special cases: indicators, quotes, breaks, numbers, wide characters. */
const trickyString = fc
  .array(
    fc.oneof(
      fc.string({ unit: 'binary', maxLength: 6 }),
      fc.constantFrom(
        ' ',
        '\n',
        ':',
        ': ',
        ' #',
        '-',
        '- ',
        '"',
        "'",
        '\t',
        'yes',
        '0x1',
        '1e3',
        '\u2028',
        '😀',
        '\u00a0',
        '~',
        '&',
        '<',
        '.5',
        '2024-01-02',
        '  ',
        'x'.repeat(90),
      ),
    ),
    { maxLength: 6 },
  )
  .map((parts) => parts.join(''));

export function generatedCalls(): Call[] {
  const samples = fc.sample(fc.tuple(trickyString, trickyString), { numRuns: 150, seed: 42 });
  return samples.flatMap(([a, b]) => [
    { fn: 'toYaml', args: [{ [a]: b, k: [a, { [b]: a }], e: [] }] },
    { fn: 'toYaml', args: [a] },
    { fn: 'toJson', args: [{ [a]: b }] },
    { fn: 'quote', args: [a] },
    { fn: 'trim', args: [a] },
    { fn: 'upper', args: [a] },
    { fn: 'trimAll', args: [b, a] },
    { fn: 'splitList', args: [b.slice(0, 2), a] },
    { fn: 'indent', args: [int(4), a] },
    { fn: 'nindent', args: [int(2), a] },
    { fn: 'trunc', args: [int(5), a] },
    { fn: 'b64enc', args: [a] },
    { fn: 'nospace', args: [a] },
    { fn: 'initials', args: [a] },
    { fn: 'title', args: [a] },
    { fn: 'untitle', args: [a] },
    { fn: 'swapcase', args: [a] },
    { fn: 'abbrev', args: [int(9), a] },
    { fn: 'sha256sum', args: [a] },
    { fn: 'adler32sum', args: [a] },
    { fn: 'b32enc', args: [a] },
    { fn: 'b64dec', args: [a] },
    { fn: 'b32dec', args: [a] },
    { fn: 'regexReplaceAll', args: ['[a-z]+', a, '<$0>'] },
    { fn: 'toString', args: [{ [a]: [b, 1.5, null] }] },
    { fn: 'wrap', args: [int(8), `${a} ${b} ${a}`] },
    { fn: 'camelcase', args: [`${a}_${b}-x y`] },
    { fn: 'camelcase', args: [a] },
    { fn: 'snakecase', args: [`${a}HTTPServer${b}2x`] },
    { fn: 'kebabcase', args: [`${b} ${a}`] },
    { fn: 'wrapWith', args: [int(5), '|', `${a} ${b}`] },
  ]);
}

/** Generated JSON documents (nested maps and lists, numbers of every size, any text) through the encoders. */
export function documentCalls(): Call[] {
  const docs = fc.sample(fc.jsonValue({ maxDepth: 4 }), { numRuns: 200, seed: 7 });
  return docs.flatMap((d) =>
    ['toYaml', 'toJson', 'toPrettyJson', 'toRawJson', 'structToJSON', 'omitNil', 'toString'].map((fn) => ({ fn, args: [d] })),
  );
}
