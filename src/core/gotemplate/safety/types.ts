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

type Checker = (v: unknown, depth: number) => TypeProblem | undefined;

/** One checker per Go type, made once: a render walks ~2,000 values, so no lookups or allocations but on failure. */
const checkers = new Map<string, Checker>();

function checkerOf(typeName: string): Checker {
  let c = checkers.get(typeName);
  if (c === undefined) {
    // set before making it: a recursive type finds itself
    const slot: { c?: Checker } = {};
    checkers.set(typeName, (v, depth) => slot.c!(v, depth));
    slot.c = makeChecker(goTypeDesc(typeName), typeName);
    c = slot.c;
    checkers.set(typeName, c);
  }
  return c;
}

const at = (problem: string | undefined): TypeProblem | undefined => (problem === undefined ? undefined : { path: [], problem });
/** A problem found under `key`: its path gets the key in front (built only on failure). */
const under = (p: TypeProblem, key: string | number): TypeProblem => {
  p.path.unshift(key);
  return p;
};

function makeChecker(d: GoTypeDesc, typeName: string): Checker {
  if (d.special !== undefined) return (v) => at(specialProblem(v, d));
  switch (d.k) {
    case 'ptr':
      return checkerOf(d.e!);
    case 'string':
      return (v) => (typeof v === 'string' ? undefined : at(`${describe(v)}, not a string`));
    case 'bool':
      return (v) => (typeof v === 'boolean' ? undefined : at(`${describe(v)}, not true or false`));
    case 'int':
    case 'uint':
      return (v) => at(intProblem(v, d));
    case 'float':
      return (v) => (typeof v === 'number' ? undefined : at(`${describe(v)}, not a number`));
    case 'slice': {
      if (d.e === 'uint8') return (v) => (typeof v === 'string' ? undefined : at(`${describe(v)}, not base64 text`));
      const elem = d.e!;
      return (v, depth) => {
        if (!Array.isArray(v)) return at(`${describe(v)}, not a list`);
        const c = checkerOf(elem);
        for (let i = 0; i < v.length; i++) {
          const x = v[i];
          const p = x === null || x === undefined || depth > MAX_DEPTH ? undefined : c(x, depth + 1);
          if (p) return under(p, i);
        }
        return undefined;
      };
    }
    case 'map': {
      const elem = d.e!;
      return (v, depth) => {
        if (!isObject(v)) return at(`${describe(v)}, not a mapping`);
        const c = checkerOf(elem);
        for (const k in v) {
          const x = v[k];
          const p = x === null || x === undefined || depth > MAX_DEPTH ? undefined : c(x, depth + 1);
          if (p) return under(p, k);
        }
        return undefined;
      };
    }
    case 'struct':
      return structChecker(typeName);
    default:
      return () => undefined;
  }
}

function structChecker(typeName: string): Checker {
  const fields = fieldsOf(typeName);
  return (v, depth) => {
    if (!isObject(v)) return at(`${describe(v)}, not a mapping`);
    for (const k in v) {
      const x = v[k];
      if (x === null || x === undefined || depth > MAX_DEPTH) continue;
      const t = fields.exact.get(k) ?? fields.folded.get(k.toLowerCase());
      if (t === undefined) continue; // a field Go does not know: encoding/json ignores it
      const p = checkerOf(t)(x, depth + 1);
      if (p) return under(p, k);
    }
    return undefined;
  };
}

/** The first value of the rendered document that Go's Pod cannot hold, or undefined. */
export function podTypeProblem(doc: unknown): TypeProblem | undefined {
  if (!isObject(doc)) return undefined; // not a mapping: asTemplatePod refuses it
  for (const k in doc) {
    const t = ROOT_FIELDS[k];
    const x = doc[k];
    if (t === undefined || !Object.hasOwn(ROOT_FIELDS, k) || x === null || x === undefined) continue;
    const p = checkerOf(t)(x, 1);
    if (p) return under(p, k);
  }
  return undefined;
}

/**
 * Go's check of the field at `path` of the rendered document (what podTypeProblem runs there), or
 * undefined where Go keeps no value (a field it does not know: encoding/json ignores it). For a render
 * whose other values already passed: only the values changed at such paths need checking again.
 */
export function fieldCheckAt(path: FieldPath): ((v: unknown) => string | undefined) | undefined {
  let type = typeof path[0] === 'string' && Object.hasOwn(ROOT_FIELDS, path[0]) ? ROOT_FIELDS[path[0]] : undefined;
  for (let i = 1; i < path.length && type !== undefined; i++) {
    let d = goTypeDesc(type);
    while (d.k === 'ptr' && d.special === undefined) {
      type = d.e!;
      d = goTypeDesc(type);
    }
    const step = path[i]!;
    if (d.special !== undefined) return undefined; // a special type holds no fields a render could reach into
    if (d.k === 'slice' && typeof step === 'number' && d.e !== 'uint8') type = d.e;
    else if (d.k === 'map' && typeof step === 'string') type = d.e;
    else if (d.k === 'struct' && typeof step === 'string') {
      const fields = fieldsOf(type);
      type = fields.exact.get(step) ?? fields.folded.get(step.toLowerCase());
    } else return undefined;
  }
  if (type === undefined) return undefined;
  const check = checkerOf(type);
  return (v) => check(v, path.length)?.problem;
}

/** A field path as Kubernetes writes one: spec.containers[1].env[0].name. */
export const fieldPathText = (path: FieldPath): string =>
  path
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : /^[A-Za-z0-9_-]+$/.test(p) ? `${i === 0 ? '' : '.'}${p}` : `[${JSON.stringify(p)}]`))
    .join('');
