// A real Kubernetes control plane for the e2e suite: etcd and kube-apiserver on 127.0.0.1 (free ports, a
// temp dir), token auth, RBAC, the ServiceAccount admission plugin on. No controllers or kubelet run, so
// pods stay Pending and namespaces never finish deleting (see test/e2e/k8s-bins/README.md).
import { execFile } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { apiCall, createNamespace, type ApiTarget } from './api.ts';
import { createTestCA, issueServerCert, type TestCA } from './certs.ts';
import { freePorts } from './ports.ts';
import { atProcessDeath, startProcess, type ManagedProcess } from './process.ts';
import { waitFor } from './wait.ts';

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface KubectlOptions {
  /** Another kubeconfig, e.g. injectorUser.kubeconfigPath; defaults to the admin's. */
  kubeconfig?: string;
  stdin?: string;
  timeoutMs?: number;
}

export interface TestUser {
  name: string;
  token: string;
  /** A kubeconfig whose current context is this user. */
  kubeconfigPath: string;
}

export interface ControlPlane extends ApiTarget {
  /** https://127.0.0.1:PORT */
  server: string;
  /** Bearer token of `e2e-admin` (group system:masters). */
  token: string;
  /** Kubeconfig with contexts e2e-admin (current) and e2e-injector. */
  kubeconfigPath: string;
  /** The test CA's certificate: it signed the apiserver's cert; sign more with issueServerCert(ca, hosts). */
  caPem: string;
  ca: TestCA;
  /** Directory holding kube-apiserver, etcd and kubectl. */
  binDir: string;
  /** Temp dir with certs, tokens, kubeconfigs, logs (etcd.log, kube-apiserver.log); removed by stop(). */
  dir: string;
  /** A token user in no groups (only system:authenticated), for RBAC checks. */
  injectorUser: TestUser;
  /** Runs the built kubectl with the admin kubeconfig (or opts.kubeconfig). */
  kubectl(args: string[], opts?: KubectlOptions): Promise<KubectlResult>;
  createNamespace(name: string, labels?: Record<string, string>): Promise<void>;
  /**
   * Stops only kube-apiserver (etcd keeps the data); startApiServer() brings it back on the same port.
   * SIGTERM, then SIGKILL after graceMs (default 5 s): with watches open it would otherwise wait for them to end.
   */
  stopApiServer(opts?: { graceMs?: number }): Promise<void>;
  startApiServer(): Promise<void>;
  /** Freezes kube-apiserver (SIGSTOP): connections stay open and nothing answers, like a half-open network. */
  pauseApiServer(): void;
  /** Resumes it (SIGCONT). */
  resumeApiServer(): void;
  /** Stops everything and removes the temp dir; safe to call twice or after a failed start. */
  stop(): Promise<void>;
}

export interface ControlPlaneOptions {
  /** Bound on waiting for /readyz, per start (default 90 s). */
  readyTimeoutMs?: number;
  /** Keep the temp dir after stop() (also with E2E_KEEP_DIR=1), to read the logs. */
  keepDir?: boolean;
  /** More kube-apiserver flags, e.g. ['--watch-cache=false', '--etcd-compaction-interval=1s'] to provoke 410 Gone. */
  extraApiServerArgs?: string[];
}

const REPO_ROOT = join(import.meta.dirname, '..', '..', '..');
const BUILD_TIMEOUT_MS = 15 * 60_000; // a cold build is ~5 min; cached it is instant

let binDirPromise: Promise<string> | undefined;

/** Runs scripts/build-control-plane.sh once per process; its last stdout line is the binaries' directory. */
export function controlPlaneBinDir(): Promise<string> {
  binDirPromise ??= new Promise((resolve, reject) => {
    execFile(join(REPO_ROOT, 'scripts', 'build-control-plane.sh'), { timeout: BUILD_TIMEOUT_MS, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      const dir = stdout.trim().split('\n').pop()?.trim();
      if (err || !dir) return reject(new Error(`scripts/build-control-plane.sh failed: ${err?.message ?? 'no output'}\n${stderr.slice(-2000)}`));
      resolve(dir);
    });
  });
  return binDirPromise;
}

function runKubectl(binDir: string, kubeconfig: string, cacheDir: string, args: string[], opts: KubectlOptions): Promise<KubectlResult> {
  return new Promise((resolve) => {
    const child = execFile(
      join(binDir, 'kubectl'),
      ['--kubeconfig', opts.kubeconfig ?? kubeconfig, '--cache-dir', cacheDir, ...args],
      { timeout: opts.timeoutMs ?? 30_000, maxBuffer: 16 << 20 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout, stderr: err?.killed ? `${stderr}\nkubectl killed after ${opts.timeoutMs ?? 30_000} ms` : stderr });
      },
    );
    if (opts.stdin !== undefined) child.stdin?.end(opts.stdin);
    else child.stdin?.end();
  });
}

function kubeconfigJson(server: string, caPem: string, users: Array<{ name: string; token: string }>, current: string): string {
  return JSON.stringify(
    {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'e2e', cluster: { server, 'certificate-authority-data': Buffer.from(caPem).toString('base64') } }],
      users: users.map((u) => ({ name: u.name, user: { token: u.token } })),
      contexts: users.map((u) => ({ name: u.name, context: { cluster: 'e2e', user: u.name } })),
      'current-context': current,
    },
    null,
    2,
  );
}

