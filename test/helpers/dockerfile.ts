// The Dockerfile read as its stages and their instructions, so that a test can replay them without a
// container engine (test/deploy/image.test.ts). Only what this project's Dockerfile uses is understood:
// FROM ... AS name, WORKDIR, ENV k=v, COPY [--from=stage] src... dest, RUN (shell form), USER, EXPOSE,
// ENTRYPOINT and CMD (exec form). Anything else is an error, so that a new kind of line fails the test
// rather than being skipped without a word.
import { readFileSync } from 'node:fs';

export interface Instruction {
  op: 'WORKDIR' | 'ENV' | 'COPY' | 'RUN' | 'USER' | 'EXPOSE' | 'ENTRYPOINT' | 'CMD';
  /** The rest of the line, continuations joined. */
  text: string;
  line: number;
}

export interface Stage {
  name: string;
  /** The image it starts from, e.g. node:24.22.3-bookworm-slim. */
  base: string;
  steps: Instruction[];
}

const OPS = new Set(['WORKDIR', 'ENV', 'COPY', 'RUN', 'USER', 'EXPOSE', 'ENTRYPOINT', 'CMD']);

/** Logical lines: comments and blank lines dropped, `\` continuations joined; each with its first line number. */
function logicalLines(text: string): Array<{ text: string; line: number }> {
  const out: Array<{ text: string; line: number }> = [];
  let cur: { text: string; line: number } | undefined;
  text.split('\n').forEach((raw, i) => {
    const t = raw.trim();
    if (!cur && (t === '' || t.startsWith('#'))) return;
    if (cur && t.startsWith('#')) return; // a comment inside a continued line
    const cont = t.endsWith('\\');
    const part = cont ? t.slice(0, -1).trim() : t;
    cur = cur ? { text: `${cur.text} ${part}`, line: cur.line } : { text: part, line: i + 1 };
    if (!cont) {
      out.push(cur);
      cur = undefined;
    }
  });
  return out;
}

export function parseDockerfile(text: string): Stage[] {
  const stages: Stage[] = [];
  for (const l of logicalLines(text)) {
    const m = /^(\w+)\s+(.*)$/.exec(l.text);
    if (!m) throw new Error(`Dockerfile line ${l.line}: cannot read ${JSON.stringify(l.text)}`);
    const op = m[1]!.toUpperCase();
    const rest = m[2]!;
    if (op === 'FROM') {
      const from = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(rest);
      if (!from) throw new Error(`Dockerfile line ${l.line}: cannot read FROM ${rest}`);
      stages.push({ base: from[1]!, name: from[2] ?? String(stages.length), steps: [] });
      continue;
    }
    if (!OPS.has(op)) throw new Error(`Dockerfile line ${l.line}: ${op} is not replayed by test/helpers/dockerfile.ts`);
    const stage = stages.at(-1);
    if (!stage) throw new Error(`Dockerfile line ${l.line}: ${op} before FROM`);
    stage.steps.push({ op: op as Instruction['op'], text: rest, line: l.line });
  }
  return stages;
}

export const readDockerfile = (path: string): Stage[] => parseDockerfile(readFileSync(path, 'utf8'));

/** COPY [--from=stage] src... dest */
export function copyArgs(text: string): { from?: string; sources: string[]; dest: string } {
  const words = text.split(/\s+/);
  let from: string | undefined;
  while (words[0]?.startsWith('--')) {
    const flag = words.shift()!;
    const m = /^--from=(.+)$/.exec(flag);
    if (!m) throw new Error(`COPY ${flag} is not replayed`);
    from = m[1];
  }
  const dest = words.pop();
  if (!dest || words.length === 0) throw new Error(`COPY ${text}: needs a source and a destination`);
  return { ...(from ? { from } : {}), sources: words, dest };
}

/** ENV k=v [k=v...] (values without spaces or quotes: what this Dockerfile uses). */
export function envArgs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const w of text.split(/\s+/)) {
    const m = /^(\w+)=(\S*)$/.exec(w);
    if (!m) throw new Error(`ENV ${text}: only k=v is replayed`);
    out[m[1]!] = m[2]!;
  }
  return out;
}

/** ENTRYPOINT / CMD in exec form (a JSON array). */
export function execForm(text: string): string[] {
  const argv = JSON.parse(text) as unknown;
  if (!Array.isArray(argv) || !argv.every((a) => typeof a === 'string')) throw new Error(`${text}: not the exec form`);
  return argv;
}
