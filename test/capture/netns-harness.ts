// Plumbing for netns.test.ts: network namespaces and veth pairs of the test's own, TCP agents inside them,
// and the real CLI run inside the "pod" namespace. Everything is bounded in time; teardown never throws.
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export const REPO = join(import.meta.dirname, '..', '..');
const AGENT = join(import.meta.dirname, 'fixtures', 'tcp-agent.mjs');
const COMMAND_TIMEOUT_MS = 60_000;
const AGENT_START_MS = 10_000;
const PROBE_MS = 8_000;
/** An agent ends itself after this long, whatever happens to the test run. */
const AGENT_LIFETIME_S = 600;

// Safety net for a run that dies before after(): no agent or namespace of ours outlives the process.
const live = { agents: new Set<ChildProcessWithoutNullStreams>(), namespaces: new Set<string>() };
process.on('exit', () => {
  for (const c of live.agents) if (c.exitCode === null) c.kill('SIGKILL');
  for (const ns of live.namespaces) spawnSync('ip', ['netns', 'del', ns], { timeout: 5000 });
});

export interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion (bounded), never throwing. */
export function sh(argv: readonly string[], opts: { input?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Result> {
  return new Promise((resolve) => {
    const child = spawn(argv[0] as string, argv.slice(1), { cwd: REPO, env: opts.env ?? process.env });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), COMMAND_TIMEOUT_MS);
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ code: null, stdout, stderr: stderr || e.message });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.on('error', () => {
      /* it may exit without reading; its exit code tells */
    });
    child.stdin.end(opts.input ?? '');
  });
}

/** Like `sh`, but a failure is an error naming the command. */
export async function must(argv: readonly string[], opts: { input?: string } = {}): Promise<string> {
  const r = await sh(argv, opts);
  if (r.code !== 0) throw new Error(`${argv.join(' ')} failed (${r.code}): ${r.stderr.trim()}`);
  return r.stdout;
}

/** Why the namespace tests cannot run here, or undefined when they can. */
export function cannotRun(backends: readonly string[]): string | undefined {
  if (process.platform !== 'linux') return `they need Linux network namespaces (this is ${process.platform})`;
  if (process.getuid?.() !== 0) return 'they need root (uid 0) to create network namespaces: run `sudo npx mocha test/capture`';
  const tools = ['ip', ...backends.flatMap((b) => [`iptables-${b}-save`, `iptables-${b}-restore`, `ip6tables-${b}-save`, `ip6tables-${b}-restore`])];
  const missing = tools.filter(
    (t) => spawnSync('sh', ['-c', `command -v ${t}`], { env: { ...process.env, PATH: `${process.env.PATH}:/usr/sbin:/sbin` } }).status !== 0,
  );
  if (missing.length > 0) return `${missing.join(', ')} not installed (apt-get install -y iptables iproute2)`;
  return undefined;
}

export interface Probe {
  label?: string;
  local?: string;
  error?: string;
}

/** A tcp-agent.mjs process inside a namespace: listeners, and a client that connects where it is told. */
export class Agent {
  private next = 0;
  private readonly waiting = new Map<number, (p: Probe) => void>();
  private onReady: (() => void) | undefined;
  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    readonly name: string,
  ) {
    createInterface({ input: child.stdout }).on('line', (line) => {
      const msg = JSON.parse(line) as { id?: number; ready?: boolean; reply?: string; error?: string };
      if (msg.ready) this.onReady?.();
      if (msg.id === undefined) return;
      const [label, local] = (msg.reply ?? '').split('@');
      this.waiting.get(msg.id)?.(msg.error !== undefined ? { error: msg.error } : { label: label as string, local: local as string });
      this.waiting.delete(msg.id);
    });
  }

  static start(ns: string, name: string, args: string[]): Promise<Agent> {
    const child = spawn('ip', ['netns', 'exec', ns, process.execPath, AGENT, '--max-seconds', String(AGENT_LIFETIME_S), ...args], { cwd: REPO });
    live.agents.add(child);
    child.once('exit', () => live.agents.delete(child));
    child.stdin.on('error', () => {
      /* a dead agent shows as unanswered probes */
    });
    const agent = new Agent(child, name);
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        agent.stop();
        reject(new Error(`agent ${name} did not start: ${stderr}`));
      }, AGENT_START_MS);
      agent.onReady = () => {
        clearTimeout(timer);
        resolve(agent);
      };
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`agent ${name} exited (${code}): ${stderr}`));
      });
    });
  }

  /** Connects to host:port from inside the agent's namespace, as the agent's user. */
  connect(host: string, port: number): Promise<Probe> {
    const id = this.next++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        resolve({ error: `no answer from agent ${this.name}` });
      }, PROBE_MS);
      this.waiting.set(id, (p) => {
        clearTimeout(timer);
        resolve(p);
      });
      this.child.stdin.write(`${JSON.stringify({ id, host, port })}\n`);
    });
  }

  /** Where a connection to host:port lands: the label of the listener that answered, or the error. */
  async landsOn(host: string, port: number): Promise<string> {
    const p = await this.connect(host, port);
    return p.error !== undefined ? `error:${p.error}` : `${p.label}@${p.local}`;
  }

  stop(): void {
    if (this.child.exitCode === null && this.child.pid !== undefined) this.child.kill('SIGKILL');
  }
}

