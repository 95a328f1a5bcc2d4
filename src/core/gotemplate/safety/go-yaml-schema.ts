// How istiod's YAML (go-yaml v2, through sigs.k8s.io/yaml) resolves a plain scalar: YAML 1.1 booleans
// (y/yes/on/off... in three cases), nulls (~, null, Null, NULL, empty), Go's integer syntax (0x, 0o, 0b,
// a leading 0 is octal, `_` ignored), floats, .inf/.nan, the merge key. A js-yaml schema with these as
// its implicit types reads a rendered template as istiod reads it (go-yaml v2's resolve.go, ported).
// Timestamps stay strings: go-yaml v2 decodes them into interface{} as the string they are.
import jsyaml from 'js-yaml';

const NULLS = new Set(['', '~', 'null', 'Null', 'NULL']);
const TRUES = new Set(['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON']);
const FALSES = new Set(['n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF']);
const INF = Number.POSITIVE_INFINITY;
const SPECIAL_FLOATS: ReadonlyMap<string, number> = new Map([
  ...['.nan', '.NaN', '.NAN'].map((k): [string, number] => [k, Number.NaN]),
  ...['.inf', '.Inf', '.INF', '+.inf', '+.Inf', '+.INF'].map((k): [string, number] => [k, INF]),
  ...['-.inf', '-.Inf', '-.INF'].map((k): [string, number] => [k, -INF]),
]);

// go-yaml's yamlStyleFloat, tried on the text without underscores
const YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
// Go's ParseFloat on text starting with '.': decimal digits, an optional exponent, `_` only between digits
const DOT_FLOAT = /^\.[0-9](_?[0-9])*([eE][-+]?[0-9](_?[0-9])*)?$/;
// strconv.ParseInt/ParseUint with base 0 (underscores already removed): sign, then a base prefix or a leading 0
const GO_INT = /^([-+]?)(0[xX][0-9a-fA-F]+|0[oO]?[0-7]+|0[bB][01]+|[1-9][0-9]*|0)$/;
const TWO_63 = 2n ** 63n;
const TWO_64 = 2n ** 64n;

/** go-yaml's resolveTable hint for the first character: 'S' sign, 'D' digit, 'M' map, '.' float. */
function hint(s: string): string {
  const c = s.charCodeAt(0);
  if (c === 43 || c === 45) return 'S';
  if (c >= 48 && c <= 57) return 'D';
  if (c === 46) return '.';
  return 'yYnNtTfFoO~'.includes(s[0]!) ? 'M' : '';
}

/** A Go integer literal as int64/uint64 parsing reads it, or undefined (out of range or not one). */
function goInt(plain: string): number | undefined {
  const m = GO_INT.exec(plain);
  if (!m) return undefined;
  const body = m[2]!;
  // a leading 0 without a base letter is octal
  const n = BigInt(body.length > 1 && body[0] === '0' && /[0-7]/.test(body[1]!) ? `0o${body.slice(1)}` : body);
  const neg = m[1] === '-';
  if (neg ? n > TWO_63 : n >= TWO_64) return undefined;
  return Number(neg ? -n : n);
}

/** A number go-yaml v2 reads from the text (its `0b` fallbacks are within GO_INT), or undefined. */
function resolveNumber(s: string): number | undefined {
  const h = hint(s);
  if (h === '.') return DOT_FLOAT.test(s) ? finite(Number(s.replace(/_/g, ''))) : undefined;
  if (h !== 'S' && h !== 'D') return undefined;
  const plain = s.replace(/_/g, '');
  const i = goInt(plain);
  if (i !== undefined) return i;
  if (YAML_STYLE_FLOAT.test(plain)) return finite(Number(plain));
  return undefined;
}

/** Go's ParseFloat fails out of range (1e400): go-yaml then keeps the string. */
const finite = (n: number): number | undefined => (Number.isFinite(n) ? n : undefined);

/** What go-yaml v2 resolves an untagged plain scalar to: null, a boolean, a number, or the string itself. */
export function goYamlResolve(s: string): null | boolean | number | string {
  if (NULLS.has(s)) return null;
  if (TRUES.has(s)) return true;
  if (FALSES.has(s)) return false;
  const special = SPECIAL_FLOATS.get(s);
  if (special !== undefined) return special;
  if (hint(s) === '' || hint(s) === 'M') return s;
  if (/^[-+]?[0-9]{4}-/.test(s)) return s; // may be a timestamp: a string in interface{} (also not a number)
  return resolveNumber(s) ?? s;
}

const goNull = new jsyaml.Type('tag:yaml.org,2002:null', {
  kind: 'scalar',
  resolve: (s: string | null) => s === null || NULLS.has(s),
  construct: () => null,
});
const goBool = new jsyaml.Type('tag:yaml.org,2002:bool', {
  kind: 'scalar',
  resolve: (s: string | null) => s !== null && (TRUES.has(s) || FALSES.has(s)),
  construct: (s: string) => TRUES.has(s),
});
const goNumber = new jsyaml.Type('tag:yaml.org,2002:float', {
  kind: 'scalar',
  // a number starts with a sign, a digit or a dot: most scalars are names and end at this test
  resolve: (s: string | null) => s !== null && /^[-+.0-9]/.test(s) && typeof goYamlResolve(s) === 'number',
  construct: (s: string) => goYamlResolve(s),
});

// `<<` as a key merges the mapping it maps to (js-yaml merges for this tag), as go-yaml v2 does
const goMerge = new jsyaml.Type('tag:yaml.org,2002:merge', { kind: 'scalar', resolve: (s: string | null) => s === '<<' });

/** Failsafe types (str, seq, map) plus go-yaml v2's implicit scalars and the merge key. */
export const GO_YAML_V2_SCHEMA = jsyaml.FAILSAFE_SCHEMA.extend({ implicit: [goNull, goBool, goNumber, goMerge] });
