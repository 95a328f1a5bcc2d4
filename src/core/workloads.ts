// Where the pod is in each kind the CLI and the preview take, and which workload owns a pod.
import { clip, clipJson } from './clip.ts';
import { InjectionError } from './errors.ts';
import { isObject, type ObjectMeta, type Pod, type WorkloadRef } from './types.ts';

/**
 * kind -> path of the pod template inside the object ([] = the object is the pod). A Map: a kind is the
 * user's string, and `constructor` or `__proto__` must not find Object's own properties.
 */
const TEMPLATE_PATHS: ReadonlyMap<string, readonly string[]> = new Map([
  ['Pod', []],
  ['Deployment', ['spec', 'template']],
  ['StatefulSet', ['spec', 'template']],
  ['DaemonSet', ['spec', 'template']],
  ['ReplicaSet', ['spec', 'template']],
  ['ReplicationController', ['spec', 'template']],
  ['Job', ['spec', 'template']],
  ['DeploymentConfig', ['spec', 'template']],
  ['CronJob', ['spec', 'jobTemplate', 'spec', 'template']],
]);

export const INJECTABLE_KINDS = [...TEMPLATE_PATHS.keys()];

export function isInjectableKind(kind: unknown): boolean {
  return typeof kind === 'string' && TEMPLATE_PATHS.has(kind);
}

/** A name field as text for messages: strings clipped, anything else (a number, a map) as its JSON, clipped. */
const shown = (v: unknown): string => (typeof v === 'string' ? clip(v) : v === undefined || v === null ? '' : clipJson(v));

function describe(obj: Record<string, unknown>): string {
  const meta = isObject(obj.metadata) ? (obj.metadata as Record<string, unknown>) : {};
  const ns = shown(meta.namespace);
  return `${shown(obj.kind) || 'object'} "${ns ? `${ns}/` : ''}${shown(meta.name ?? meta.generateName)}"`;
}

export function objectName(obj: Record<string, unknown>): string {
  return describe(obj);
}

