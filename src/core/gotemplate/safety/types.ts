// What istiod's decoding does with the rendered YAML after reading it: json.Unmarshal into Go's Pod
// (corev1, after the strategic merge). A value of the wrong type (`name: yes`, a bool, where Go has a
// string; `- a: b`, a map, in a list of strings; 1.5 in an int32) fails that decoding and istiod refuses
// the pod; so does this check, with the path of the field. Keys Go does not know are ignored, as
// encoding/json ignores them (matched without regard to case, as it matches them); null is no value.
import { parseQuantity } from '../../quantity.ts';
import { isObject } from '../../types.ts';
import { type GoTypeDesc, goTypeDesc } from '../data/go-types.ts';

export type FieldPath = Array<string | number>;

export interface TypeProblem {
  path: FieldPath;
  /** What the value is and what Go wanted, e.g. "the number 0, not a string". */
  problem: string;
}

/** The document a template renders: a Pod's metadata and spec. */
const ROOT_FIELDS: Readonly<Record<string, string>> = { metadata: 'v1.ObjectMeta', spec: 'v1.PodSpec', apiVersion: 'string', kind: 'string' };
const MAX_DEPTH = 64;

/** A struct's fields by JSON name (embedded structs' fields inlined), and by lower-cased name. */
const fieldCache = new Map<string, { exact: Map<string, string>; folded: Map<string, string> }>();

function fieldsOf(typeName: string): { exact: Map<string, string>; folded: Map<string, string> } {
  let f = fieldCache.get(typeName);
  if (f !== undefined) return f;
  f = { exact: new Map(), folded: new Map() };
  const collect = (name: string, depth: number): void => {
    for (const field of goTypeDesc(name).f ?? []) {
      if (field.j === '-') continue;
      if (field.inl === 1 || field.j === undefined) {
        if (depth < 4) collect(field.t.replace(/^\*/, ''), depth + 1);
        continue;
      }
      if (!f!.exact.has(field.j)) f!.exact.set(field.j, field.t);
      if (!f!.folded.has(field.j.toLowerCase())) f!.folded.set(field.j.toLowerCase(), field.t);
    }
  };
  collect(typeName, 0);
  fieldCache.set(typeName, f);
  return f;
}

function describe(v: unknown): string {
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  if (typeof v === 'number') return `the number ${v}`;
  if (typeof v === 'boolean') return `the boolean ${v}`;
  return Array.isArray(v) ? 'a list' : 'a mapping';
}

const INT_BITS_DEFAULT = 64;

function intProblem(v: unknown, d: GoTypeDesc): string | undefined {
  const bits = d.b ?? INT_BITS_DEFAULT;
  const want = `${d.k === 'uint' ? 'an unsigned' : 'an'} integer of ${bits} bits`;
  if (typeof v !== 'number') return `${describe(v)}, not ${want}`;
  const max = 2 ** (d.k === 'uint' ? bits : bits - 1);
  const min = d.k === 'uint' ? 0 : -max;
  // JSON writes a float64 past 1e21 with an exponent, which Go's integers do not read
  if (!Number.isInteger(v) || v < min || v >= max || Math.abs(v) >= 1e21) return `${describe(v)}, not ${want}`;
  return undefined;
}

function specialProblem(v: unknown, d: GoTypeDesc): string | undefined {
  switch (d.special) {
    case 'quantity':
      if (typeof v === 'number') return undefined;
      return typeof v === 'string' && parseQuantity(v) !== undefined ? undefined : `${describe(v)}, not a quantity`;
    case 'intorstring':
      if (typeof v === 'string') return undefined;
      return intProblem(v, { k: 'int', b: 32 }) === undefined ? undefined : `${describe(v)}, not an int32 or a string`;
    case 'time':
    case 'duration':
      return typeof v === 'string' ? undefined : `${describe(v)}, not a string`;
    default:
      return undefined;
  }
}

function check(v: unknown, typeName: string, path: FieldPath): TypeProblem | undefined {
  if (v === null || v === undefined || path.length > MAX_DEPTH) return undefined;
  const d = goTypeDesc(typeName);
  const at = (problem: string | undefined): TypeProblem | undefined => (problem === undefined ? undefined : { path, problem });
  if (d.special !== undefined) return at(specialProblem(v, d));
  switch (d.k) {
    case 'ptr':
      return check(v, d.e!, path);
    case 'string':
      return at(typeof v === 'string' ? undefined : `${describe(v)}, not a string`);
    case 'bool':
      return at(typeof v === 'boolean' ? undefined : `${describe(v)}, not true or false`);
    case 'int':
    case 'uint':
      return at(intProblem(v, d));
    case 'float':
      return at(typeof v === 'number' ? undefined : `${describe(v)}, not a number`);
    case 'slice':
      if (d.e === 'uint8') return at(typeof v === 'string' ? undefined : `${describe(v)}, not base64 text`);
      if (!Array.isArray(v)) return at(`${describe(v)}, not a list`);
      for (let i = 0; i < v.length; i++) {
        const p = check(v[i], d.e!, [...path, i]);
        if (p) return p;
      }
      return undefined;
    case 'map':
      if (!isObject(v)) return at(`${describe(v)}, not a mapping`);
      for (const [k, x] of Object.entries(v)) {
        const p = check(x, d.e!, [...path, k]);
        if (p) return p;
      }
      return undefined;
    case 'struct':
      return checkStruct(v, fieldsOf(typeName), path);
    default:
      return undefined;
  }
}

function checkStruct(v: unknown, fields: { exact: Map<string, string>; folded: Map<string, string> }, path: FieldPath): TypeProblem | undefined {
  if (!isObject(v)) return { path, problem: `${describe(v)}, not a mapping` };
  for (const [k, x] of Object.entries(v)) {
    const t = fields.exact.get(k) ?? fields.folded.get(k.toLowerCase());
    if (t === undefined) continue;
    const p = check(x, t, [...path, k]);
    if (p) return p;
  }
  return undefined;
}

/** The first value of the rendered document that Go's Pod cannot hold, or undefined. */
export function podTypeProblem(doc: unknown): TypeProblem | undefined {
  if (!isObject(doc)) return undefined; // not a mapping: asTemplatePod refuses it
  for (const [k, v] of Object.entries(doc)) {
    const t = ROOT_FIELDS[k];
    if (t === undefined) continue;
    const p = check(v, t, [k]);
    if (p) return p;
  }
  return undefined;
}

/** A field path as Kubernetes writes one: spec.containers[1].env[0].name. */
export const fieldPathText = (path: FieldPath): string =>
  path
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : /^[A-Za-z0-9_-]+$/.test(p) ? `${i === 0 ? '' : '.'}${p}` : `[${JSON.stringify(p)}]`))
    .join('');
