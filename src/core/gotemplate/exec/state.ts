// The state of one execution (Go's exec.go state): output, taint spans, the node being evaluated (for
// errors, as Go's s.at), the template being executed, and the limits that keep a hostile template or data
// from holding the webhook: output size, evaluation steps, template-call depth.
import { InjectionError } from '../../errors.ts';
import { goQuote } from '../tokens.ts';
import { GoTyped, type GoValue, Tainted, type TaintSource } from '../value.ts';
import { type AnyNode, nodeString } from './nodes.ts';
import { utf8Length } from './strings.ts';
import type { StatementOutput } from './top-level.ts';

export interface ExecLimits {
  /** Output characters (UTF-16 code units) one execution may write. */
  maxOutputChars: number;
  /** Node evaluations (statements, commands, range iterations) one execution may take. */
  maxSteps: number;
  /** Nested {{template}} calls; Go allows 100,000, far more than any injection template needs. */
  maxDepth: number;
  /** Characters of strings functions may produce (printf "%0999999d" in a loop), a multiple of maxOutputChars. */
  maxProducedChars: number;
}

/**
 * Istio's sidecar template writes ~6-20 KB in ~500-2,000 steps at 2 call levels; these leave >100x headroom
 * while keeping the worst case to ~100 ms of work.
 */
export const DEFAULT_EXEC_LIMITS: ExecLimits = {
  maxOutputChars: 4 << 20,
  maxSteps: 1_000_000,
  maxDepth: 100,
  maxProducedChars: 16 << 20,
};

/** Go's error context names the whole node; a huge one (an {{if}} block) is cut so the message stays readable. */
const MAX_CONTEXT_CHARS = 1000;

export interface TaintSpan {
  start: number;
  end: number;
  /** The text was produced by a serializer (toJSON, toYaml, ...) from pod-controlled data. */
  structured: boolean;
  /** For structured spans, the data the text must parse back to. */
  data?: unknown;
  /** The action that printed it, as the template writes it (for the error that refuses it). */
  origin?: string;
  /** Where the pod wrote the value: "annotation sidecar.istio.io/logLevel", "label app", "pod spec.containers.0.name"... */
  source?: string;
}

/**
 * A span as writeTainted records it: a plain object of one shape (a getter defined per span turned each
 * into a dictionary of ~400 bytes: 20,000 containers print 20,000 spans), `origin` and `source` worked
 * out only for a span that is refused.
 */
class RecordedSpan implements TaintSpan {
  constructor(
    readonly start: number,
    readonly end: number,
    readonly structured: boolean,
    readonly data: unknown,
    private readonly describe: () => string,
    private readonly describeSource?: () => string,
  ) {}
  get origin(): string {
    return this.describe();
  }
  get source(): string | undefined {
    return this.describeSource?.();
  }
}

/** A variable slot not yet assigned: reading it is Go's "undefined variable". */
export const UNSET: unique symbol = Symbol('unset');
export type Slot = GoValue | typeof UNSET | PendingList;

/**
 * The list a variable holds while `$x = append $x v` statements build it (append.ts): no one else has seen
 * `items`, so they are appended to in place. Any other read of the variable gets value() and the variable
 * holds that from then on (the list is then shared, and never changed again).
 */
export class PendingList {
  constructor(
    readonly items: GoValue[],
    /** The list came out Tainted: an item, or a list it was appended to, held pod data. */
    public tainted: boolean,
    /** Where the first tainted part came from, for the error that names it. */
    public source?: TaintSource,
  ) {}
  value(): GoValue {
    return this.tainted ? new Tainted(this.items, undefined, this.source) : this.items;
  }
}

/** The variables of one template invocation; `iface` marks values whose Go static type is interface{}. */
export class Frame {
  readonly values: Slot[];
  readonly iface: boolean[];
  constructor(size: number, dot: GoValue) {
    this.values = new Array<Slot>(size).fill(UNSET);
    this.iface = new Array<boolean>(size).fill(false);
    this.values[0] = dot;
  }
  set(slot: number, value: GoValue, iface: boolean): void {
    this.values[slot] = value;
    this.iface[slot] = iface;
  }
  /** Forgets the variables of slots [from, to): Go pops them when their scope ends. */
  reset(from: number, to: number): void {
    for (let i = from; i < to; i++) this.values[i] = UNSET;
  }
}

/** A point in an execution (mark()). */
export interface ExecMark {
  parts: number;
  length: number;
  spans: number;
  steps: number;
  produced: number;
}

export class ExecState {
  /** What was written, in pieces (a string grown by += keeps a 32-byte node per piece until it is read). */
  private readonly parts: string[] = [];
  /** Characters written so far. */
  length = 0;
  readonly spans: TaintSpan[] = [];
  node: AnyNode | undefined;
  steps = 0;
  depth = 0;
  produced = 0;
  /** Dot came out of an []interface{} or map[string]interface{} (range), so its static type is interface{}. */
  dotIface = false;
  /** The argument just evaluated was a field, variable or dot of static type interface{} (slice's error names it). */
  argIface = false;
  /** The field evalField just read came out of a map, so its static type is interface{}. */
  fieldIface = false;
  constructor(
    /** The name of the template being executed (Go's s.tmpl.Name()). */
    public tmplName: string,
    readonly parseName: string,
    readonly text: string,
    readonly limits: ExecLimits,
  ) {}

