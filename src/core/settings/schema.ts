// A small declarative checker for the settings we read: each rule names a dotted key and the kind of
// value it must hold, so a bad setting fails at load with the key that is wrong.
import { InjectionError } from '../errors.ts';
import { isObject } from '../types.ts';
import { parseQuantity } from '../quantity.ts';

export type Kind =
  | 'string'
  | 'bool'
  | 'port'
  | 'uint'
  | 'int'
  | 'object'
  | 'stringList'
  | 'stringMap'
  | 'scalar'
  | 'resources'
  | 'selectorList'
  | 'duration'
  | { oneOf: readonly string[] };

export type Rules = Record<string, Kind>;

/** The value at a dotted path; read when settings load (settings/summary.ts), never per admission. */
export function getPath(root: unknown, dotted: string): unknown {
  let cur: unknown = root;
  for (const part of dotted.split('.')) {
    if (!isObject(cur)) return undefined;
    cur = cur[part];
  }
  return cur;
}

function problem(v: unknown, kind: Kind): string | undefined {
  if (typeof kind === 'object') {
    return typeof v === 'string' && kind.oneOf.includes(v) ? undefined : `must be one of ${kind.oneOf.join(', ')}`;
  }
  switch (kind) {
    case 'string':
      return typeof v === 'string' ? undefined : 'must be a string';
    case 'scalar':
      return ['string', 'number', 'boolean'].includes(typeof v) ? undefined : 'must be a string or number';
    case 'bool':
      return typeof v === 'boolean' ? undefined : 'must be true or false';
    case 'port':
      return Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 65535 ? undefined : 'must be a port number (0-65535)';
    case 'uint':
      return Number.isInteger(v) && (v as number) >= 0 ? undefined : 'must be a non-negative integer';
    case 'int':
      return Number.isInteger(v) ? undefined : 'must be an integer';
    case 'object':
      return isObject(v) ? undefined : 'must be a mapping';
    case 'duration':
      return typeof v === 'string' && /^(\d+(\.\d+)?(ns|us|ms|s|m|h))+$/.test(v) ? undefined : 'must be a duration such as 45s';
    case 'stringList':
      return Array.isArray(v) && v.every((x) => typeof x === 'string') ? undefined : 'must be a list of strings';
    case 'stringMap':
      return isObject(v) && Object.values(v).every((x) => typeof x === 'string') ? undefined : 'must be a mapping of strings to strings';
    case 'resources': {
      if (!isObject(v)) return 'must be a mapping with requests/limits';
      // a null section or quantity removes it, as Helm's null and Istio's omitNil do
      for (const [section, m] of Object.entries(v)) {
        if (!['requests', 'limits', 'claims'].includes(section)) return `has unknown section "${section}"`;
        if (section === 'claims' || m === null) continue;
        if (!isObject(m)) return `.${section} must be a mapping`;
        for (const [res, q] of Object.entries(m)) {
          if (q === null) continue;
          if ((typeof q !== 'string' && typeof q !== 'number') || !parseQuantity(String(q))) return `.${section}.${res} is not a quantity`;
        }
      }
      return undefined;
    }
    case 'selectorList':
      if (!Array.isArray(v)) return 'must be a list of label selectors';
      for (const s of v) {
        if (!isObject(s)) return 'must be a list of label selectors';
        for (const k of Object.keys(s)) if (k !== 'matchLabels' && k !== 'matchExpressions') return `has a selector with unknown field "${k}"`;
      }
      return undefined;
  }
}

const fail = (where: string, why: string, v: unknown): never => {
  const shown = JSON.stringify(v) ?? String(v);
  throw new InjectionError(
    'INVALID_SETTING',
    `invalid setting ${where}: ${why} (got ${shown.length > 80 ? `${shown.slice(0, 80)}...` : shown})`,
    where,
  );
};

/**
 * Throws INVALID_SETTING naming `<prefix><key>` for the first rule the data breaks; absent keys are fine.
 * The maps on the way to a key must be maps (`global: {proxy: "x"}` would hide every `global.proxy.*`
 * from the templates). With `defaults`, a null where the defaults hold a value is refused too: the
 * templates would read nothing there (remove the key to keep the default).
 */
/**
 * A quoted number where a number is wanted (`statusPort: "15021"`): istiod reads values into its protobuf
 * Values with protojson, which takes quoted integers, and its templates print either the same. So do we:
 * the string becomes the number, in place (`data` is the freshly merged document).
 */
export function coerceQuotedIntegers(data: unknown, rules: Rules): void {
  for (const [key, kind] of Object.entries(rules)) {
    if (kind !== 'port' && kind !== 'uint' && kind !== 'int') continue;
    const parts = key.split('.');
    const parent = parts.length === 1 ? data : getPath(data, parts.slice(0, -1).join('.'));
    const last = parts[parts.length - 1]!;
    const v = isObject(parent) ? parent[last] : undefined;
    if (typeof v === 'string' && /^[+-]?\d{1,15}$/.test(v)) (parent as Record<string, unknown>)[last] = Number(v);
  }
}

export function checkRules(data: unknown, rules: Rules, prefix: string, defaults?: unknown): void {
  for (const [key, kind] of Object.entries(rules)) {
    const parts = key.split('.');
    let cur: unknown = isObject(data) ? data : undefined;
    for (let i = 0; i < parts.length - 1 && cur !== undefined; i++) {
      cur = (cur as Record<string, unknown>)[parts[i]!];
      const path = parts.slice(0, i + 1).join('.');
      const wantMap = cur !== undefined && (cur !== null || isObject(getPath(defaults, path)));
      if (wantMap && !isObject(cur))
        fail(`${prefix}${path}`, cur === null ? 'must be a mapping; remove the key to keep the default' : 'must be a mapping', cur);
      if (cur === null) cur = undefined;
    }
    const v = cur === undefined ? undefined : (cur as Record<string, unknown>)[parts[parts.length - 1]!];
    if (v === undefined || (v === null && (getPath(defaults, key) ?? null) === null)) continue;
    const why = problem(v, kind);
    if (why) fail(`${prefix}${key}`, v === null ? `${why}; remove the key to keep the default` : why, v);
  }
}