export async function startControlPlane(opts: ControlPlaneOptions = {}): Promise<ControlPlane> {
  const binDir = await controlPlaneBinDir();
  const dir = mkdtempSync(join(tmpdir(), 'sidecar-injector-e2e-'));
  const keepDir = opts.keepDir ?? process.env.E2E_KEEP_DIR === '1';
  const readyTimeoutMs = opts.readyTimeoutMs ?? 90_000;
  let etcd: ManagedProcess | undefined;
  let apiserver: ManagedProcess | undefined;
  let stopped = false;
  const removeDir = () => {
    if (!keepDir) rmSync(dir, { recursive: true, force: true });
  };
  const unregister = atProcessDeath(removeDir); // etcd's data is ~100 MB: do not leave it behind on a kill

  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await apiserver?.stop(5000);
    await etcd?.stop();
    removeDir();
    unregister();
  };

  try {
    const [etcdPort, peerPort, apiPort] = (await freePorts(3)) as [number, number, number];
    const server = `https://127.0.0.1:${apiPort}`;
    const ca = await createTestCA();
    const serving = await issueServerCert(ca, ['127.0.0.1', 'localhost']);
    const sa = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const token = randomBytes(16).toString('hex');
    const injectorToken = randomBytes(16).toString('hex');
    const file = (name: string, content: string) => {
      const p = join(dir, name);
      writeFileSync(p, content, { mode: 0o600 });
      return p;
    };
    file('ca.crt', ca.certPem);
    const certFile = file('apiserver.crt', serving.certPem);
    const keyFile = file('apiserver.key', serving.keyPem);
    // The service-account key pair: the apiserver signs tokens with the private key, verifies with the public one.
    const saKeyFile = file('sa.key', sa.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string);
    const saPubFile = file('sa.pub', sa.publicKey.export({ type: 'spki', format: 'pem' }) as string);
    // token,user,uid,"groups": the admin bypasses RBAC; e2e-injector has no groups of its own.
    const tokensFile = file('tokens.csv', `${token},e2e-admin,e2e-admin,"system:masters"\n${injectorToken},e2e-injector,e2e-injector\n`);
    const admin = { name: 'e2e-admin', token };
    const injector = { name: 'e2e-injector', token: injectorToken };
    const kubeconfigPath = file('kubeconfig', kubeconfigJson(server, ca.certPem, [admin, injector], admin.name));
    const injectorKubeconfig = file('kubeconfig-injector', kubeconfigJson(server, ca.certPem, [injector], injector.name));
    const kubectlCache = join(dir, 'kubectl-cache');
    mkdirSync(kubectlCache);

    etcd = startProcess(
      'etcd',
      join(binDir, 'etcd'),
      [
        '--name=default',
        `--data-dir=${join(dir, 'etcd')}`,
        `--listen-client-urls=http://127.0.0.1:${etcdPort}`,
        `--advertise-client-urls=http://127.0.0.1:${etcdPort}`,
        `--listen-peer-urls=http://127.0.0.1:${peerPort}`,
        `--initial-advertise-peer-urls=http://127.0.0.1:${peerPort}`,
        `--initial-cluster=default=http://127.0.0.1:${peerPort}`,
        '--unsafe-no-fsync=true',
        '--log-level=warn',
      ],
      join(dir, 'etcd.log'),
    );
    const etcdProc = etcd;
    await waitFor(
      async () => {
        const res = await fetch(`http://127.0.0.1:${etcdPort}/health`, { signal: AbortSignal.timeout(2000) });
        return (await res.text()).includes('"health":"true"');
      },
      {
        what: 'etcd /health',
        timeoutMs: 30_000,
        intervalMs: 200,
        abortIf: () => etcdProc.exited() && `etcd exited (${etcdProc.exited()}):\n${etcdProc.logTail()}`,
      },
    );

    const apiArgs = [
      `--etcd-servers=http://127.0.0.1:${etcdPort}`,
      '--bind-address=127.0.0.1',
      `--secure-port=${apiPort}`,
      '--advertise-address=127.0.0.1',
      '--endpoint-reconciler-type=none',
      `--tls-cert-file=${certFile}`,
      `--tls-private-key-file=${keyFile}`,
      '--service-cluster-ip-range=10.0.0.0/24',
      `--service-account-issuer=${server}`,
      `--service-account-key-file=${saPubFile}`,
      `--service-account-signing-key-file=${saKeyFile}`,
      '--authorization-mode=RBAC',
      `--token-auth-file=${tokensFile}`,
      '--allow-privileged=true',
      ...(opts.extraApiServerArgs ?? []),
    ];
    const target: ApiTarget = { server, token, caPem: ca.certPem };

    const startApiServer = async () => {
      if (apiserver && apiserver.exited() === undefined) throw new Error('kube-apiserver is already running');
      const proc = startProcess('kube-apiserver', join(binDir, 'kube-apiserver'), apiArgs, join(dir, 'kube-apiserver.log'));
      apiserver = proc;
      await waitFor(async () => (await apiCall<string>(target, 'GET', '/readyz', undefined, { timeoutMs: 3000 })) === 'ok', {
        what: `kube-apiserver ${server}/readyz`,
        timeoutMs: readyTimeoutMs,
        intervalMs: 250,
        abortIf: () => proc.exited() && `kube-apiserver exited (${proc.exited()}):\n${proc.logTail()}`,
      });
    };
    await startApiServer();

    return {
      ...target,
      kubeconfigPath,
      ca,
      binDir,
      dir,
      injectorUser: { ...injector, kubeconfigPath: injectorKubeconfig },
      kubectl: (args, o = {}) => runKubectl(binDir, kubeconfigPath, kubectlCache, args, o),
      createNamespace: (name, labels) => createNamespace(target, name, labels),
      stopApiServer: async (o = {}) => {
        await apiserver?.stop(o.graceMs ?? 5000);
      },
      startApiServer,
      pauseApiServer: () => apiserver?.signal('SIGSTOP'),
      resumeApiServer: () => apiserver?.signal('SIGCONT'),
      stop,
    };
  } catch (e) {
    await stop().catch(() => undefined);
    throw e;
  }
}
