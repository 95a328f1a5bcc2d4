// Go's own text/template executing templates (the oracle binary of go-parse-oracle.ts, "exec" requests),
// and ours on the same input, in one shape: { ok, output } or { ok: false, error }.
import { compileGoTemplates } from '../../src/core/gotemplate/index.ts';
import type { GoFunction, GoValue } from '../../src/core/gotemplate/value.ts';
import { GoParseOracle } from './go-parse-oracle.ts';

export interface ExecRequest {
  name: string;
  text: string;
  /** The template to execute (usually `name`). */
  exec: string;
  /** JSON data, decoded by Go into interface{} (numbers float64). */
  data: unknown;
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
  anyfn: {
    params: ['any'],
    call: (v) => {
      if (v === null || v === undefined) return '<nil>';
      if (typeof v === 'bigint') return 'int';
      if (typeof v === 'number') return 'float64';
      if (typeof v === 'string') return 'string';
      if (typeof v === 'boolean') return 'bool';
      return Array.isArray(v) ? '[]interface {}' : 'map[string]interface {}';
    },
  },
  joinfn: { params: ['string'], variadic: 'string', call: (sep, ...parts) => parts.join(sep as string) },
  failfn: { params: ['string'], call: (msg) => fail(msg as string) },
  listfn: { params: ['int'], call: (n) => Array.from({ length: Number(n) }, (_, i) => BigInt(i)) },
  mapfn: { params: ['string', 'any'], call: (k, v) => ({ [k as string]: v }) as GoValue },
  nilfn: { params: [], call: () => null },
};

export class GoExecOracle extends GoParseOracle {
  exec(requests: ExecRequest[]): ExecOutcome[] {
    const raw = this.run(requests.map((r) => ({ ...r, functions: null })));
    return raw.map((r) => (r.ok ? { ok: true, output: r.output ?? '' } : { ok: false, error: r.error ?? '' }));
  }
}

/** JSON data as Go's encoding/json gives it to a template: plain JS already is, numbers are float64. */
export function execOurs(r: ExecRequest): ExecOutcome {
  try {
    const set = compileGoTemplates(r.name, r.text, TEST_FUNCTIONS);
    return { ok: true, output: set.execute(r.exec, r.data as GoValue).text };
  } catch (e) {
    return { ok: false, error: (e as Error).message };
  }
}
