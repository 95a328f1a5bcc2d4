// Istio's ConfigMap data as istiod has it (`istio-sidecar-injector` config and values, `istio` mesh), rendered
// from Istio's chart by the oracle (test/oracle, scripts/build-oracle.sh). Unit tests take the cached build
// only, never start one (an hour without a cache): without it they skip, saying why.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';

export interface IstioChartData {
  config: string;
  values: string;
  mesh: string;
}

/** The newest cached oracle build (ORACLE_DIR, else ~/.cache/sidecar-injector/oracle/<key>), if any. */
export function cachedOracleDir(): string | undefined {
  if (process.env.ORACLE_DIR) return existsSync(join(process.env.ORACLE_DIR, 'oracle')) ? process.env.ORACLE_DIR : undefined;
  const root = join(homedir(), '.cache', 'sidecar-injector', 'oracle');
  if (!existsSync(root)) return undefined;
  const builds = readdirSync(root)
    .map((d) => join(root, d))
    .filter((d) => existsSync(join(d, 'oracle')) && existsSync(join(d, 'manifests')))
    .sort((a, b) => statSync(join(b, 'oracle')).mtimeMs - statSync(join(a, 'oracle')).mtimeMs);
  return builds[0];
}

let rendered: IstioChartData | undefined;

/** Istio's default profile, rendered once per test process; undefined without a cached oracle build. */
export function istioChartData(): IstioChartData | undefined {
  if (rendered) return rendered;
  const oracle = cachedOracleDir();
  if (!oracle) return undefined;
  const out = mkdtempSync(join(tmpdir(), 'istio-chart-'));
  execFileSync(join(oracle, 'oracle'), ['render', '--manifests', join(oracle, 'manifests'), '--out', out], { stdio: 'ignore', timeout: 120_000 });
  const read = (f: string) => readFileSync(join(out, f), 'utf8');
  rendered = { config: read('config'), values: read('values'), mesh: read('mesh') };
  return rendered;
}

/** Mocha's `this.skip()` with the reason, for a suite that needs the chart data. */
export function chartDataOrSkip(ctx: Mocha.Context): IstioChartData {
  const data = istioChartData();
  if (!data) {
    console.log('    (skipped: no cached oracle build; run scripts/build-oracle.sh)');
    ctx.skip();
  }
  return data!;
}

/** The two ConfigMaps as `kubectl get cm -o yaml` prints them. */
export function istioConfigMaps(data: IstioChartData, namespace = 'istio-system', revision = ''): { injector: object; mesh: object } {
  const suffix = revision ? `-${revision}` : '';
  const meta = (name: string) => ({
    name,
    namespace,
    resourceVersion: '1234',
    uid: '0f6c2b1e-4e0a-4a57-9d9b-1f2d3c4b5a6e',
    creationTimestamp: '2026-11-30T12:00:00Z',
    labels: { 'istio.io/rev': revision || 'default', release: 'istiod' },
  });
  return {
    injector: {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: meta(`istio-sidecar-injector${suffix}`),
      data: { config: data.config, values: data.values },
    },
    mesh: { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta(`istio${suffix}`), data: { mesh: data.mesh, meshNetworks: 'networks: {}' } },
  };
}
