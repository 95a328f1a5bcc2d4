// The command line: `sidecar-injector <command> [flags]`. Each command is a function of (argv, io).
import { clip } from '../core/clip.ts';
import { isInjectionError } from '../core/errors.ts';
import { explainCommand } from './explain-command.ts';
import { injectCommand } from './inject-command.ts';
import { processIO, UsageError, type CliIO } from './io.ts';

export { processIO };

const USAGE = `usage: sidecar-injector <command> [flags]

commands:
  inject   -f FILE|- [--config F] [--values F] [--mesh F] [--set k=v]... [--native-sidecars true|false|auto] [--proxy-configs F] [-o yaml|json]
           inject the sidecar into Pods and workloads (like istioctl kube-inject)
  explain  -f FILE|- [--namespace-labels k=v,...] [-n NAMESPACE] [--webhook-config FILE | --kubeconfig F] [-o text|json] [settings flags]
           say for each object whether it would be injected, why, and which webhook entry the API server would call
  serve    [--revision R] [--webhook-config NAME] [--config-dir D] [--config F] [--values F] [--mesh F] [--cert-dir D | --cert-secret NAME [--namespace NS] [--service SVC] [--cert-lifetime S] [--cert-host H]...] [--host H] [--port 9443] [--preview-port 9444] [--ops-port 8080] [--kubeconfig F | --no-cluster] [--proxy-configs F]
           the webhook (HTTPS /inject; HTTPS /preview on its own port; HTTP /healthz, /readyz, /metrics)
  namespace enable|disable NAME [--revision R] | status [NAME] [--kubeconfig F] [-o text|json]
           opt namespaces in or out (or onto a revision or tag), and report pods that still need the sidecar
  tag      set TAG --revision R [--overwrite] [--dry-run] | list [-o text|json] | remove TAG [--force] [--kubeconfig F]
           revision tags, as istioctl tag makes them
  iptables [istio-iptables flags] [--dry-run] [--cleanup-only]
           set up (or show) the pod's traffic capture, as istio-iptables does
`;

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
    if (code === 'ERR_MODULE_NOT_FOUND' && /\/([a-z]+)-command\.[jt]s$/.exec(url ?? '')?.[1] === name)
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
};

export async function runCli(argv: string[], io: CliIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    io.stdout(USAGE);
    return name === undefined ? 2 : 0;
  }
  const load = COMMANDS[name];
  if (!load) {
    io.stderr(`error: unknown command "${name}"\n${USAGE}`);
    return 2;
  }
  try {
    const cmd = await load();
    return await cmd(rest, io);
  } catch (e) {
    if (e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.stderr(`error: ${(e as Error).message}\n`);
      return 2;
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