  /** Go's errorf: template: NAME:LINE:COL: executing "NAME" at <node>: message. */
  errorf(message: string): never {
    throw new InjectionError('TEMPLATE_RENDER', this.context(message), this.tmplName);
  }
  limitError(message: string): never {
    throw new InjectionError('LIMIT_EXCEEDED', this.context(message), this.tmplName);
  }
  private context(message: string): string {
    const n = this.node;
    if (n === undefined) return `template: ${this.tmplName}: ${message}`;
    const before = this.text.slice(0, n.pos);
    const nl = before.lastIndexOf('\n');
    let line = 1;
    for (let i = before.indexOf('\n'); i >= 0; i = before.indexOf('\n', i + 1)) line++;
    // Go's columns are byte offsets (0-based) within the line
    const col = utf8Length(before.slice(nl + 1));
    const context = nodeString(n);
    const shown = context.length > MAX_CONTEXT_CHARS ? `${context.slice(0, MAX_CONTEXT_CHARS)}…` : context;
    return `template: ${this.parseName}:${line}:${col}: executing ${goQuote(this.tmplName)} at <${shown}>: ${message}`;
  }

  private readonly taintScan = new WeakMap<object, boolean>();
  /** A Tainted value anywhere inside v (remembered per object: data does not change during an execution). */
  holdsTaint(v: GoValue): boolean {
    if (typeof v !== 'object' || v === null) return false;
    if (v instanceof Tainted) return true;
    if (v instanceof GoTyped) return v.containsTaint();
    // frozen is the settings' data, deeply frozen before any execution made a Tainted (render/reuse.ts)
    if (Object.isFrozen(v)) return false;
    const known = this.taintScan.get(v);
    if (known !== undefined) return known;
    this.taintScan.set(v, false); // JSON data has no cycles; this also stops one that would
    let found = false;
    if (Array.isArray(v)) found = v.some((e) => this.holdsTaint(e));
    else for (const k in v) if (Object.hasOwn(v, k) && this.holdsTaint((v as Record<string, GoValue>)[k])) found = true;
    this.taintScan.set(v, found);
    return found;
  }

  private readonly lengths = new WeakMap<object, GoValue>();
  /** len of a map or slice, once per execution: len in a loop over pod data stays linear. */
  lengthOf(v: GoValue, compute: () => GoValue): GoValue {
    if (typeof v !== 'object' || v === null) return compute();
    let n = this.lengths.get(v);
    if (n === undefined) {
      n = compute();
      this.lengths.set(v, n);
    }
    return n;
  }

  /** The output written so far. */
  get out(): string {
    const text = this.parts.join('');
    this.parts.length = 0;
    this.parts.push(text);
    return text;
  }
  step(): void {
    if (++this.steps > this.limits.maxSteps) this.limitError(`execution took more than ${this.limits.maxSteps} steps`);
  }
  write(text: string): void {
    this.parts.push(text);
    this.length += text.length;
    if (this.length > this.limits.maxOutputChars) this.limitError(`output exceeds ${this.limits.maxOutputChars} characters`);
  }
  writeTainted(text: string, structured: { data: unknown } | undefined, origin: () => string, source?: () => string): void {
    const start = this.length;
    this.write(text);
    if (text.length === 0) return;
    this.spans.push(new RecordedSpan(start, this.length, structured !== undefined, structured?.data, origin, source));
  }
  /** Where the execution is, for since(): what a statement did from there. */
  mark(): ExecMark {
    return { parts: this.parts.length, length: this.length, spans: this.spans.length, steps: this.steps, produced: this.produced };
  }
  /** What was done since `at` (no out read in between): text, spans from its start with their words, costs. */
  since(at: ExecMark): StatementOutput {
    const spans = this.spans.slice(at.spans).map(
      (sp): TaintSpan => ({
        start: sp.start - at.length,
        end: sp.end - at.length,
        structured: sp.structured,
        data: sp.data,
        origin: sp.origin,
        source: sp.source,
      }),
    );
    return { text: this.parts.slice(at.parts).join(''), spans, steps: this.steps - at.steps, produced: this.produced - at.produced };
  }
  /** Does again what a statement did (since()): the same text, spans and costs. */
  replay(done: StatementOutput): void {
    const start = this.length;
    this.write(done.text);
    for (const sp of done.spans) this.spans.push({ ...sp, start: sp.start + start, end: sp.end + start });
    this.steps += done.steps;
    this.produced += done.produced;
  }
  produce(chars: number): void {
    this.produced += chars;
    if (this.produced > this.limits.maxProducedChars) this.limitError(`functions produced more than ${this.limits.maxProducedChars} characters`);
  }
}
