// Differential test of the template functions against istiod's own function map run by Go: the same
// calls (a table per parameter type, edge cases included, plus generated strings) through both, and the
// result's %T, JSON and %v (or the error) compared. Also: every function we define has Go's signature.
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { istioTemplateFunctions } from '../../src/core/gotemplate/funcs/index.ts';
import { goAvailable } from './go-parse-oracle.ts';
import { type Call, funcsOracleBinary, goSignatures, normalise, runGo, runOurs } from './funcs-oracle.ts';

const int = (v: number) => ({ $t: 'int', v });
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

function tableCalls(signatures: Record<string, { params: string[]; variadic?: string }>, names: string[]): Call[] {
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

function generatedCalls(): Call[] {
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
    { fn: 'wrapWith', args: [int(5), '|', `${a} ${b}`] },
  ]);
}

/**
 * The differences we accept, by name: a cut inside a UTF-8 sequence (Go makes invalid UTF-8, which a JS
 * string cannot hold: we refuse), b64dec/b32dec giving bytes that are not UTF-8 (the same), and characters that Node's Unicode 17 tables call printable where Go's
 * (Unicode 15) escape them in %q (the two texts read back to the same string).
 */
function knownDifference(got: ReturnType<typeof normalise>, exp: ReturnType<typeof normalise>): string | undefined {
  if ('error' in got && got.error.includes('multi-byte character') && !('error' in exp) && exp.json.includes('\\ufffd')) return 'invalid UTF-8 cut';
  if ('error' in got && got.error.includes('decoded bytes are not UTF-8') && !('error' in exp) && exp.json.includes('\\ufffd'))
    return 'decoded bytes not UTF-8';
  if ('error' in got || 'error' in exp) return undefined;
  const decodeEscapes = (s: string) => s.replace(/\\U([0-9a-f]{8})/g, (_m, h: string) => String.fromCodePoint(Number.parseInt(h, 16)));
  if (decodeEscapes(got.v) === decodeEscapes(exp.v) && /\\U000[1-3]/.test(exp.v)) return 'Unicode version of %q';
  return undefined;
}

/** YAML layouts: folding of long scalars at each nesting depth, long and multi-line keys, nested lists, numbers. */
function yamlCalls(): Call[] {
  const words = (n: number, w: string) => Array.from({ length: n }, (_, i) => w.repeat((i % 5) + 1)).join(' ');
  const texts = [
    words(30, 'ab'),
    words(20, 'x'),
    `${words(25, 'q')}  double  spaces`,
    `'${words(25, 'z')}'`,
    `- ${words(25, 'y')}`,
    `line one\n${words(30, 'w')}\n`,
    `a: ${words(28, 'v')}`,
  ];
  const calls: Call[] = [];
  for (const t of texts) {
    calls.push({ fn: 'toYaml', args: [t] }, { fn: 'toYaml', args: [{ k: t, deeper: { list: [t, [t, { x: t }]] } }] });
    calls.push({ fn: 'toYaml', args: [{ [t]: 1, [`${t}\n`]: [t] }] });
  }
  const numbers = [0, -0, 1, -1.5, 1e6, 123456789, 1e20, 1e21, 1e-7, 2 ** 53, 2 ** 63, 2 ** 64, 0.1, 100, int(-7), int(9007199254740991)];
  calls.push({ fn: 'toYaml', args: [numbers] }, { fn: 'toYaml', args: [{ '10': 1, '9': 2, a10: 3, a9: 4, a09: 5, B: 6, b: 7, _: 8, é: 9, '': 10 }] });
  return calls;
}

/** Float arithmetic on values whose binary and decimal forms differ (0.1 + 0.2), tiny, huge and repeating. */
function decimalCalls(): Call[] {
  const values = [0.1, 0.2, 0.3, 1 / 3, 2 / 3, 1e-20, 1e20, 123.456, -7.25, 5, 1e300, 7, 0.7, 1e-300, 2.5, 0];
  return values.flatMap((a) => values.flatMap((b) => ['addf', 'subf', 'mulf', 'divf'].map((fn) => ({ fn, args: [a, b] }))));
}

/** semverCompare: every operator, wildcards, ranges, || and commas, prereleases, and malformed input. */
function semverCalls(): Call[] {
  const constraints = [
    '>=1.20',
    '<1.21.0',
    '~1.2.3',
    '^0.2.3',
    '^1.x',
    '1.2.x',
    '*',
    '!=1.2.3',
    '!=1.2.x',
    '>1.2',
    '<=1.2',
    '=<1.2.x',
    '~>1.2',
    '1.2 - 1.4.5',
    '>=1.0, <2.0 || >=3.0',
    '>= 1.2.3-beta.1',
    '=1.2.3',
    'v1.2.3',
    '^0.0.3',
    '~0',
    '>1.x',
    '',
    'foo',
    '>=1.0 <2',
    '1.2.3 ||| 2',
    '>= 1.0.0-0',
  ];
  const versions = [
    '1.20.0',
    '1.2.3',
    '1.2.4-beta.2',
    'v1.21.3',
    '0.2.9',
    '2.0.0',
    '3.1.0',
    '1.2.3-alpha',
    '1.2.3+build.5',
    '01.2.3',
    '1.2',
    '1',
    'x',
    '1.2.3-01',
    '18446744073709551616.0.0',
    '1.4.5',
    '0.0.3',
  ];
  return constraints.flatMap((c) => versions.map((v) => ({ fn: 'semverCompare', args: [c, v] })));
}

