// The Node options deploy/ runs the injector with (NODE_OPTIONS in the Deployment), so that memory
// measured in tests and the bench is memory as deployed.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

const deployment = join(import.meta.dirname, '..', '..', 'deploy', 'base', 'deployment.yaml');

export interface DeployedInjector {
  nodeOptions: string[];
  /** resources.limits.memory, in bytes. */
  memoryLimitBytes: number;
}

export function deployedInjector(): DeployedInjector {
  const [d] = parseAllDocuments(readFileSync(deployment, 'utf8')).map((x) => x.toJS()) as Array<{ spec: { template: { spec: { containers: Array<{
    env?: Array<{ name: string; value?: string }>; resources: { limits: { memory: string } } }> } } } }>;
  const c = d!.spec.template.spec.containers[0]!;
  const value = c.env?.find((e) => e.name === 'NODE_OPTIONS')?.value ?? '';
  const m = /^(\d+)Mi$/.exec(c.resources.limits.memory);
  if (!m) throw new Error(`deploy/base/deployment.yaml: memory limit ${c.resources.limits.memory} is not in Mi`);
  return { nodeOptions: value.split(/\s+/).filter(Boolean), memoryLimitBytes: Number(m[1]) * 1048576 };
}
