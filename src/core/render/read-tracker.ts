// Records what a template reads from its data, so a rendered result can be reused for data that agrees
// on everything read. Pods of one Deployment differ in fields the template never looks at (the
// generated service-account volume name, for one), so their renders are the same. Pure: proxies over
// plain JSON data, no clock, no globals. Nothing below a frozen object is recorded (the rule in reuse.ts).

type Path = ReadonlyArray<string | number>;
export type Read =
  | { path: Path; kind: 'value'; value: unknown }
  | { path: Path; kind: 'type'; type: 'array' | 'object'; ref?: object }
  | { path: Path; kind: 'keys'; keys: string }
  | { path: Path; kind: 'has'; key: string; has: boolean };

/** Characters recorded answers keep alive (strings read, key lists; 8 for anything else). */
export function readChars(reads: readonly Read[]): number {
  let n = 0;
  for (const r of reads) n += r.kind === 'value' && typeof r.value === 'string' ? r.value.length : r.kind === 'keys' ? r.keys.length : 8;
  return n;
}

export interface Tracked<T> {
  data: T;
  /** What was read; undefined when that was more than the limit (nothing more was recorded: a huge pod is read directly). */
  reads(): Read[] | undefined;
}

function typeOf(v: unknown): 'array' | 'object' | 'primitive' {
  return Array.isArray(v) ? 'array' : v !== null && typeof v === 'object' ? 'object' : 'primitive';
}

const childOf = (path: Path, parent: object, prop: string): Path => [...path, Array.isArray(parent) && /^\d+$/.test(prop) ? Number(prop) : prop];

/** One tracking session: what was read so far, and the proxy of each object already handed out. */
interface Recorder {
  reads: Read[];
  /** Past the limit: nothing more is recorded (reads() answers undefined). */
  over: boolean;
  limit: number;
  proxies: WeakMap<object, object>;
}

function note(rec: Recorder, r: Read): void {
  if (rec.over) return;
  rec.reads.push(r);
  if (rec.reads.length > rec.limit) {
    rec.over = true;
    rec.reads.length = 0;
  }
}

/** What one proxied object was asked already (each is recorded once): a set per object, no joined keys. */
interface Asked {
  /** Properties read (a value, or the type of an object). */
  props: Set<string>;
  /** Keys whose presence was checked. */
  has: Set<string>;
  keys: boolean;
}

/** What reading `prop` of the object at `path` records and answers. */
function readProperty(rec: Recorder, asked: Asked, path: Path, t: object, prop: string | symbol, recv: unknown): unknown {
  const v = Reflect.get(t, prop, recv);
  if (rec.over || typeof prop === 'symbol') return v;
  const fresh = !asked.props.has(prop);
  if (fresh) asked.props.add(prop);
  if (v === null || typeof v !== 'object') {
    if (fresh) note(rec, { path: childOf(path, t, prop), kind: 'value', value: v });
    return v;
  }
  const type = Array.isArray(v) ? 'array' : 'object';
  // a frozen object (the settings) cannot change: the same object answers every read below it alike,
  // so it is recorded by identity and handed over as it is (proxying its reads was a fifth of a render)
  if (Object.isFrozen(v)) {
    if (fresh) note(rec, { path: childOf(path, t, prop), kind: 'type', type, ref: v });
    return v;
  }
  const known = rec.proxies.get(v);
  if (known && !fresh) return known; // the common case: no path to build
  const childPath = childOf(path, t, prop);
  if (fresh) note(rec, { path: childPath, kind: 'type', type });
  return known ?? wrap(rec, v, childPath);
}

function wrap(rec: Recorder, target: object, path: Path): object {
  const known = rec.proxies.get(target);
  if (known) return known;
  const asked: Asked = { props: new Set(), has: new Set(), keys: false };
  const hasKey = (prop: string | symbol, has: boolean) => {
    if (rec.over || typeof prop === 'symbol' || asked.has.has(prop)) return;
    asked.has.add(prop);
    note(rec, { path, kind: 'has', key: prop, has });
  };
  // a proxy must answer a frozen target's properties with the very values, so it wraps a copy
  const p = new Proxy(Object.isFrozen(target) ? (Array.isArray(target) ? [...target] : { ...target }) : target, {
    get: (t, prop, recv) => readProperty(rec, asked, path, t, prop, recv),
    has(t, prop) {
      const has = Reflect.has(t, prop);
      hasKey(prop, has);
      return has;
    },
    getOwnPropertyDescriptor(t, prop) {
      const d = Reflect.getOwnPropertyDescriptor(t, prop);
      hasKey(prop, d !== undefined);
      return d;
    },
    ownKeys(t) {
      const keys = Reflect.ownKeys(t);
      if (!rec.over && !asked.keys) {
        asked.keys = true;
        note(rec, { path, kind: 'keys', keys: keys.filter((k) => typeof k === 'string').join('\u0000') });
      }
      return keys;
    },
    set() {
      throw new Error('template data is read-only');
    },
  });
  rec.proxies.set(target, p);
  return p;
}

