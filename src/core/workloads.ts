// Where the pod is in each kind the CLI and the preview take, and which workload owns a pod.
import { InjectionError } from './errors.ts';
import { isObject, type ObjectMeta, type Pod, type WorkloadRef } from './types.ts';

/** kind -> path of the pod template inside the object ([] = the object is the pod). */
const TEMPLATE_PATHS: Record<string, string[]> = {
  Pod: [],
  Deployment: ['spec', 'template'],
  StatefulSet: ['spec', 'template'],
  DaemonSet: ['spec', 'template'],
  ReplicaSet: ['spec', 'template'],
  ReplicationController: ['spec', 'template'],
  Job: ['spec', 'template'],
  DeploymentConfig: ['spec', 'template'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template'],
};

export const INJECTABLE_KINDS = Object.keys(TEMPLATE_PATHS);

export function isInjectableKind(kind: unknown): boolean {
  return typeof kind === 'string' && kind in TEMPLATE_PATHS;
}

function describe(obj: Record<string, unknown>): string {
  const meta = isObject(obj.metadata) ? (obj.metadata as ObjectMeta) : {};
  return `${String(obj.kind)} "${meta.namespace ? `${meta.namespace}/` : ''}${meta.name ?? meta.generateName ?? ''}"`;
}

export function objectName(obj: Record<string, unknown>): string {
  return describe(obj);
}

/** The pod (template) of an injectable object, as a Pod. Throws INVALID_OBJECT naming the missing field. */
export function podOf(obj: Record<string, unknown>): Pod {
  const path = TEMPLATE_PATHS[String(obj.kind)];
  if (!path) throw new InjectionError('INVALID_OBJECT', `${describe(obj)}: kind ${String(obj.kind)} has no pod template`, 'kind');
  let cur: unknown = obj;
  for (const p of path) cur = isObject(cur) ? cur[p] : undefined;
  const where = path.length ? path.join('.') : '(the pod)';
  if (!isObject(cur)) throw new InjectionError('INVALID_OBJECT', `${describe(obj)}: ${where} is missing or not an object`, where);
  const metadata = cur.metadata === undefined || cur.metadata === null ? {} : cur.metadata;
  if (!isObject(metadata)) throw new InjectionError('INVALID_OBJECT', `${describe(obj)}: ${[...path, 'metadata'].join('.')} must be an object`, 'metadata');
  const spec = cur.spec;
  if (!isObject(spec) || !Array.isArray(spec.containers)) {
    throw new InjectionError('INVALID_OBJECT', `${describe(obj)}: ${[...path, 'spec', 'containers'].join('.')} must be a list`, 'spec.containers');
  }
  validatePodShape(metadata as ObjectMeta, spec as Record<string, unknown>, describe(obj), path);
  const pod: Pod = path.length === 0 ? (obj as unknown as Pod) : { apiVersion: 'v1', kind: 'Pod', metadata: metadata as ObjectMeta, spec: spec as Pod['spec'] };
  return pod;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

function validatePodShape(meta: ObjectMeta, spec: Record<string, unknown>, what: string, base: string[]): void {
  const at = (...p: string[]): string => [...base, ...p].join('.');
  for (const field of ['labels', 'annotations'] as const) {
    const m = meta[field];
    if (m === undefined || m === null) continue;
    if (!isObject(m) || Object.values(m).some((v) => typeof v !== 'string')) {
      throw new InjectionError('INVALID_OBJECT', `${what}: ${at('metadata', field)} must map strings to strings`, at('metadata', field));
    }
  }
  for (const list of ['containers', 'initContainers'] as const) {
    const l = spec[list];
    if (l === undefined || l === null) continue;
    if (!Array.isArray(l)) throw new InjectionError('INVALID_OBJECT', `${what}: ${at('spec', list)} must be a list`, at('spec', list));
    for (const [i, c] of l.entries()) {
      if (!isObject(c) || typeof c.name !== 'string') {
        throw new InjectionError('INVALID_OBJECT', `${what}: ${at('spec', `${list}[${i}]`, 'name')} must be a string`, at('spec', `${list}[${i}]`));
      }
      // the API server rejects other names anyway; refusing early keeps absurd names off the hot path
      if (!DNS_LABEL.test(c.name)) {
        throw new InjectionError('INVALID_OBJECT', `${what}: ${at('spec', `${list}[${i}]`, 'name')} ${JSON.stringify(c.name.slice(0, 80))} is not a DNS label (lower-case letters, digits and "-", at most 63 characters)`, at('spec', `${list}[${i}]`, 'name'));
      }
      for (const f of ['ports', 'env', 'volumeMounts'] as const) {
        const v = c[f];
        if (v !== undefined && v !== null && (!Array.isArray(v) || v.some((x) => !isObject(x)))) {
          throw new InjectionError('INVALID_OBJECT', `${what}: ${at('spec', `${list}[${i}]`, f)} must be a list of objects`, at('spec', `${list}[${i}]`, f));
        }
      }
    }
  }
  for (const f of ['volumes', 'imagePullSecrets'] as const) {
    const v = spec[f];
    if (v !== undefined && v !== null && (!Array.isArray(v) || v.some((x) => !isObject(x) || typeof x.name !== 'string'))) {
      throw new InjectionError('INVALID_OBJECT', `${what}: ${at('spec', f)} must be a list of objects with names`, at('spec', f));
    }
  }
}

/** Puts an injected pod back where the template was. Returns a new object. */
export function withPod(obj: Record<string, unknown>, pod: Pod): Record<string, unknown> {
  const path = TEMPLATE_PATHS[String(obj.kind)] ?? [];
  if (path.length === 0) return pod as unknown as Record<string, unknown>;
  const out = structuredClone(obj);
  let cur = out as Record<string, unknown>;
  for (const p of path.slice(0, -1)) cur = cur[p] as Record<string, unknown>;
  const template = cur[path[path.length - 1]!] as Record<string, unknown>;
  if (obj.kind === 'CronJob') {
    // Istio's kube-inject writes a CronJob's injected pod metadata onto spec.jobTemplate.metadata and
    // leaves the pod template's metadata alone; we keep that for byte-for-byte parity with istioctl.
    cur[path[path.length - 1]!] = { ...template, spec: pod.spec };
    const jobTemplate = (out.spec as Record<string, unknown>).jobTemplate as Record<string, unknown>;
    jobTemplate.metadata = pod.metadata;
    return out;
  }
  cur[path[path.length - 1]!] = { ...template, metadata: pod.metadata, spec: pod.spec };
  return out;
}

/** The workload an object is (kube-inject path): its own kind and name. */
export function workloadOfObject(obj: Record<string, unknown>, namespace: string): WorkloadRef {
  const meta = (isObject(obj.metadata) ? obj.metadata : {}) as ObjectMeta;
  return { apiVersion: String(obj.apiVersion ?? 'v1'), kind: String(obj.kind), name: meta.name ?? '', namespace: meta.namespace || namespace };
}

const CRONJOB_JOB = /^(.+)-\d{8,11}$/;

/** The workload that owns a pod (webhook path), inferred from its controller reference as Istio does. */
export function workloadOfPod(pod: Pod, namespace: string): WorkloadRef {
  const meta = pod.metadata;
  const ref: WorkloadRef = { apiVersion: 'v1', kind: 'Pod', name: '', namespace };
  const controller = meta.generateName ? (meta.ownerReferences ?? []).find((r) => r.controller === true) : undefined;
  if (controller) {
    ref.apiVersion = controller.apiVersion;
    ref.kind = controller.kind;
    ref.name = controller.name;
    const hash = meta.labels?.['pod-template-hash'];
    if (controller.kind === 'ReplicaSet' && hash && controller.name.endsWith(hash)) {
      Object.assign(ref, { apiVersion: 'apps/v1', kind: 'Deployment', name: controller.name.slice(0, -(hash.length + 1)) });
    } else if (controller.kind === 'ReplicationController' && meta.labels?.deploymentconfig) {
      Object.assign(ref, { apiVersion: 'apps.openshift.io/v1', kind: 'DeploymentConfig', name: meta.labels.deploymentconfig });
    } else if (controller.kind === 'Job') {
      const m = CRONJOB_JOB.exec(controller.name);
      if (m) Object.assign(ref, { apiVersion: 'batch/v1', kind: 'CronJob', name: m[1] });
    }
  }
  if (!ref.name) ref.name = meta.name ?? '';
  return ref;
}
