// The size and nesting caps on a parsed JSON/YAML value, checked in one linear, iterative walk before
// any recursive step (merge, diff, copy, serialise) sees the value: a 100,000-deep annotation would
// overflow the stack there, and a huge one would make every later walk slow.
import { MAX_NESTING_DEPTH, MAX_NODES } from './limits.ts';

/** Why `value` is over a cap (a phrase naming the cap), or undefined when it is within them. */
export function treeProblem(value: unknown): string | undefined {
  const values: unknown[] = [value];
  const depths: number[] = [0];
  let nodes = 0;
  while (values.length > 0) {
    const v = values.pop();
    const depth = depths.pop()!;
    if (++nodes > MAX_NODES) return `has more than ${MAX_NODES} values (the cap MAX_NODES)`;
    if (v === null || typeof v !== 'object') continue;
    if (depth >= MAX_NESTING_DEPTH) return `nests more than ${MAX_NESTING_DEPTH} levels deep (the cap MAX_NESTING_DEPTH)`;
    const children = Array.isArray(v) ? v : Object.values(v);
    for (const c of children) {
      values.push(c);
      depths.push(depth + 1);
    }
  }
  return undefined;
}
