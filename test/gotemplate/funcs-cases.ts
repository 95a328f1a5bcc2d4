// Focused call sets for the differential test of the template functions: YAML layout, float arithmetic,
// semver constraints, Go regexps and the byte-level encoders.
import type { Call } from './funcs-oracle.ts';
import { int } from './funcs-calls.ts';

/** YAML layouts: folding of long scalars at each nesting depth, long and multi-line keys, nested lists, numbers. */
export function yamlCalls(): Call[] {
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
export function decimalCalls(): Call[] {
  const values = [0.1, 0.2, 0.3, 1 / 3, 2 / 3, 1e-20, 1e20, 123.456, -7.25, 5, 1e300, 7, 0.7, 1e-300, 2.5, 0];
  return values.flatMap((a) => values.flatMap((b) => ['addf', 'subf', 'mulf', 'divf'].map((fn) => ({ fn, args: [a, b] }))));
}

/** semverCompare: every operator, wildcards, ranges, || and commas, prereleases, and malformed input. */
export function semverCalls(): Call[] {
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

export function regexCalls(): Call[] {
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
  const words = [
    'HTTPServer',
    'helloWorld',
    'Hello World',
    'a1b2',
    'ABC123def',
    '123abc',
    'x-y_z',
    'snake_case_already',
    'JSONData2XML',
    '!!a',
    'a!!b',
    '日本語Text',
    'ÉcoleNormale',
    '',
    ' ',
    'v1.2.3',
    'aB',
    'AbC',
    'A',
    '9',
    'a9B',
    '--x',
    'x\ufffdy',
    '\ufffd',
    'Ab\ufffd',
  ];
  const caseCalls = words.flatMap((w) => ['snakecase', 'kebabcase', 'camelcase'].map((fn) => ({ fn, args: [w] })));
  const cases = ['', '_', '__', 'a', 'hello_world', 'HELLO_WORLD', '-_ a', 'xYZ_abc', 'ÉCOLE élève', 'a__b', 'Ab_', ' x'].map((c) => ({
    fn: 'camelcase',
    args: [c],
  }));
  return [...calls, ...decodes, ...cases, ...caseCalls, ...PATTERNS.map((p) => ({ fn: 'regexQuoteMeta', args: [p] }))];
}

/** JSON text with each kind of syntax error Go's scanner names, and numbers out of float64's range. */
export function jsonCalls(): Call[] {
  const texts = [
    '',
    ' ',
    '{',
    '[',
    '{"a"',
    '{"a":',
    '{"a":1',
    '{"a":1,',
    '{"a" 1}',
    '{a:1}',
    '{,}',
    '[1,]',
    '[1 2]',
    '{"a":1 "b":2}',
    '01',
    '-',
    '-a',
    '1.',
    '1.e5',
    '1e',
    '1e+',
    'tru',
    'trux',
    'fals',
    'nul',
    'nulL',
    '"abc',
    '"a\\x"',
    '"\\u12G4"',
    '"a\nb"',
    "'a'",
    '[1] x',
    'é',
    '{"é":1}',
    '1e400',
    '[1, -1e999]',
    '{"a":[1e309]}',
    '{}',
    '[]',
    '{"a":{"b":[null,true,false,1.5,"x"]}}',
    '  [ 1 , 2 ]  ',
    '\u00a0',
  ];
  // typed results (nil slices, slices of maps) encoded as Go encodes them
  const maps = [
    { b: 1, a: { d: 2, c: 3 } },
    { z: null, y: [] },
  ];
  const typedResults = [
    { fn: 'chunk', args: [int(1), maps] },
    { fn: 'rest', args: [maps] },
    { fn: 'initial', args: [[]] },
  ];
  return [
    ...typedResults,
    ...texts.flatMap((t) => [
      { fn: 'mustFromJson', args: [t] },
      { fn: 'fromJson', args: [t] },
      { fn: 'fromJSON', args: [t] },
    ]),
  ];
}

/** merge and mergeOverwrite of maps holding nested maps, lists, empty and nil values, and scalars. */
export function mergeCalls(): Call[] {
  const maps = [
    {},
    { a: 1, b: '', c: null, d: [], e: {}, f: { x: 1, y: { z: 2 } }, g: [1], h: 'keep' },
    { a: 2, b: 'b', c: 'c', d: [9], e: { n: 1 }, f: { y: { z: 3, w: 4 }, v: 5 }, g: [], h: { m: 1 }, i: false },
    { a: null, f: null, g: null, h: '', j: 0, k: [{ q: 1 }] },
    { f: 'scalar', e: [1], d: { r: 1 }, a: { s: 1 } },
  ];
  const calls: Call[] = [];
  for (const a of maps)
    for (const b of maps) for (const fn of ['merge', 'mergeOverwrite']) calls.push({ fn, args: [a, b] }, { fn, args: [a, b, maps[2]] });
  return calls;
}
