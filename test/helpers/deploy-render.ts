// deploy/ rendered as a user installs it: `kubectl kustomize` (what `kubectl apply -k` sends) and `helm
// template` of deploy/helm/sidecar-injector (what `helm install` sends), with the real binaries built from
// Go modules (scripts/build-control-plane.sh, scripts/build-helm.sh) and cached in ~/.cache.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

export const REPO_ROOT = join(import.meta.dirname, '..', '..');
export const CHART_DIR = join(REPO_ROOT, 'deploy', 'helm', 'sidecar-injector');

export type Obj = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [k: string]: any;
};

const cached = (dir: string, bin: string) => {
  const root = join(homedir(), '.cache', 'sidecar-injector', dir);
  const built = existsSync(root) ? readdirSync(root).map((v) => join(root, v, bin)) : [];
  return built.find((p) => existsSync(p));
};

const onPath = (bin: string, args: string[]) => {
  try {
    execFileSync(bin, args, { stdio: 'ignore', timeout: 10_000 });
    return bin;
  } catch {
    return undefined;
  }
};

/** The kubectl the e2e harness builds (~/.cache), else one on PATH; undefined: none. */
export function kubectlBin(): string | undefined {
  return cached('k8s-bin', 'kubectl') ?? onPath('kubectl', ['version', '--client']);
}

/** The helm scripts/build-helm.sh builds (~/.cache), else one on PATH; undefined: none. */
export function helmBin(): string | undefined {
  return cached('helm', 'helm') ?? onPath('helm', ['version']);
}

/**
 * The helm binary for a test, or a skip: without it the test skips saying how to get it, except under CI
 * (CI=true), where .ci/run builds it and its absence is a failure.
 */
export function helmOrSkip(ctx: Mocha.Context): string {
  const bin = helmBin();
  if (bin) return bin;
  if (process.env.CI === 'true' || process.env.CI === '1') {
    throw new Error('helm not found under CI: scripts/build-helm.sh (run by .ci/run) should have built it into ~/.cache/sidecar-injector/helm');
  }
  console.log('    (skipped: no helm; scripts/build-helm.sh builds one from its Go module)');
  ctx.skip();
}

export const parseObjects = (text: string): Obj[] =>
  parseAllDocuments(text)
    .map((d) => d.toJS() as Obj)
    .filter((o) => o?.kind);

export function kustomize(kubectl: string, dir: string): Obj[] {
  return parseObjects(execFileSync(kubectl, ['kustomize', join(REPO_ROOT, dir)], { encoding: 'utf8', timeout: 30_000 }));
}

/** `helm template` of the chart into namespace sidecar-injector, with `--set` pairs. */
export function helmTemplate(helm: string, set: string[] = [], namespace = 'sidecar-injector'): Obj[] {
  return parseObjects(helmTemplateText(helm, set, namespace));
}

export function helmTemplateText(helm: string, set: string[] = [], namespace = 'sidecar-injector'): string {
  const args = ['template', 'sidecar-injector', CHART_DIR, '--namespace', namespace, ...set.flatMap((s) => ['--set', s])];
  return execFileSync(helm, args, { encoding: 'utf8', timeout: 30_000, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Runs helm and returns its exit code and stderr (for the renders that must fail). */
export function helmFails(helm: string, args: string[]): { code: number; stderr: string } {
  try {
    execFileSync(helm, args, { encoding: 'utf8', timeout: 30_000, stdio: ['ignore', 'pipe', 'pipe'] });
    return { code: 0, stderr: '' };
  } catch (e) {
    const err = e as { status?: number; stderr?: string };
    return { code: err.status ?? -1, stderr: err.stderr ?? '' };
  }
}

export const objectKey = (o: Obj) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;

/** The one object of a kind in a render (fails naming them when there are none or several). */
export const one = (objs: Obj[], kind: string): Obj => {
  const found = objs.filter((o) => o.kind === kind);
  assert.equal(found.length, 1, `${kind}: ${found.map((o) => o.metadata.name).join(', ')}`);
  return found[0]!;
};
