// The function map istiod gives its templates, run by Go (test/gotemplate/funcs-oracle: sprig.TxtFuncMap()
// with Istio's exported inject.InjectionFuncmap over it), and the same calls run on ours, in one shape:
// the result's %T, encoding/json and %v, or the call's error.
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { formatV } from '../../src/core/gotemplate/funcs/format.ts';
import { goJSON } from '../../src/core/gotemplate/funcs/json.ts';
import { GoSlice, GoStringMap } from '../../src/core/gotemplate/funcs/typed.ts';
import { type GoFunction, type GoMap, GoTyped, type GoValue, typeOf } from '../../src/core/gotemplate/value.ts';

const SOURCE = join(import.meta.dirname, 'funcs-oracle');

/** Builds the oracle once per source version into ~/.cache (the Go module cache makes a rebuild quick). */
export function funcsOracleBinary(): string {
  const hash = createHash('sha256');
  for (const f of ['main.go', 'go.mod', 'go.sum']) hash.update(readFileSync(join(SOURCE, f)));
  const dir = join(homedir(), '.cache', 'sidecar-injector', 'funcs-oracle', hash.digest('hex').slice(0, 16));
  const binary = join(dir, 'oracle');
  if (!existsSync(binary)) {
    mkdirSync(dir, { recursive: true });
    execFileSync('go', ['build', '-o', binary, '.'], { cwd: SOURCE, env: { ...process.env, GOFLAGS: '-mod=mod' }, timeout: 600_000, stdio: 'pipe' });
  }
  return binary;
}

/** A call: the function's name and its arguments as JSON, typed ones as {"$t": GoType, "v": value}. */
export interface Call {
  fn: string;
  args: unknown[];
}
export type Answer = { type: string; json: string; v: string } | { error: string };

export function runGo(binary: string, calls: Call[]): Answer[] {
  const out = execFileSync(binary, ['calls'], {
    input: JSON.stringify(calls),
    maxBuffer: 256 << 20,
    timeout: 60_000,
    stdio: ['pipe', 'pipe', 'ignore'],
  });
  // Istio's functions log their warnings to stdout: the answer is the last line
  const lines = out.toString('utf8').trimEnd().split('\n');
  return JSON.parse(lines.at(-1)!) as Answer[];
}

export interface Signature {
  params: string[];
  variadic?: string;
}
export function goSignatures(binary: string): Record<string, Signature> {
  return JSON.parse(execFileSync(binary, ['signatures']).toString('utf8')) as Record<string, Signature>;
}

/** A stand-in for the data model's typed values: a Go type, its encoding/json data, fields, protojson. */
class FakeTyped extends GoTyped {
  constructor(
    private readonly type: string,
    private readonly data: unknown,
    private readonly fields: Record<string, GoValue> = {},
  ) {
    super();
  }
  goType(): string {
    return this.type;
  }
  kind(): ReturnType<GoTyped['kind']> {
    return this.type.startsWith('[]') ? 'slice' : this.type.startsWith('*') ? 'ptr' : 'struct';
  }
  override isNil(): boolean {
    return this.type.startsWith('*') && this.data === null;
  }
  override field(name: string): { value: GoValue } | undefined {
    return name in this.fields ? { value: this.fields[name] } : undefined;
  }
  toJSONValue(): unknown {
    return this.data;
  }
  protoFullName(): string {
    return `istio.mesh.v1alpha1.${this.type.replace(/^\*v1alpha1\./, '')}`;
  }
  protoJSONValue(): unknown {
    return this.data;
  }
}

/** "1.5s" (protojson) -> seconds and nanos as Go's Duration fields. */
function durationFields(text: string): Record<string, GoValue> {
  const m = /^(-?)(\d+)(?:\.(\d{1,9}))?s$/.exec(text)!;
  const sign = m[1] === '-' ? -1n : 1n;
  return { Seconds: sign * BigInt(m[2]!), Nanos: sign * BigInt((m[3] ?? '').padEnd(9, '0')) };
}

/** The argument as our functions receive it. */
export function decodeArg(a: unknown): GoValue {
  if (Array.isArray(a)) return a.map(decodeArg);
  if (a === null || typeof a !== 'object') return a as GoValue;
  const o = a as Record<string, unknown>;
  if (typeof o.$t !== 'string') {
    const out = Object.create(null) as GoMap;
    for (const [k, v] of Object.entries(o)) out[k] = decodeArg(v);
    return out;
  }
  const v = o.v;
  switch (o.$t) {
    case 'undefined':
      return undefined;
    case 'int':
    case 'int64':
    case 'int32':
      return BigInt(v as number);
    case '[]string':
      return new GoSlice('string', v as string[]);
    case '[]int':
      return new GoSlice('int', (v as number[]).map(BigInt));
    case 'map[string]string':
      return new GoStringMap(new Map(Object.entries((v ?? {}) as Record<string, string>)), v === null);
    case 'v1.ObjectMeta': {
      const meta = v as { annotations?: Record<string, string> };
      return new FakeTyped('v1.ObjectMeta', v, {
        Annotations: new GoStringMap(new Map(Object.entries(meta.annotations ?? {})), meta.annotations === undefined),
      });
    }
    case '*durationpb.Duration':
      return new FakeTyped('*durationpb.Duration', v, v === null ? {} : durationFields(v as string));
    default:
      return new FakeTyped(o.$t, v);
  }
}

/** Go's %T prints int64/int32 results; the model holds every signed integer as one int kind. */
const sameIntKind = (t: string): string => t.replace(/\bint(64|32)\b/g, 'int');

export function runOurs(fns: Record<string, GoFunction>, call: Call): Answer {
  const fn = fns[call.fn];
  if (fn === undefined) return { error: `function "${call.fn}" not defined` };
  try {
    // the arguments as Go receives them: through JSON (-0 becomes 0, as JSON.stringify writes it)
    const args = JSON.parse(JSON.stringify(call.args)) as unknown[];
    const r = fn.call(...args.map(decodeArg));
    let json: string;
    try {
      json = goJSON(r);
    } catch (e) {
      json = `!error: ${(e as Error).message}`;
    }
    return { type: typeOf(r === undefined ? null : r), json, v: formatV(r) };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

export function normalise(a: Answer): Answer {
  return 'error' in a ? { error: a.error } : { type: sameIntKind(a.type), json: a.json, v: a.v };
}
