// sigs.k8s.io/yaml.Marshal (v1.6.0): json.Marshal, then go-yaml v2 reads that JSON back (numbers become
// int, uint64 or float64; maps have string keys) and writes it with its key order and scalar styles.
import { GoTyped, type GoValue } from '../value.ts';
import { fitsUint64, parseGoFloat, parseGoInt } from './cast.ts';
import { formatFloatG, wellFormed } from './format.ts';
import { goJSONFloat } from './json.ts';
import { emitYaml, type YamlNode } from './yaml-emit.ts';
import { goIs } from './unicode15.ts';

/** go-yaml's reader refuses these raw characters (JSON writes them unescaped), so the conversion fails. */
const READER_REFUSES = /[\u007f-\u0084\u0086-\u009f\ufffe\uffff]/;

class YamlRefused extends Error {}

const RESOLVE_MAP = new Set(
  'y Y yes Yes YES true True TRUE on On ON n N no No NO false False FALSE off Off OFF  ~ null Null NULL .nan .NaN .NAN .inf .Inf .INF +.inf +.Inf +.INF -.inf -.Inf -.INF'.split(
    ' ',
  ),
);
const YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const BASE60_FLOAT = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/;
const TIMESTAMP = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:([Tt ])(\d{1,2}):(\d{1,2}):(\d{1,2})(?:[.,]\d+)?(Z|[+-]\d{2}:\d{2})?)?$/;

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** go-yaml's parseTimestamp: the four time.Parse layouts it tries (date; date, T or t, time, zone; date, space, time). */
function isTimestamp(s: string): boolean {
  const m = TIMESTAMP.exec(s);
  if (!m) return false;
  const [, y, mo, d, sep, h, mi, sec, zone] = m;
  const month = Number(mo);
  if (month < 1 || month > 12 || Number(d) < 1 || Number(d) > daysIn(Number(y), month)) return false;
  if (sep === undefined) return true;
  if ((sep === ' ') !== (zone === undefined)) return false;
  if (Number(h) > 23 || Number(mi) > 59 || Number(sec) > 59) return false;
  return zone === undefined || zone === 'Z' || (Number(zone.slice(1, 3)) <= 24 && Number(zone.slice(4)) <= 60);
}

/** True when go-yaml's resolve would read the plain scalar s as something other than a string. */
function resolvesToNonString(s: string): boolean {
  const c = s[0] ?? '';
  if (s === '') return true;
  if (!/[-+0-9yYnNtTfFoO~.]/.test(c)) return false;
  if (RESOLVE_MAP.has(s)) return true;
  if (c === '.') return parseGoFloat(s) !== undefined;
  if (!/[-+0-9]/.test(c)) return false;
  if (isTimestamp(s)) return true;
  const plain = s.replace(/_/g, '');
  if (typeof parseGoInt(plain) === 'bigint' || fitsUint64(plain)) return true;
  return YAML_STYLE_FLOAT.test(plain) && parseGoFloat(plain) !== undefined;
}

/** The style yaml.v2's encoder asks for a string. */
function stringStyle(s: string): 'plain' | 'double' | 'literal' {
  if (s.includes('\n')) return 'literal';
  return resolvesToNonString(s) || BASE60_FLOAT.test(s) ? 'double' : 'plain';
}

const ASCII_LETTERS = /^[A-Za-z]*$/;