/** A "pod" and a "peer" namespace joined by two veth pairs, each on its own /30. */
export class Topology {
  readonly id = randomBytes(3).toString('hex');
  readonly pod = `si-test-${this.id}-pod`;
  readonly peer = `si-test-${this.id}-peer`;
  // 10.250.<n>.0/30 and 10.250.<n>.4/30: addresses exist only inside these two namespaces.
  private readonly n = parseInt(this.id.slice(0, 2), 16);
  readonly podIP = `10.250.${this.n}.1`;
  readonly peerIP = `10.250.${this.n}.2`;
  readonly pod2IP = `10.250.${this.n}.5`;
  readonly peer2IP = `10.250.${this.n}.6`;
  readonly net2 = `10.250.${this.n}.4/30`;
  readonly net1 = `10.250.${this.n}.0/30`;
  // IPv6 on the first pair (unique local addresses), when the kernel has IPv6.
  readonly podIP6 = `fd00:250:${(this.n + 1).toString(16)}::1`; // never a 0 group: addresses are compared as printed, in canonical form
  readonly peerIP6 = `fd00:250:${(this.n + 1).toString(16)}::2`;
  ipv6 = false;
  private created: string[] = [];

  async create(): Promise<void> {
    for (const ns of [this.pod, this.peer]) {
      await must(['ip', 'netns', 'add', ns]);
      this.created.push(ns);
      live.namespaces.add(ns);
      // A new namespace's loopback is down; REDIRECT in OUTPUT sends to 127.0.0.1, so it must be up.
      await must(['ip', '-n', ns, 'link', 'set', 'lo', 'up']);
    }
    const pairs: Array<[string, string, string]> = [
      ['veth0', this.podIP, this.peerIP],
      ['veth1', this.pod2IP, this.peer2IP],
    ];
    for (const [dev, podIP, peerIP] of pairs) {
      // Created inside the pod namespace with the peer end moved straight into the peer namespace:
      // nothing ever appears in the host's namespace.
      await must(['ip', '-n', this.pod, 'link', 'add', dev, 'type', 'veth', 'peer', 'name', dev, 'netns', this.peer]);
      await must(['ip', '-n', this.pod, 'addr', 'add', `${podIP}/30`, 'dev', dev]);
      await must(['ip', '-n', this.peer, 'addr', 'add', `${peerIP}/30`, 'dev', dev]);
      await must(['ip', '-n', this.pod, 'link', 'set', dev, 'up']);
      await must(['ip', '-n', this.peer, 'link', 'set', dev, 'up']);
    }
    // nodad: usable at once, no duplicate-address detection wait.
    const a = await sh(['ip', '-n', this.pod, '-6', 'addr', 'add', `${this.podIP6}/126`, 'dev', 'veth0', 'nodad']);
    const b = await sh(['ip', '-n', this.peer, '-6', 'addr', 'add', `${this.peerIP6}/126`, 'dev', 'veth0', 'nodad']);
    this.ipv6 = a.code === 0 && b.code === 0;
  }

  /** Deletes the namespaces (and with them the veth pairs); never throws. */
  async destroy(): Promise<void> {
    for (const ns of this.created) {
      await sh(['ip', 'netns', 'del', ns]);
      live.namespaces.delete(ns);
    }
    this.created = [];
  }

  /** `sidecar-injector iptables …` run for real inside the pod namespace. */
  cli(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<Result> {
    return sh(['ip', 'netns', 'exec', this.pod, process.execPath, '--import', 'tsx', join(REPO, 'src', 'cli', 'main.ts'), 'iptables', ...args], {
      env: { ...process.env, ...env },
    });
  }

  /**
   * The same, with /run read-only (a private mount namespace with an empty read-only tmpfs on /run), as
   * in a container with readOnlyRootFilesystem: legacy iptables cannot create /run/xtables.lock there.
   */
  cliReadOnlyRun(args: readonly string[]): Promise<Result> {
    const cli = [process.execPath, '--import', 'tsx', join(REPO, 'src', 'cli', 'main.ts'), 'iptables', ...args];
    return sh([
      'ip',
      'netns',
      'exec',
      this.pod,
      'unshare',
      '--mount',
      '--propagation',
      'private',
      'sh',
      '-c',
      'mount -t tmpfs -o ro tmpfs /run && exec "$@"',
      'sh',
      ...cli,
    ]);
  }

  /** The pod namespace's tables as `<backend>-save` prints them, without the timestamped comments. */
  async save(backend: string, family: 4 | 6 = 4): Promise<string> {
    const out = await must(['ip', 'netns', 'exec', this.pod, `${family === 4 ? 'iptables' : 'ip6tables'}-${backend}-save`]);
    // Legacy prints packet counters on chain policies (`:INPUT ACCEPT [112:6324]`); they count traffic, not rules.
    return out
      .split('\n')
      .filter((l) => !l.startsWith('#'))
      .map((l) => l.replace(/\[[0-9]+:[0-9]+\]$/, '[0:0]'))
      .join('\n');
  }
}
