// Injecting one small pod with the built-in templates, in the three shapes Istio has (classic sidecar,
// native sidecar, CNI's istio-validation), and reading back what a container got.
import { injectPod } from '../../src/core/inject.ts';
import type { Container, Pod } from '../../src/core/types.ts';
import { defaultSettings } from './settings.ts';

export type Mode = 'classic' | 'native' | 'cni';
export const MODES: Mode[] = ['classic', 'native', 'cni'];

export function pod(annotations: Record<string, string> = {}, containers: Container[] = [{ name: 'web', image: 'web:1' }]): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web-0', namespace: 'shop', annotations, labels: { app: 'web' } },
    spec: { containers },
  };
}

export function inject(p: Pod, sets: string[] = [], mode: Mode = 'classic') {
  const settings = defaultSettings({
    native: mode === 'native' ? 'true' : 'false',
    sets: mode === 'cni' ? [...sets, 'values.pilot.cni.enabled=true'] : sets,
  });
  return injectPod(p, { settings, namespace: 'shop' }).pod;
}

export const container = (p: Pod, name: string): Container | undefined =>
  [...(p.spec.initContainers ?? []), ...p.spec.containers].find((c) => c.name === name);
export const captureName = (mode: Mode) => (mode === 'cni' ? 'istio-validation' : 'istio-init');
type Mount = { name: string; mountPath?: string };
export const mountOf = (p: Pod, name: string) => ((container(p, 'istio-proxy')!.volumeMounts ?? []) as Mount[]).find((m) => m.name === name);
export const envOf = (p: Pod) => Object.fromEntries((container(p, 'istio-proxy')!.env ?? []).map((e) => [e.name, e.value]));
