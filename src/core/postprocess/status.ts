// The sidecar.istio.io/status annotation: what a previous injection added, so that injecting again
// first removes it (idempotent re-injection) and later steps know which containers are ours.
import { ANNOTATION } from '../annotations.ts';
import { isObject, type Pod } from '../types.ts';
import { clearPrometheusAnnotations, prometheusAnnotation } from './prometheus.ts';

export interface InjectionStatus {
  initContainers: string[] | null;
  containers: string[] | null;
  volumes: string[] | null;
  imagePullSecrets: string[] | null;
  revision: string;
}

const namesOf = (list: Array<{ name?: string }> | undefined): string[] | null => {
  const names = (list ?? []).map((x) => x.name ?? '');
  return names.length ? names : null; // Go writes an empty slice as null
};

/** Status of the rendered template pod, serialized in Go's field order. */
export function statusOf(templatePod: { spec?: Record<string, unknown> }, revision: string): string {
  const spec = templatePod.spec ?? {};
  const s: InjectionStatus = {
    initContainers: namesOf(spec.initContainers as Array<{ name?: string }>),
    containers: namesOf(spec.containers as Array<{ name?: string }>),
    volumes: namesOf(spec.volumes as Array<{ name?: string }>),
    imagePullSecrets: namesOf(spec.imagePullSecrets as Array<{ name?: string }>),
    revision: revision || 'default',
  };
  return JSON.stringify(s);
}

export function readStatus(pod: Pod): InjectionStatus | undefined {
  const raw = pod.metadata.annotations?.[ANNOTATION.status];
  if (!raw) return undefined;
  try {
    const v = JSON.parse(raw) as unknown;
    if (!isObject(v)) return undefined;
    const list = (x: unknown): string[] | null => (Array.isArray(x) ? x.filter((s): s is string => typeof s === 'string') : null);
    return {
      initContainers: list(v.initContainers),
      containers: list(v.containers),
      volumes: list(v.volumes),
      imagePullSecrets: list(v.imagePullSecrets),
      revision: String(v.revision ?? ''),
    };
  } catch {
    return undefined; // a status we cannot read is treated as absent, as Istio does
  }
}

/** Removes a previous injection (Istio's stripPod). Mutates the given pod copy. */
export function stripPreviousInjection(pod: Pod, statusPort: string): InjectionStatus | undefined {
  const status = readStatus(pod);
  if (!status) return undefined;
  // a Set: the annotation is the pod author's, and a long list of names times many containers was quadratic
  const drop = (list: Array<{ name: string }> | undefined, names: string[] | null) => {
    const ours = new Set(names ?? []);
    return list?.filter((c) => !ours.has(c.name));
  };
  pod.spec.containers = drop(pod.spec.containers, status.containers) ?? [];
  if (pod.spec.initContainers) pod.spec.initContainers = drop(pod.spec.initContainers, status.initContainers);
  if (prometheusAnnotation(pod, 'prometheus.io/port') === statusPort) clearPrometheusAnnotations(pod);
  delete pod.metadata.annotations![ANNOTATION.status];
  return status;
}
