// Child processes of the e2e suite (etcd, kube-apiserver): output to a log file, a bounded stop, and a
// last-resort kill when the test process exits without calling stop() (a crash, a Ctrl-C).
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';

const running = new Set<ChildProcess>();
const cleanups = new Set<() => void>();
let exitHookInstalled = false;

const killAll = () => {
  for (const child of running) child.kill('SIGKILL');
  for (const fn of cleanups) {
    try {
      fn();
    } catch {
      // best effort: the process is going away
    }
  }
};

// 'exit' does not fire when the test process dies of a signal (kill, Ctrl-C): clean up then, and let the
// signal take its course unless someone else (mocha) handles it.
function onSignal(sig: NodeJS.Signals): void {
  killAll();
  for (const s of SIGNALS) process.removeListener(s, onSignal);
  if (process.listenerCount(sig) === 0) process.kill(process.pid, sig);
}
const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', killAll);
  for (const s of SIGNALS) process.on(s, onSignal);
}

/** A synchronous cleanup (removing a temp dir) for when the test process dies without its after() hooks; returns the unregister function. */
export function atProcessDeath(fn: () => void): () => void {
  installExitHook();
  cleanups.add(fn);
  return () => cleanups.delete(fn);
}

export interface ManagedProcess {
  readonly name: string;
  readonly logPath: string;
  readonly pid: number | undefined;
  /** Exit code or signal once it has exited, else undefined. */
  exited(): string | undefined;
  /** The last lines of its log, for error messages. */
  logTail(lines?: number): string;
  /** Sends a signal (SIGSTOP freezes it, SIGCONT resumes it). */
  signal(sig: NodeJS.Signals): void;
  /** SIGTERM, then SIGKILL after graceMs; resolves when it has exited. */
  stop(graceMs?: number): Promise<void>;
}

export function startProcess(name: string, command: string, args: string[], logPath: string): ManagedProcess {
  installExitHook();
  const log = openSync(logPath, 'a');
  const child = spawn(command, args, { stdio: ['ignore', log, log] });
  closeSync(log); // the child holds its own descriptor
  running.add(child);
  let exit: string | undefined;
  // Resolves on exit, or on a spawn error (a missing binary), after which no 'exit' comes.
  const exitedP = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exit = signal ? `signal ${signal}` : `code ${code}`;
      running.delete(child);
      resolve();
    });
    child.once('error', (e) => {
      exit ??= `spawn error: ${e.message}`;
      running.delete(child);
      resolve();
    });
  });

  return {
    name,
    logPath,
    pid: child.pid,
    exited: () => exit,
    logTail(lines = 30) {
      try {
        return readFileSync(logPath, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
      } catch {
        return '(no log)';
      }
    },
    signal(sig) {
      if (exit === undefined) child.kill(sig);
    },
    async stop(graceMs = 15_000) {
      if (exit !== undefined || child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGCONT'); // a frozen (SIGSTOPped) process would not act on SIGTERM
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      try {
        await exitedP;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
