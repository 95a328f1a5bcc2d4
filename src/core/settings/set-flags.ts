// Helm-style overrides: `--set values.global.proxy.statusPort=123`, `--set mesh.defaultConfig.x=y`,
// `--set config.policy=disabled`. Values parse as Helm does: true/false, null, integers, {a,b} lists.
import { InjectionError } from '../errors.ts';
import { isObject, type Json, type JsonObject } from '../types.ts';

export type SetTarget = 'values' | 'mesh' | 'config';

export interface ParsedSet {
  target: SetTarget;
  path: string[];
  value: Json;
}

function parseScalar(raw: string): Json {
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  if (raw === 'null') return null;
  if (/^-?(0|[1-9]\d{0,15})$/.test(raw)) return Number(raw);
  if (raw.startsWith('{') && raw.endsWith('}')) {
    const inner = raw.slice(1, -1);
    return inner === '' ? [] : inner.split(',').map(parseScalar);
  }
  return raw;
}

export function parseSet(expr: string): ParsedSet {
  const eq = expr.indexOf('=');
  if (eq <= 0) throw new InjectionError('INVALID_SETTING', `invalid --set "${expr}": want KEY=VALUE`, expr);
  const key = expr.slice(0, eq);
  // `\.` keeps a dot inside one key segment (annotation names, for instance)
  const path = key.split(/(?<!\\)\./).map((p) => p.replace(/\\\./g, '.'));
  const [head, ...rest] = path;
  if ((head !== 'values' && head !== 'mesh' && head !== 'config') || rest.length === 0 || rest.some((p) => p === '')) {
    throw new InjectionError('INVALID_SETTING', `invalid --set key "${key}": must start with values., mesh. or config.`, key);
  }
  if (rest.some((p) => p === '__proto__' || p === 'constructor' || p === 'prototype')) {
    throw new InjectionError('INVALID_SETTING', `invalid --set key "${key}"`, key);
  }
  return { target: head, path: rest, value: parseScalar(expr.slice(eq + 1)) };
}

/** Returns a copy of `doc` with the value set at `path`, creating maps on the way. */
export function applySet(doc: unknown, path: string[], value: Json): JsonObject {
  const root: JsonObject = isObject(doc) ? structuredClone(doc as JsonObject) : {};
  let cur: JsonObject = root;
  for (const [i, part] of path.entries()) {
    if (i === path.length - 1) {
      cur[part] = value;
    } else {
      const next = cur[part];
      if (!isObject(next)) cur[part] = {};
      cur = cur[part] as JsonObject;
    }
  }
  return root;
}
