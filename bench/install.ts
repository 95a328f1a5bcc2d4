// The install's memory limit and NODE_OPTIONS as deploy/base gives them (the Helm chart renders the same:
// test/deploy/helm-equivalence.test.ts), for the benches that measure RSS against it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ROOT } from './servers.ts';

const UNITS: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, K: 1e3, M: 1e6, G: 1e9, '': 1 };

/** The injector container's memory limit (in MB) and NODE_OPTIONS, as deploy/base gives them. */
export function deployment(): { limitMB: number; nodeOptions: string } {
  const doc = parse(readFileSync(join(ROOT, 'deploy/base/deployment.yaml'), 'utf8')) as {
    spec: {
      template: {
        spec: { containers: Array<{ name: string; env?: Array<{ name: string; value?: string }>; resources?: { limits?: { memory?: string } } }> };
      };
    };
  };
  const c = doc.spec.template.spec.containers.find((x) => x.name === 'injector') ?? doc.spec.template.spec.containers[0]!;
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|K|M|G|)$/.exec(c.resources?.limits?.memory ?? '');
  if (!m) throw new Error(`deploy/base/deployment.yaml: no memory limit I can read (${c.resources?.limits?.memory})`);
  return { limitMB: (Number(m[1]) * UNITS[m[2]!]!) / 2 ** 20, nodeOptions: c.env?.find((e) => e.name === 'NODE_OPTIONS')?.value ?? '' };
}
