// Paths through the template data for the differential test: walked here as the executor will (field(),
// slice elements, map keys), and listed from the value itself so every field the pod sets is reached.
import { GoPointer, GoSlice, GoSpecial, GoStruct, GoTypedMap, goTypeDesc, membersOf } from '../../src/core/gotemplate/data/index.ts';
import { type GoValue, GoTyped, isGoMap, untaint } from '../../src/core/gotemplate/value.ts';
import type { PathStep } from './gotypes-oracle.ts';

export class PathError extends Error {}

/** The value at a path, as text/template would reach it (methods and fields by name, `index` for numbers). */
export function walk(root: GoValue, path: readonly PathStep[]): GoValue {
  let v = root;
  for (const step of path) {
    const cur = untaint(v);
    if (typeof step === 'number') {
      if (cur instanceof GoSlice) v = cur.values()[step];
      else if (Array.isArray(cur)) v = cur[step];
      else throw new PathError(`can't index item of type ${cur instanceof GoTyped ? cur.goType() : typeof cur}`);
      if (v === undefined) throw new PathError('index out of range');
      continue;
    }
    if (cur instanceof GoTyped) {
      const f = cur.field(step);
      if (f === undefined) throw new PathError(`can't evaluate field ${step} in type ${cur.goType()}`);
      v = f.value;
    } else if (isGoMap(cur)) {
      v = Object.hasOwn(cur, step) ? cur[step] : undefined;
    } else {
      throw new PathError(`can't evaluate field ${step} in ${String(cur)}`);
    }
  }
  return v;
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Names `.X` can take on a value: its fields and the methods templates can call on it. */
function namesOf(v: GoValue): string[] {
  const cur = untaint(v);
  // fields, methods and what embedded structs promote (a pointer-receiver method of a value Go cannot
  // address is left out: a field of the same name is listed anyway)
  if (cur instanceof GoPointer) {
    const d = goTypeDesc(cur.elemType());
    return d.k === 'struct' ? [...membersOf(d).keys()] : [];
  }
  if (cur instanceof GoStruct || cur instanceof GoSpecial) {
    return [...membersOf(goTypeDesc(cur.goType())).entries()].filter(([, m]) => !m.method?.pr || cur.addressable || m.field).map(([n]) => n);
  }
  if (cur instanceof GoTypedMap) return cur.keys().filter((k) => IDENT.test(k));
  if (isGoMap(cur)) return Object.keys(cur).filter((k) => IDENT.test(k));
  return [];
}

function elementsOf(v: GoValue): number {
  const cur = untaint(v);
  if (cur instanceof GoSlice) return Math.min(cur.values().length, 2);
  if (Array.isArray(cur)) return Math.min(cur.length, 2);
  return 0;
}

/** Up to `max` paths under `start`, breadth first; a nil pointer's fields are listed (Go's error) but not entered. */
export function collectPaths(root: GoValue, start: PathStep[], max: number, maxDepth = 9): PathStep[][] {
  const out: PathStep[][] = [];
  const queue: PathStep[][] = [start];
  while (queue.length > 0 && out.length < max) {
    const p = queue.shift()!;
    out.push(p);
    if (p.length >= maxDepth) continue;
    let v: GoValue;
    try {
      v = walk(root, p);
    } catch {
      continue;
    }
    const cur = untaint(v);
    if (cur instanceof GoPointer && cur.isNil()) {
      const first = namesOf(cur)[0];
      if (first !== undefined && p.length < maxDepth) out.push([...p, first]);
      continue;
    }
    for (const n of namesOf(v)) queue.push([...p, n]);
    for (let i = 0; i < elementsOf(v); i++) queue.push([...p, i]);
  }
  return out;
}
