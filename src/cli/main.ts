// The command line: `sidecar-injector <command> [flags]`. Each command is a function of (argv, io).
import { readFileSync } from 'node:fs';
import { clip } from '../core/clip.ts';
import { isInjectionError } from '../core/errors.ts';
import { SUMMARIES } from './commands.ts';
import { explainCommand } from './explain-command.ts';
import { injectCommand } from './inject-command.ts';
import { isCliFailure, isUsageError, processIO, UsageError, type CliIO } from './io.ts';

export { processIO };

const USAGE = `usage: sidecar-injector <command> [flags]

commands:
${SUMMARIES.map(([name, summary]) => `  ${name.padEnd(14)}${summary}`).join('\n')}

See 'sidecar-injector <command> --help' for a command's flags. --version prints the version.
`;

/** package.json's version (next to src/ or dist/). */
function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return `sidecar-injector ${pkg.version}\n`;
}

type Command = (argv: string[], io: CliIO) => number | Promise<number>;

// Commands beyond inject/explain are loaded on first use, so `inject` does not pay for the server's or the
// Kubernetes client's modules. The specifiers are literal, so tools follow them and the compiler checks
// each `run` and rewrites `.ts` to `.js` in the build (rewriteRelativeImportExtensions).
const onFirstUse = (name: string, load: () => Promise<{ run: Command }>) => async (): Promise<Command> => {
  try {
    return (await load()).run;
  } catch (e) {
    // the command's own module missing (a build without it), not one it imports
    const { code, url } = e as { code?: string; url?: string };
    if (code === 'ERR_MODULE_NOT_FOUND' && /\/([a-z-]+)-command\.[jt]s$/.exec(url ?? '')?.[1] === name)
      throw new UsageError(`command "${name}" is not part of this build`);
    throw e;
  }
};

const COMMANDS: Record<string, () => Promise<Command>> = {
  inject: async () => injectCommand,
  explain: async () => explainCommand,
  serve: onFirstUse('serve', () => import('./serve-command.ts')),
  namespace: onFirstUse('namespace', () => import('./namespace-command.ts')),
  tag: onFirstUse('tag', () => import('./tag-command.ts')),
  iptables: onFirstUse('iptables', () => import('./iptables-command.ts')),
  'check-inject': onFirstUse('check-inject', () => import('./check-inject-command.ts')),
  'kube-inject': onFirstUse('kube-inject', () => import('./kube-inject-command.ts')),
};

export async function runCli(argv: string[], io: CliIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    if (name === undefined) io.stderr(USAGE);
    else io.stdout(USAGE);
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === 'version') {
    io.stdout(version());
    return 0;
  }
  const load = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!load) {
    io.stderr(`error: unknown command "${name}" (see: sidecar-injector --help)\n`);
    return 2;
  }
  try {
    const cmd = await load();
    return await cmd(rest, io);
  } catch (e) {
    if (isUsageError(e) || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.stderr(`error: ${(e as Error).message}\n`);
      return 2;
    }
    if (isCliFailure(e)) {
      io.stderr(`error: ${(e as Error).message}\n`);
      return 1;
    }
    if (isInjectionError(e)) {
      io.stderr(`error: ${e.message} [${e.code}]\n`);
      return 1;
    }
    // anything else (a file that is missing, a port in use): one line, not a stack trace; the trace is
    // there for whoever asks for it
    io.stderr(`error: ${clip(String((e as Error)?.message ?? e).split('\n')[0]!, 400)}\n`);
    if (process.env.SIDECAR_INJECTOR_DEBUG) io.stderr(`${(e as Error)?.stack ?? ''}\n`);
    return 1;
  }
}

const isMain = process.argv[1] !== undefined && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isMain) {
  runCli(process.argv.slice(2), processIO()).then((code) => {
    process.exitCode = code;
  });
}