/** yaml.v2's key order (sorter.go keyList.Less) for string keys: runs of digits compare as numbers. */
function yamlKeyLess(a: string, b: string): boolean {
  if (ASCII_LETTERS.test(a) && ASCII_LETTERS.test(b)) return a < b;
  const ar = [...a];
  const br = [...b];
  const letter = (c: string): boolean => goIs(/^\p{L}$/u, c);
  const digit = (c: string | undefined): boolean => c !== undefined && goIs(/^\p{Nd}$/u, c);
  for (let i = 0; i < ar.length && i < br.length; i++) {
    if (ar[i] === br[i]) continue;
    const al = letter(ar[i]!);
    const bl = letter(br[i]!);
    if (al && bl) return ar[i]!.codePointAt(0)! < br[i]!.codePointAt(0)!;
    if (al || bl) return bl;
    let an = 0n;
    let bn = 0n;
    if (ar[i] === '0' || br[i] === '0') {
      for (let j = i - 1; j >= 0 && digit(ar[j]); j--) {
        if (ar[j] !== '0') {
          an = 1n;
          bn = 1n;
          break;
        }
      }
    }
    let ai = i;
    let bi = i;
    for (; ai < ar.length && digit(ar[ai]); ai++) an = BigInt.asIntN(64, an * 10n + BigInt(ar[ai]!.codePointAt(0)! - 48));
    for (; bi < br.length && digit(br[bi]); bi++) bn = BigInt.asIntN(64, bn * 10n + BigInt(br[bi]!.codePointAt(0)! - 48));
    if (an !== bn) return an < bn;
    if (ai !== bi) return ai < bi;
    return ar[i]!.codePointAt(0)! < br[i]!.codePointAt(0)!;
  }
  return ar.length < br.length;
}

/** Go's sort.Sort on few keys is an insertion sort; more use the same order (a consistent one). */
function sortKeys(keys: string[]): string[] {
  if (keys.length <= 12) {
    for (let i = 1; i < keys.length; i++)
      for (let j = i; j > 0 && yamlKeyLess(keys[j]!, keys[j - 1]!); j--) [keys[j], keys[j - 1]] = [keys[j - 1]!, keys[j]!];
    return keys;
  }
  return keys.sort((x, y) => (yamlKeyLess(x, y) ? -1 : yamlKeyLess(y, x) ? 1 : 0));
}

function checkReadable(s: string): void {
  if (READER_REFUSES.test(s)) throw new YamlRefused('control characters are not allowed');
}

/** A JSON number as go-yaml reads it back: int64, uint64 or float64, written as yaml.v2 writes those. */
function numberScalar(f: number): string {
  const text = goJSONFloat(f);
  if (/^-?\d+$/.test(text)) {
    const n = BigInt(text);
    if (n >= -(2n ** 63n) && n < 2n ** 64n) return n.toString();
  }
  return formatFloatG(f);
}

/** The YAML node of a value of the model (model=true: sorted maps) or plain JSON data of a typed value. */
function toNode(v: unknown): YamlNode {
  switch (typeof v) {
    case 'undefined':
      return { kind: 'scalar', text: 'null', style: 'plain' };
    case 'boolean':
      return { kind: 'scalar', text: String(v), style: 'plain' };
    case 'number':
      return { kind: 'scalar', text: numberScalar(v), style: 'plain' };
    case 'bigint':
      return { kind: 'scalar', text: v.toString(), style: 'plain' };
    case 'string': {
      checkReadable(v); // JSON escapes none of the characters the reader refuses
      return { kind: 'scalar', text: wellFormed(v), style: stringStyle(wellFormed(v)) };
    }
  }
  if (v === null) return { kind: 'scalar', text: 'null', style: 'plain' };
  if (v instanceof GoTyped) return toNode(v.toJSONValue());
  if (Array.isArray(v)) return { kind: 'seq', items: v.map(toNode) };
  const obj = v as Record<string, unknown>;
  const byKey = new Map(Object.keys(obj).map((k) => [wellFormed(k), obj[k]]));
  return {
    kind: 'map',
    entries: sortKeys([...byKey.keys()]).map((k) => {
      checkReadable(k);
      return [k, toNode(byKey.get(k))];
    }),
  };
}

/** sigs.k8s.io/yaml.Marshal of a value; undefined when it fails (a NaN, a character go-yaml refuses). */
export function sigsYaml(v: GoValue): string | undefined {
  try {
    return emitYaml(toNode(v), stringStyle);
  } catch (e) {
    if (e instanceof YamlRefused || (e instanceof Error && e.message.startsWith('json: unsupported value'))) return undefined;
    throw e;
  }
}
