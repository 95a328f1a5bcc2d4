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
  if (c !== null && typeof c === 'object' && Object.hasOwn(c, 'prototype'))
    return { why: 'has a field "constructor.prototype", which no Kubernetes object has' };
  return undefined;
}

export interface TreeProblem {
  /** A phrase to follow the value's name: "nests more than 256 levels deep (the cap MAX_NESTING_DEPTH)". */
  why: string;
  /** The cap it is over; none for a prototype field name. */
  cap?: 'MAX_NODES' | 'MAX_NESTING_DEPTH';
}

/** A dotted path to a node for messages: `metadata.annotations["a/b"].x[3]`, clipped by the caller. */
function pathTo(node: number, keys: Array<string | number>, parents: number[]): string {
  const chain: Array<string | number> = [];
  for (let i = node; i > 0; i = parents[i]!) chain.push(keys[i]!); // at most MAX_NESTING_DEPTH long
  chain.reverse();
  const shown = chain.slice(0, 8).map((k) => (typeof k === 'number' ? `[${k}]` : /^[A-Za-z_][\w-]*$/.test(k) ? `.${k}` : `[${JSON.stringify(k)}]`));
  // the top of the path says where; past eight steps it is the same brackets again
  return `${shown.join('').replace(/^\./, '')}${chain.length > 8 ? '…' : ''}`;
}

/**
 * A list with a named field (`Object.keys` puts index keys first, so a named one is last; an index is a
 * canonical number below the length, which "4294967295" or "01" is not). JSON and YAML never make one, but
 * an object built in-process can, and the walk below sees only a list's items while copies
 * (structuredClone) take its fields too: a deep value there would get past the caps.
 */
function namedListField(v: unknown[]): TreeProblem | undefined {
  const keys = Object.keys(v);
  const last = keys[keys.length - 1];
  if (last === undefined || (Number(last) < v.length && String(Number(last)) === last)) return undefined;
  return { why: `is a list with a field named ${JSON.stringify(last).slice(0, 80)}, which no JSON list has` };
}

/** The problem of one node, or undefined (children are the caller's). */
function nodeProblem(v: object, depth: number): TreeProblem | undefined {
  if (depth >= MAX_NESTING_DEPTH)
    return { why: `nests more than ${MAX_NESTING_DEPTH} levels deep (the cap MAX_NESTING_DEPTH)`, cap: 'MAX_NESTING_DEPTH' };
  return Array.isArray(v) ? namedListField(v) : prototypeField(v as Record<string, unknown>);
}

/**
 * Why `value` is over a cap or holds a prototype field name (and where), or undefined when it is fine.
 * Every admission pays for this walk, so it keeps only two stacks; where a problem is, is worked out by
 * a second walk that runs only for a value about to be refused.
 */
const tooManyValues: TreeProblem = { why: `has more than ${MAX_NODES} values (the cap MAX_NODES)`, cap: 'MAX_NODES' };

export function treeProblem(value: unknown): TreeProblem | undefined {
  const values: unknown[] = [value];
  const depths: number[] = [0];
  let seen = 0;
  while (values.length > 0) {
    const v = values.pop();
    const depth = depths.pop()!;
    if (++seen > MAX_NODES) return tooManyValues;
    if (v === null || typeof v !== 'object') continue;
    // a list that cannot fit is refused before its keys are listed (namedListField) or its items stacked:
    // every value still stacked would be counted, so the outcome is the same, at a cost bounded by the cap
    if (Array.isArray(v) && seen + values.length + v.length > MAX_NODES) return tooManyValues;
    const p = nodeProblem(v, depth);
    if (p) return depth === 0 ? p : { ...p, why: `at ${locate(value, v)} ${p.why}` };
    for (const c of Array.isArray(v) ? v : Object.values(v)) {
      values.push(c);
      depths.push(depth + 1);
    }
  }
  return undefined;
}

/** The path to `target` inside `root` (found by identity; the caps hold, so this walk is bounded too). */
function locate(root: unknown, target: object): string {
  const nodes: unknown[] = [root];
  const keys: Array<string | number> = [''];
  const parents: number[] = [-1];
  const stack: number[] = [0];
  while (stack.length > 0 && nodes.length <= MAX_NODES) {
    const i = stack.pop()!;
    const v = nodes[i];
    if (v === target) return pathTo(i, keys, parents);
    if (v === null || typeof v !== 'object') continue;
    for (const [k, c] of Array.isArray(v) ? v.entries() : Object.entries(v)) {
      stack.push(nodes.length);
      nodes.push(c);
      keys.push(k);
      parents.push(i);
    }
  }
  return '(a nested value)';
}

/** Throws LIMIT_EXCEEDED (naming the cap) or INVALID_OBJECT for a value treeProblem finds fault with; `what` names it. */
export function checkTree(value: unknown, what: string): void {
  const p = treeProblem(value);
  if (p) throw new InjectionError(p.cap ? 'LIMIT_EXCEEDED' : 'INVALID_OBJECT', `${what} ${p.why}`, p.cap ?? what);
}