/** The pod (template) of an injectable object, as a Pod. Throws INVALID_OBJECT naming the missing field. */
export function podOf(obj: Record<string, unknown>): Pod {
  const path = typeof obj.kind === 'string' ? TEMPLATE_PATHS.get(obj.kind) : undefined;
  if (!path) throw new InjectionError('INVALID_OBJECT', `${describe(obj)}: kind ${clipJson(obj.kind)} has no pod template`, 'kind');
  let cur: unknown = obj;
  for (const p of path) cur = isObject(cur) ? cur[p] : undefined;
  const where = path.length ? path.join('.') : '(the pod)';
  if (!isObject(cur)) throw new InjectionError('INVALID_OBJECT', `${describe(obj)}: ${where} is missing or not an object`, where);
  const metadata = cur.metadata === undefined || cur.metadata === null ? {} : cur.metadata;
  if (!isObject(metadata)) refuse(describe(obj), [...path, 'metadata'].join('.'), 'must be an object');
  const spec = cur.spec;
  if (!isObject(spec) || !Array.isArray(spec.containers)) {
    throw new InjectionError('INVALID_OBJECT', `${describe(obj)}: ${[...path, 'spec', 'containers'].join('.')} must be a list`, 'spec.containers');
  }
  if (path.length > 0 && isObject(obj.metadata)) validateMeta(obj.metadata, describe(obj), (...p) => p.join('.'));
  validatePodShape(metadata, spec, describe(obj), path);
  const pod: Pod =
    path.length === 0 ? (obj as unknown as Pod) : { apiVersion: 'v1', kind: 'Pod', metadata: metadata as ObjectMeta, spec: spec as Pod['spec'] };
  return pod;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

const present = (v: unknown): boolean => v !== undefined && v !== null;

function refuse(what: string, field: string, rule: string): never {
  throw new InjectionError('INVALID_OBJECT', `${what}: ${field} ${rule}`, field);
}

/** The metadata fields the injector reads, with the types it reads them as (the API server validates after webhooks). */
function validateMeta(meta: Record<string, unknown>, what: string, at: (...p: string[]) => string): void {
  for (const f of ['name', 'generateName', 'namespace'] as const) {
    if (present(meta[f]) && typeof meta[f] !== 'string') refuse(what, at('metadata', f), 'must be a string');
  }
  for (const f of ['labels', 'annotations'] as const) {
    const m = meta[f];
    if (present(m) && (!isObject(m) || Object.values(m).some((v) => typeof v !== 'string')))
      refuse(what, at('metadata', f), 'must map strings to strings');
  }
  const refs = meta.ownerReferences;
  if (!present(refs)) return;
  if (!Array.isArray(refs)) refuse(what, at('metadata', 'ownerReferences'), 'must be a list of objects');
  for (const [i, r] of refs.entries()) {
    const ref = at('metadata', `ownerReferences[${i}]`);
    if (!isObject(r)) refuse(what, ref, 'must be an object');
    for (const f of ['apiVersion', 'kind', 'name']) if (typeof r[f] !== 'string') refuse(what, `${ref}.${f}`, 'must be a string');
    if (present(r.controller) && typeof r.controller !== 'boolean') refuse(what, `${ref}.controller`, 'must be a boolean');
  }
}

function validateContainers(spec: Record<string, unknown>, what: string, at: (...p: string[]) => string): void {
  for (const list of ['containers', 'initContainers'] as const) {
    const l = spec[list];
    if (!present(l)) continue;
    if (!Array.isArray(l)) refuse(what, at('spec', list), 'must be a list');
    for (const [i, c] of l.entries()) {
      const item = at('spec', `${list}[${i}]`);
      if (!isObject(c) || typeof c.name !== 'string') refuse(what, `${item}.name`, 'must be a string');
      // the API server rejects other names anyway; refusing early keeps absurd names off the hot path
      if (!DNS_LABEL.test(c.name))
        refuse(what, `${item}.name`, `${clipJson(c.name, 80)} is not a DNS label (lower-case letters, digits and "-", at most 63 characters)`);
      for (const f of ['ports', 'env', 'volumeMounts'] as const) {
        const v = c[f];
        if (present(v) && (!Array.isArray(v) || v.some((x) => !isObject(x)))) refuse(what, `${item}.${f}`, 'must be a list of objects');
      }
    }
  }
}

function validatePodShape(meta: Record<string, unknown>, spec: Record<string, unknown>, what: string, base: readonly string[]): void {
  const at = (...p: string[]): string => [...base, ...p].join('.');
  validateMeta(meta, what, at);
  validateContainers(spec, what, at);
  for (const f of ['volumes', 'imagePullSecrets'] as const) {
    const v = spec[f];
    if (present(v) && (!Array.isArray(v) || v.some((x) => !isObject(x) || typeof x.name !== 'string')))
      refuse(what, at('spec', f), 'must be a list of objects with names');
  }
}

/** Puts an injected pod back where the template was. Returns a new object. */
export function withPod(obj: Record<string, unknown>, pod: Pod): Record<string, unknown> {
  const path = TEMPLATE_PATHS.get(String(obj.kind)) ?? [];
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
  const meta = isObject(obj.metadata) ? obj.metadata : {};
  const text = (v: unknown): string => (typeof v === 'string' ? v : '');
  return { apiVersion: text(obj.apiVersion) || 'v1', kind: text(obj.kind), name: text(meta.name), namespace: text(meta.namespace) || namespace };
}

const CRONJOB_JOB = /(.+)-\d{8,10}$/;

/** Go's strings.TrimSuffix. */
const trimSuffix = (s: string, suffix: string): string => (suffix && s.endsWith(suffix) ? s.slice(0, -suffix.length) : s);

/**
 * The workload that owns a pod (webhook path), inferred from its controller reference as Istio's
 * GetDeployMetaFromPod does: the reference's apiVersion is kept except for Argo Rollouts and CronJobs.
 */
export function workloadOfPod(pod: Pod, namespace: string): WorkloadRef {
  const meta = pod.metadata;
  const ref: WorkloadRef = { apiVersion: 'v1', kind: 'Pod', name: '', namespace };
  const controller = meta.generateName ? (meta.ownerReferences ?? []).find((r) => r.controller === true) : undefined;
  if (controller) {
    ref.apiVersion = controller.apiVersion ?? '';
    ref.kind = controller.kind ?? '';
    ref.name = controller.name ?? '';
    const hash = meta.labels?.['pod-template-hash'];
    const rolloutHash = meta.labels?.['rollouts-pod-template-hash'];
    if (controller.kind === 'ReplicaSet' && hash && controller.name.endsWith(hash)) {
      Object.assign(ref, { kind: 'Deployment', name: trimSuffix(controller.name, `-${hash}`) });
    } else if (controller.kind === 'ReplicaSet' && rolloutHash && controller.name.endsWith(rolloutHash)) {
      Object.assign(ref, { apiVersion: 'v1alpha1', kind: 'Rollout', name: trimSuffix(controller.name, `-${rolloutHash}`) });
    } else if (controller.kind === 'ReplicationController' && meta.labels?.deploymentconfig) {
      Object.assign(ref, { kind: 'DeploymentConfig', name: meta.labels.deploymentconfig });
    } else if (controller.kind === 'Job') {
      const m = CRONJOB_JOB.exec(controller.name);
      if (m) Object.assign(ref, { apiVersion: 'batch/v1', kind: 'CronJob', name: m[1] });
    }
  }
  if (!ref.name) ref.name = meta.name ?? '';
  return ref;
}
