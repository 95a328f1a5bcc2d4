// Go's own text/template executing templates (the oracle binary of go-parse-oracle.ts, "exec" requests),
// and ours on the same input, in one shape: { ok, output } or { ok: false, error }.
import { compileGoTemplates } from '../../src/core/gotemplate/index.ts';
import type { StatementHooks, StatementOutput } from '../../src/core/gotemplate/exec/index.ts';
import { formatValue } from '../../src/core/gotemplate/exec/fmt-print.ts';
import { type GoFunction, type GoValue, isGoMap, typeOf } from '../../src/core/gotemplate/value.ts';
import { fixture } from './exec-fixture.ts';
import { GoParseOracle } from './go-parse-oracle.ts';

export interface ExecRequest {
  name: string;
  text: string;
  /** The template to execute (usually `name`). */
  exec: string;
  /** JSON data, decoded by Go into interface{} (numbers float64). */
  data: unknown;
  /** Functions both sides stub: each returns its last argument ("" without one). */
  stubs?: string[];
  /** Stubs returning fmt.Sprint of their last argument. */
  stringStubs?: string[];
  /** The typed fixture (exec-fixture.ts, oracle/fixture.go) at .Typed. */
  fixture?: boolean;
}
export type ExecOutcome = { ok: true; output: string } | { ok: false; error: string };

const fail = (msg: string): never => {
  throw new Error(msg);
};
/** The functions of oracle/functions.go, as GoFunctions. */
export const TEST_FUNCTIONS: Record<string, GoFunction> = {
  strfn: { params: ['string'], call: (s) => `<${s as string}>` },
  intfn: { params: ['int'], call: (i) => (i as bigint) * 2n },
  floatfn: { params: ['float64'], call: (f) => (f as number) / 2 },
  boolfn: { params: ['bool'], call: (b) => !b },
  anyfn: { params: ['any'], call: (v) => typeOf(v) },
  joinfn: { params: ['string'], variadic: 'string', call: (sep, ...parts) => parts.join(sep as string) },
  failfn: { params: ['string'], call: (msg) => fail(msg as string) },
  listfn: { params: ['int'], call: (n) => Array.from({ length: Number(n) }, (_, i) => BigInt(i)) },
  mapfn: { params: ['string', 'any'], call: (k, v) => ({ [k as string]: v }) as GoValue },
  nilfn: { params: [], call: () => null },
  typed: { params: [], call: () => fixture() },
};

export class GoExecOracle extends GoParseOracle {
  exec(requests: ExecRequest[]): ExecOutcome[] {
    const raw = this.run(requests.map((r) => ({ ...r, functions: null })));
    return raw.map((r) => (r.ok ? { ok: true, output: r.output ?? '' } : { ok: false, error: r.error ?? '' }));
  }
}

/** JSON data as Go's encoding/json gives it to a template: plain JS already is, numbers are float64. */
export const STUB: GoFunction = { params: [], variadic: 'any', call: (...args) => (args.length === 0 ? '' : args[args.length - 1]) };

export const STRING_STUB: GoFunction = {
  params: [],
  variadic: 'any',
  call: (...args) => (args.length === 0 ? '' : formatValue(args[args.length - 1]).text),
};

/** {"$int": "N"} in test data is the Go int N (the oracle converts it the same way). */
export function typedInts(v: unknown): GoValue {
  if (Array.isArray(v)) return v.map(typedInts);
  if (typeof v !== 'object' || v === null) return v as GoValue;
  const entries = Object.entries(v);
  if (entries.length === 1 && entries[0]?.[0] === '$int' && typeof entries[0][1] === 'string') return BigInt(entries[0][1]);
  return Object.fromEntries(entries.map(([k, e]) => [k, typedInts(e)]));
}

/** A run of ours that records each top-level statement's output (top-level.ts), then one that replays them all. */
export function execReplayed(r: ExecRequest): { recorded: ExecOutcome; replayed: ExecOutcome; statements: number } {
  const outs: StatementOutput[] = [];
  const recording: StatementHooks = {
    recording: true,
    dataFor: () => undefined,
    ran(i, out) {
      outs[i] = out;
    },
    replay: () => undefined,
  };
  const replaying: StatementHooks = { recording: false, dataFor: () => undefined, ran: () => undefined, replay: (i) => outs[i] };
  const recorded = execOurs(r, recording);
  const replayed = execOurs(r, replaying);
  return { recorded, replayed, statements: outs.filter((o) => o !== undefined).length };
}

export function execOurs(r: ExecRequest, hooks?: StatementHooks): ExecOutcome {
  try {
    const functions = {
      ...TEST_FUNCTIONS,
      ...Object.fromEntries((r.stubs ?? []).map((name) => [name, STUB])),
      ...Object.fromEntries((r.stringStubs ?? []).map((name) => [name, STRING_STUB])),
    };
    const set = compileGoTemplates(r.name, r.text, functions);
    const data = typedInts(r.data);
    if (r.fixture && isGoMap(data)) data.Typed = fixture();
    return { ok: true, output: set.execute(r.exec, data, undefined, hooks).text };
  } catch (e) {
    return { ok: false, error: (e as Error).message };
  }
}
