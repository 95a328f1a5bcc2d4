// sprig's merge and mergeOverwrite: dario.cat/mergo v1.0.2's deepMerge of map[string]interface{} values,
// in place (the first map is changed and returned, as in Go, so later reads of it see the merge).
import { type GoFunction, GoTyped, type GoMap, type GoValue, isGoMap, untaint } from '../value.ts';
import { isEmpty } from './cast.ts';
import { anyMapOf, goFunc } from './typed.ts';

/** mergo's isEmptyValue with dereferencing: nil, zero numbers, false, "" and empty maps and slices. */
const empty = (v: GoValue): boolean => isEmpty(v);

/** One value's kind as mergo's switch sees it (typed values other than scalars are not supported here). */
function kind(v: GoValue, fn: string): 'nil' | 'map' | 'slice' | 'other' {
  const x = untaint(v);
  if (x === null || x === undefined) return 'nil';
  if (isGoMap(x)) return 'map';
  if (Array.isArray(x)) return 'slice';
  if (x instanceof GoTyped && !['bool', 'int', 'uint', 'float', 'string'].includes(x.kind()))
    throw new Error(`${fn}: merging a value of type ${x.goType()} is not supported`);
  return 'other';
}

function set(dst: GoMap, key: string, value: GoValue, fn: string): void {
  if (Object.isFrozen(dst)) throw new Error(`${fn}: the map is read-only template data, which Go's ${fn} would change in place`);
  dst[key] = value;
}

/** deepMerge of two maps: src's keys into dst, nested maps merged, the rest set as mergo decides. */
function mergeMaps(dst: GoMap, src: GoMap, overwrite: boolean, fn: string): void {
  const dstWasEmpty = Object.keys(dst).length === 0;
  for (const key of Object.keys(src)) {
    const s = src[key];
    const sk = kind(s, fn);
    const present = Object.hasOwn(dst, key);
    const d = present ? dst[key] : undefined;
    if (sk === 'nil') {
      if (overwrite) set(dst, key, null, fn);
      continue;
    }
    if (sk === 'map' && present && kind(d, fn) === 'map') mergeMaps(untaint(d) as GoMap, untaint(s) as GoMap, overwrite, fn);
    if (sk === 'slice' && (overwrite || dstWasEmpty)) set(dst, key, s, fn);
    if (present && !empty(d)) {
      if (sk === 'slice') continue;
      if (sk === 'map' && kind(d, fn) === 'map') continue;
    }
    if (overwrite || !present || empty(d)) set(dst, key, s, fn);
  }
}

function merge(dst: GoValue, srcs: GoValue[], overwrite: boolean, fn: string): GoMap {
  const target = anyMapOf(dst, fn);
  for (const src of srcs) mergeMaps(target, anyMapOf(src, fn), overwrite, fn);
  return target;
}

const inPlace = (fn: GoFunction): GoFunction => ({ ...fn, mutates: true });

export const mergeFunctions: Record<string, GoFunction> = {
  merge: inPlace(goFunc(['map[string]any'], (d, ...s) => merge(d, s, false, 'merge'), 'map[string]any')),
  mustMerge: inPlace(goFunc(['map[string]any'], (d, ...s) => merge(d, s, false, 'mustMerge'), 'map[string]any')),
  mergeOverwrite: inPlace(goFunc(['map[string]any'], (d, ...s) => merge(d, s, true, 'mergeOverwrite'), 'map[string]any')),
  mustMergeOverwrite: inPlace(goFunc(['map[string]any'], (d, ...s) => merge(d, s, true, 'mustMergeOverwrite'), 'map[string]any')),
};
