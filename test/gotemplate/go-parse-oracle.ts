// Go's own text/template parser as a test oracle: builds test/gotemplate/oracle (stdlib only) into a temp
// dir and parses batches of templates with it.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ArgNode, type Node, type NumberNode, type PipeNode, parseGoTemplates } from '../../src/core/gotemplate/index.ts';

export interface ParseRequest {
  name: string;
  text: string;
  functions: string[] | null;
}
/** A number or string constant as Go reads it: int/uint as decimal text, float and complex parts as numbers. */
export interface Literal {
  text: string;
  str?: string;
  int?: string;
  uint?: string;
  float?: number;
  re?: number;
  im?: number;
}
export type ParseOutcome = { ok: true; names: string[]; literals: Literal[] } | { ok: false; error: string };

const ORACLE_SOURCE = join(dirname(fileURLToPath(import.meta.url)), 'oracle');

export function goAvailable(): boolean {
  return spawnSync('go', ['version'], { encoding: 'utf8', timeout: 10_000 }).status === 0;
}

export class GoParseOracle {
  private readonly dir = mkdtempSync(join(tmpdir(), 'gotpl-oracle-'));
  readonly binary = join(this.dir, 'gotemplate-oracle');
  constructor() {
    execFileSync('go', ['build', '-o', this.binary, '.'], { cwd: ORACLE_SOURCE, timeout: 120_000, stdio: 'pipe' });
  }
  /** Sends a batch to the oracle binary; its answers in order. */
  protected run(requests: object[]): { ok: boolean; names?: string[]; literals?: Literal[]; output?: string; error?: string }[] {
    const out = execFileSync(this.binary, { input: JSON.stringify(requests), timeout: 60_000, maxBuffer: 256 << 20 });
    return JSON.parse(out.toString('utf8'));
  }
  parse(requests: ParseRequest[]): ParseOutcome[] {
    return this.run(requests).map((r) =>
      r.ok ? { ok: true, names: r.names ?? [], literals: r.literals ?? [] } : { ok: false, error: r.error ?? '' },
    );
  }
  close(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Our parser's answer in the oracle's shape. */
export function parseOurs(r: ParseRequest): ParseOutcome {
  try {
    const trees = parseGoTemplates(r.name, r.text, r.functions === null ? {} : { functions: r.functions });
    const names = [...trees.keys()].sort();
    const literals: Literal[] = [];
    for (const name of names) walk(trees.get(name)?.root, literals);
    return { ok: true, names, literals };
  } catch (e) {
    return { ok: false, error: (e as Error).message };
  }
}

// The constants of a tree in Go's walk order (the oracle's walk in oracle/main.go).
function walk(node: Node | PipeNode | ArgNode | undefined, out: Literal[]): void {
  if (node === undefined) return;
  switch (node.kind) {
    case 'list':
      for (const n of node.nodes) walk(n, out);
      return;
    case 'action':
      walk(node.pipe, out);
      return;
    case 'if':
    case 'range':
    case 'with':
      walk(node.pipe, out);
      walk(node.list, out);
      walk(node.elseList, out);
      return;
    case 'template':
      walk(node.pipe, out);
      return;
    case 'pipe':
      for (const c of node.cmds) for (const a of c.args) walk(a, out);
      return;
    case 'chain':
      walk(node.node, out);
      return;
    case 'string':
      out.push({ text: node.quoted, str: node.text });
      return;
    case 'number':
      out.push(numberLiteral(node));
      return;
  }
}

function numberLiteral(n: NumberNode): Literal {
  const l: Literal = { text: n.text };
  if (n.int !== undefined) l.int = String(n.int);
  if (n.uint !== undefined) l.uint = String(n.uint);
  if (n.float !== undefined) l.float = n.float;
  if (n.complex !== undefined) {
    l.re = n.complex.re;
    l.im = n.complex.im;
  }
  return l;
}