/** Patterns in Go's syntax (flags, classes, anchors, empty matches, greedy and lazy, and malformed ones) on inputs. */
const PATTERNS = [
  'a+',
  '(a|ab)(c|bcd)(d*)',
  '^[a-z]+$',
  '(?i)istio',
  '\\d{2,3}',
  '(?P<key>\\w+)=(?P<val>[^,]*)',
  'x*',
  '',
  '\\bfoo\\b',
  '(?m)^b',
  '[[:alpha:]]+',
  '\\pL+',
  '.*?-',
  '(a*)*',
  'a{2}',
  '[^\\s]+',
  '(?s).+',
  '$',
  '(a',
  'a**',
  '*a',
  '[z-a]',
  '\\8',
  '(?=x)',
  'a|b|',
  '\\x{41}\\x42',
  '[]a]',
  '(?U)a+',
  'é+',
];
const INPUTS = ['', 'aaa abcd', 'Istio ISTIO istio', 'key=v1,other=,x=3', 'a\nb\nb', 'foo foobar foo', '12 345 6789', 'héllo-wörld-', 'AB', 'é€😀'];

/** A replacement template with every kind of reference: $1, ${key}, $$, an unknown $x, ${2}. */
const EXPAND = ['<$1|$', '{key}|$$|$x|$', '{2}>'].join('');

function regexCalls(): Call[] {
  const calls: Call[] = [];
  for (const p of PATTERNS)
    for (const s of INPUTS) {
      calls.push({ fn: 'regexMatch', args: [p, s] }, { fn: 'mustRegexMatch', args: [p, s] }, { fn: 'regexFind', args: [p, s] });
      calls.push({ fn: 'regexFindAll', args: [p, s, int(-1)] }, { fn: 'mustRegexFindAll', args: [p, s, int(2)] });
      calls.push({ fn: 'regexReplaceAll', args: [p, s, EXPAND] }, { fn: 'regexReplaceAllLiteral', args: [p, s, '$1'] });
      calls.push({ fn: 'regexSplit', args: [p, s, int(-1)] }, { fn: 'mustRegexSplit', args: [p, s, int(2)] });
    }
  const coded = [
    'aGVsbG8=',
    'aGVsbG8',
    'aGVsbA==',
    'aGVsbA=',
    'aG\nVs\rbA==',
    'aGVsbA==x',
    'a===',
    '=',
    'NBSWY3DP',
    'NBSWY3A=',
    'NBSWY===',
    'NBSWY3DPEE======',
    'NBSW====',
    '8888',
    'w6k=',
    '/w==',
    'MFRGG===\n',
  ];
  const decodes = coded.flatMap((c) => [
    { fn: 'b64dec', args: [c] },
    { fn: 'b32dec', args: [c] },
  ]);
  const cases = ['', '_', '__', 'a', 'hello_world', 'HELLO_WORLD', '-_ a', 'xYZ_abc', 'ÉCOLE élève', 'a__b', 'Ab_', ' x'].map((c) => ({
    fn: 'camelcase',
    args: [c],
  }));
  return [...calls, ...decodes, ...cases, ...PATTERNS.map((p) => ({ fn: 'regexQuoteMeta', args: [p] }))];
}

describe('Go template functions, against istiod’s function map run by Go', function () {
  this.timeout(180_000);
  let binary = '';
  before(function () {
    if (!goAvailable()) this.skip();
    binary = funcsOracleBinary();
  });
  const ours = istioTemplateFunctions((name) => ({ ISTIO_VENDOR: 'acme' })[name]);

  it('defines each function with Go’s parameter types', () => {
    const sigs = goSignatures(binary);
    const goType = (t: string) => t.replace(/interface \{\}/g, 'any');
    for (const [name, f] of Object.entries(ours)) {
      assert.ok(sigs[name], `${name} is not in istiod's function map`);
      assert.deepEqual(
        [f.params, f.variadic],
        [sigs[name]!.params.map(goType), sigs[name]!.variadic ? goType(sigs[name]!.variadic!) : undefined],
        name,
      );
    }
  });

  it('answers a table of calls as Go does (result type, JSON, %v, or the error)', () => {
    const sigs = goSignatures(binary);
    const names = Object.keys(ours).filter((n) => n !== 'env' && n !== 'fail');
    const calls = [...tableCalls(sigs, names), ...generatedCalls(), ...regexCalls(), ...yamlCalls(), ...semverCalls(), ...decimalCalls()];
    const want = runGo(binary, calls);
    const mismatches: string[] = [];
    const known: Record<string, number> = {};
    calls.forEach((c, i) => {
      const got = normalise(runOurs(ours, c));
      const exp = normalise(want[i]!);
      if (JSON.stringify(got) === JSON.stringify(exp)) return;
      const why = knownDifference(got, exp);
      if (why) known[why] = (known[why] ?? 0) + 1;
      else mismatches.push(`${c.fn}(${JSON.stringify(c.args)}): go ${JSON.stringify(exp)} ours ${JSON.stringify(got)}`);
    });
    if (process.env.FUNCS_DUMP) console.log(calls.length, 'calls; known differences:', known);
    if (process.env.FUNCS_DUMP) for (const m of mismatches) console.log(m.slice(0, 600));
    assert.ok(calls.length > 1000, `only ${calls.length} calls`);
    assert.deepEqual(mismatches.slice(0, 40), [], `${mismatches.length} of ${calls.length} calls differ`);
  });

  it('reads istiod’s environment through the env parameter only', () => {
    assert.equal(ours.env!.call('ISTIO_VENDOR', 'none'), 'acme');
    assert.equal(ours.env!.call('UNSET_VARIABLE', 'none'), 'none');
  });

  it('refuses counts that would make huge results, naming the function', () => {
    assert.throws(() => ours.until!.call(10n ** 9n), /until/);
    assert.throws(() => ours.repeat!.call(10n ** 9n, 'ab'), /repeat/);
  });
});
