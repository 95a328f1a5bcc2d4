// istiod's own injector, as a child process (test/oracle/*.go, built by scripts/build-oracle.sh): renders
// Istio's chart settings with Istio's renderer and answers AdmissionReviews with istiod's webhook handler.
import { type ChildProcessWithoutNullStreams, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const SCRIPT = join(import.meta.dirname, '..', '..', 'scripts', 'build-oracle.sh');

/** The oracle's directory (binary + Istio's charts), built or taken from the cache. */
export function oracleDir(): string {
  if (process.env.ORACLE_DIR) return process.env.ORACLE_DIR;
  if (builtDir === undefined) {
    const out = execFileSync(SCRIPT, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 60 * 60_000 });
    builtDir = out.trim().split('\n').at(-1) ?? '';
  }
  return builtDir;
}
let builtDir: string | undefined;

/** The ConfigMap data a real install has (`istio-sidecar-injector` config/values, `istio` mesh). */
export interface RenderedSettings {
  dir: string;
  config: string;
  values: string;
  mesh: string;
}

/** Renders Istio's default profile with istioctl-style `--set`s (values.…, meshConfig.…, revision=…). */
export function renderIstioSettings(oracle: string, sets: string[]): RenderedSettings {
  const dir = mkdtempSync(join(tmpdir(), 'oracle-settings-'));
  const args = ['render', '--manifests', join(oracle, 'manifests'), '--out', dir, ...sets.flatMap((s) => ['--set', s])];
  execFileSync(join(oracle, 'oracle'), args, { stdio: ['ignore', 'ignore', 'pipe'], timeout: 120_000 });
  const read = (name: string) => readFileSync(join(dir, name), 'utf8');
  return { dir, config: read('config'), values: read('values'), mesh: read('mesh') };
}

export interface IstiodAnswer {
  status: number;
  /** The HTTP body: an AdmissionReview (JSON) when status is 200, else istiod's error text. */
  body: string;
}

export interface IstiodOptions {
  native: 'true' | 'false' | 'auto';
  revision?: string;
  /** ProxyConfig resources as [{name, namespace, spec}]. */
  proxyConfigs?: string;
  /** Nodes as name=kubeletVersion for native `auto`. */
  nodes?: Record<string, string>;
  /** More environment for istiod (features it reads from its env, e.g. COMPLIANCE_POLICY). */
  env?: Record<string, string>;
}

/** One istiod webhook handler, fed one JSON line per review; answers come back in order. */
export class IstiodInjector {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly waiting: Array<{ resolve: (a: IstiodAnswer) => void; reject: (e: Error) => void }> = [];
  private stderr = '';

  constructor(oracle: string, settingsDir: string, opts: IstiodOptions) {
    const args = ['serve', '--dir', settingsDir, '--revision', opts.revision ?? ''];
    if (opts.proxyConfigs) args.push('--proxy-configs', opts.proxyConfigs);
    if (opts.nodes)
      args.push(
        '--nodes',
        Object.entries(opts.nodes)
          .map(([n, v]) => `${n}=${v}`)
          .join(','),
      );
    this.child = spawn(join(oracle, 'oracle'), args, { env: { ...process.env, ...opts.env, ENABLE_NATIVE_SIDECARS: opts.native } });
    this.child.stderr.on('data', (d: Buffer) => {
      this.stderr = (this.stderr + d.toString()).slice(-4000);
    });
    createInterface({ input: this.child.stdout }).on('line', (line) => this.waiting.shift()?.resolve(JSON.parse(line)));
    this.child.on('exit', (code) => {
      for (const w of this.waiting.splice(0)) w.reject(new Error(`istiod oracle exited (${code}): ${this.stderr}`));
    });
  }

  inject(path: string, review: unknown): Promise<IstiodAnswer> {
    return this.ask({ path, review });
  }

  /** The pod as the API server would store it: through Kubernetes' Go types and back to JSON. */
  async canonical(pod: unknown): Promise<unknown> {
    const answer = await this.ask({ canonical: pod });
    if (answer.status !== 200) throw new Error(`not a Pod to Kubernetes' Go types: ${answer.body}`);
    return JSON.parse(answer.body);
  }

  private ask(line: unknown): Promise<IstiodAnswer> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.child.stdin.write(`${JSON.stringify(line)}\n`);
    });
  }

  close(): void {
    this.child.stdin.end();
    this.child.kill();
  }
}