export function trackReads<T extends object>(root: T, limit = Infinity): Tracked<T> {
  const rec: Recorder = { reads: [], over: false, limit, proxies: new WeakMap() };
  return { data: wrap(rec, root, []) as T, reads: () => (rec.over ? undefined : rec.reads) };
}

/** Where a render read, and which kind of answer each read got, without the answers. Renders that read
 * alike (the pods of one shape: most pods of a cluster) share one, so a kept render costs only its answers
 * (a few KB, where a tree of its own per render was ~45 KB). Arranged by path, so checking the answers
 * walks each shared prefix once (a render reads ~350 values). */
export interface ReadShape {
  root: ShapeNode;
  /** Equal for equal shapes, so they can be shared. */
  signature: string;
}

interface ShapeNode {
  /** Index of the frozen object read here: only that very object agrees (reads below it are not recorded). */
  ref?: number;
  checks: Array<{ at: number; kind: Read['kind']; key?: string }>;
  children: Map<string | number, ShapeNode>;
}

/** What one render read: its shape (shared) and its own answers, in the order read. */
export interface ReadTree {
  shape: ReadShape;
  answers: unknown[];
}

/** Equal for reads of equal paths and kinds, in the same order: renders that may share a shape. */
export function signatureOf(reads: Read[]): string {
  return JSON.stringify(reads.map((r) => [r.path, r.kind === 'type' && r.ref !== undefined ? 'ref' : r.kind, r.kind === 'has' ? r.key : 0]));
}

export function shapeOf(reads: Read[], signature = signatureOf(reads)): ReadShape {
  const root: ShapeNode = { checks: [], children: new Map() };
  for (const [at, r] of reads.entries()) {
    let node = root;
    for (const p of r.path) {
      const next = node.children.get(p) ?? { checks: [], children: new Map() };
      node.children.set(p, next);
      node = next;
    }
    node.checks.push({ at, kind: r.kind, ...(r.kind === 'has' ? { key: r.key } : {}) });
    if (r.kind === 'type' && r.ref !== undefined) node.ref = at;
  }
  return { root, signature };
}

function answerOf(r: Read): unknown {
  switch (r.kind) {
    case 'value':
      return r.value;
    case 'type':
      return r.ref ?? r.type;
    case 'keys':
      return r.keys;
    case 'has':
      return r.has;
  }
}

/** `reads` as a shape and answers; `shape` when the caller already has an equal one to share. */
export function compileReads(reads: Read[], shape: ReadShape = shapeOf(reads)): ReadTree {
  return { shape, answers: reads.map(answerOf) };
}

/** What `v` answers where a check of this kind was recorded (NOT_AN_OBJECT: a key asked of a non-object). */
const NOT_AN_OBJECT = Symbol('not an object');
function answerAt(c: ShapeNode['checks'][number], v: unknown): unknown {
  switch (c.kind) {
    case 'value':
      return v;
    case 'type':
      return typeOf(v);
    case 'keys':
      return typeOf(v) === 'primitive' ? NOT_AN_OBJECT : Object.keys(v as object).join('\u0000');
    case 'has':
      return typeOf(v) === 'primitive' ? NOT_AN_OBJECT : Object.hasOwn(v as object, c.key!);
  }
}

function step(cur: unknown, p: string | number): unknown {
  if (cur === null || typeof cur !== 'object') return undefined;
  return Object.hasOwn(cur, p) || Array.isArray(cur) ? (cur as Record<string | number, unknown>)[p] : undefined;
}

function collect(node: ShapeNode, v: unknown, out: unknown[]): void {
  // a frozen object read here: the very object, nothing below it was recorded
  if (node.ref !== undefined) {
    out[node.ref] = v;
    return;
  }
  for (const c of node.checks) out[c.at] = answerAt(c, v);
  for (const [p, child] of node.children) collect(child, step(v, p), out);
}

/**
 * What `root` answers to every read of `shape`, in the order of a render's answers. Worked out once per
 * shape and compared with each kept render of that shape (most share one), not walked again per render.
 */
export function answersFor(shape: ReadShape, root: unknown): unknown[] {
  const out: unknown[] = [];
  collect(shape.root, root, out);
  return out;
}

/** Whether data with these answers (answersFor) agrees on every read a render recorded. */
export function sameAnswers(reads: ReadTree, answers: readonly unknown[]): boolean {
  const kept = reads.answers;
  for (let i = 0; i < kept.length; i++) {
    const a = kept[i];
    const b = answers[i];
    if (a !== b && !(Number.isNaN(a) && Number.isNaN(b))) return false;
  }
  return true;
}

/** Whether `root` gives every recorded read the same answer. */
export function sameReads(reads: ReadTree, root: unknown): boolean {
  return sameAnswers(reads, answersFor(reads.shape, root));
}
