// The Dockerfile's stages replayed without a container engine: each stage gets a directory standing for
// its filesystem root (a container path /app is STAGE_ROOT/app), COPY copies from the build context (minus
// .dockerignore) or from an earlier stage's directory, RUN runs its commands there with this machine's
// Node and npm, ENV and WORKDIR carry over. What a container engine would do and this cannot is said in
// `notes`: the base image's own files (here: Node itself, which is the Node running the test), apt-get
// (skipped), USER (run as the test's user) and EXPOSE (the test picks free ports).
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { promisify } from 'node:util';
import { copyArgs, envArgs, execForm, type Stage } from './dockerfile.ts';

const run = promisify(execFile);

export interface ReplayedStage {
  name: string;
  base: string;
  /** The directory standing for the stage's filesystem root. */
  root: string;
  /** The container path WORKDIR left. */
  workdir: string;
  env: Record<string, string>;
  entrypoint: string[];
  cmd: string[];
}

export interface ReplayOptions {
  /** The build context (the repository root). */
  context: string;
  /** A scratch directory; each stage gets DIR/NAME. */
  dir: string;
  /** Extra words for `npm ci` (e.g. --prefer-offline, to use the local npm cache). */
  npmCiFlags?: string[];
  /** What was not replayed, and each command run, as it happens. */
  note: (text: string) => void;
}

/** Container path to a path under the stage's root (relative paths are relative to WORKDIR). */
export const hostPath = (stage: Pick<ReplayedStage, 'root' | 'workdir'>, p: string) =>
  join(stage.root, p.startsWith('/') ? p : join(stage.workdir, p));

/** .dockerignore's lines, matched against a path relative to the context or any of its parent directories. */
function ignoredBy(context: string): (rel: string) => boolean {
  const file = join(context, '.dockerignore');
  const patterns = existsSync(file)
    ? readFileSync(file, 'utf8')
        .split('\n')
        .map((l) => l.trim().replace(/^\/|\/$/g, ''))
        .filter((l) => l && !l.startsWith('#'))
    : [];
  if (patterns.some((p) => /[*?![]/.test(p))) throw new Error(`.dockerignore: glob patterns are not replayed: ${patterns.join(', ')}`);
  return (rel) => patterns.some((p) => rel === p || rel.startsWith(`${p}/`));
}

function copy(stage: ReplayedStage, text: string, stages: Map<string, ReplayedStage>, context: string): void {
  const { from, sources, dest } = copyArgs(text);
  const ignored = ignoredBy(context);
  const source = from ? stages.get(from) : undefined;
  if (from && !source) throw new Error(`COPY --from=${from}: no earlier stage of that name`);
  const intoDir = dest.endsWith('/') || sources.length > 1;
  for (const s of sources) {
    const src = source ? hostPath(source, s) : join(context, s);
    if (!source && ignored(relative(context, src))) throw new Error(`COPY ${s}: excluded by .dockerignore`);
    const to = intoDir ? join(hostPath(stage, dest), s.split('/').at(-1)!) : hostPath(stage, dest);
    mkdirSync(dirname(to), { recursive: true });
    // a directory's contents go to dest, as with docker; symlinks (node_modules/.bin) are kept as they are
    cpSync(src, to, {
      recursive: true,
      verbatimSymlinks: true,
      filter: (p) => source !== undefined || !ignored(relative(context, p)),
    });
  }
}

async function runStep(stage: ReplayedStage, text: string, opts: ReplayOptions): Promise<void> {
  if (/\bapt-get\b/.test(text)) {
    opts.note(`${stage.name}: skipped (apt packages are not installed by the replay): RUN ${text}`);
    return;
  }
  // npm on the Node that runs this test (Node 24, as the image's base), none of a parent npm's settings
  const env: Record<string, string> = { PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}`, HOME: process.env.HOME ?? '/root' };
  Object.assign(env, stage.env);
  for (const part of text.split('&&').map((c) => c.trim())) {
    const words = part.split(/\s+/);
    if (words[0] === 'ln' && words[1] === '-s' && words.length === 4) {
      const link = hostPath(stage, words[3]!);
      mkdirSync(dirname(link), { recursive: true });
      symlinkSync(hostPath(stage, words[2]!), link);
      continue;
    }
    if (words[0] !== 'npm') throw new Error(`RUN ${part}: only npm and ln -s are replayed (test/helpers/image-replay.ts)`);
    const cmd = words[1] === 'ci' ? [...words, ...(opts.npmCiFlags ?? [])] : words;
    opts.note(`${stage.name}: ${cmd.join(' ')}`);
    const cwd = hostPath(stage, '.');
    await run('npm', cmd.slice(1), { cwd, env, maxBuffer: 64 << 20, timeout: 15 * 60_000 }).catch((e: Error & { stderr?: string }) => {
      throw new Error(`RUN ${part} failed: ${e.message}\n${e.stderr ?? ''}`);
    });
  }
}

/** Replays every stage in order; returns them by name (the last one is the image). */
export async function replayStages(stages: Stage[], opts: ReplayOptions): Promise<ReplayedStage[]> {
  const done = new Map<string, ReplayedStage>();
  for (const s of stages) {
    const stage: ReplayedStage = { name: s.name, base: s.base, root: join(opts.dir, s.name), workdir: '/', env: {}, entrypoint: [], cmd: [] };
    mkdirSync(stage.root, { recursive: true });
    for (const step of s.steps) {
      switch (step.op) {
        case 'WORKDIR':
          stage.workdir = step.text.startsWith('/') ? step.text : join(stage.workdir, step.text);
          mkdirSync(hostPath(stage, '.'), { recursive: true });
          break;
        case 'ENV':
          Object.assign(stage.env, envArgs(step.text));
          break;
        case 'COPY':
          copy(stage, step.text, done, opts.context);
          break;
        case 'RUN':
          await runStep(stage, step.text, opts);
          break;
        case 'ENTRYPOINT':
          stage.entrypoint = execForm(step.text);
          break;
        case 'CMD':
          stage.cmd = execForm(step.text);
          break;
        default:
          opts.note(`${stage.name}: not replayed: ${step.op} ${step.text}`);
      }
    }
    done.set(s.name, stage);
  }
  return [...done.values()];
}
