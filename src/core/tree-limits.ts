// The size and nesting caps on a parsed JSON/YAML value, checked in one linear, iterative walk before
// any recursive step (merge, diff, copy, serialise) sees the value: a 100,000-deep annotation would
// overflow the stack there, and a huge one would make every later walk slow. The same walk refuses
// prototype field names.
import { InjectionError } from './errors.ts';
import { MAX_NESTING_DEPTH, MAX_NODES } from './limits.ts';

/**
 * No Kubernetes field (nor label or annotation key) is named `__proto__`, or `constructor.prototype`;
 * as JSON patch paths they are what fast-json-patch refuses to touch, and as object keys they invite
 * prototype pollution. Refused by name wherever they appear.
 */
function prototypeField(v: Record<string, unknown>): TreeProblem | undefined {
  if (Object.hasOwn(v, '__proto__')) return { why: 'has a field named "__proto__", which no Kubernetes object has' };
  const c = Object.hasOwn(v, 'constructor') ? v.constructor : undefined;
  if (c !== null && typeof c === 'object' && Object.hasOwn(c, 'prototype')) return { why: 'has a field "constructor.prototype", which no Kubernetes object has' };
  return undefined;
}

export interface TreeProblem {
  /** A phrase to follow the value's name: "nests more than 256 levels deep (the cap MAX_NESTING_DEPTH)". */
  why: string;
  /** The cap it is over; none for a prototype field name. */
  cap?: 'MAX_NODES' | 'MAX_NESTING_DEPTH';
}

/** Why `value` is over a cap or holds a prototype field name, or undefined when it is fine. */
export function treeProblem(value: unknown): TreeProblem | undefined {
  const values: unknown[] = [value];
  const depths: number[] = [0];
  let nodes = 0;
  while (values.length > 0) {
    const v = values.pop();
    const depth = depths.pop()!;
    if (++nodes > MAX_NODES) return { why: `has more than ${MAX_NODES} values (the cap MAX_NODES)`, cap: 'MAX_NODES' };
    if (v === null || typeof v !== 'object') continue;
    if (depth >= MAX_NESTING_DEPTH) return { why: `nests more than ${MAX_NESTING_DEPTH} levels deep (the cap MAX_NESTING_DEPTH)`, cap: 'MAX_NESTING_DEPTH' };
    const why = Array.isArray(v) ? undefined : prototypeField(v as Record<string, unknown>);
    if (why) return why;
    const children = Array.isArray(v) ? v : Object.values(v);
    for (const c of children) {
      values.push(c);
      depths.push(depth + 1);
    }
  }
  return undefined;
}

/** Throws LIMIT_EXCEEDED (naming the cap) or INVALID_OBJECT for a value treeProblem finds fault with; `what` names it. */
export function checkTree(value: unknown, what: string): void {
  const p = treeProblem(value);
  if (p) throw new InjectionError(p.cap ? 'LIMIT_EXCEEDED' : 'INVALID_OBJECT', `${what} ${p.why}`, p.cap ?? what);
}
