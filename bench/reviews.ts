// AdmissionReviews as the API server sends them for pods a ReplicaSet creates: every defaulted field
// (after defaulting, the ServiceAccount, DefaultTolerationSeconds and Priority admission plugins, which
// all run before mutating webhooks), the projected service-account volume, generateName, the owner
// reference, the pod-template-hash label and the managedFields the field manager has already written.
import fastJsonPatch, { type Operation } from 'fast-json-patch';

type Obj = Record<string, unknown>;

const NS = 'shop';
const HASH = '7c9d8f6b5d';
const SA_VOLUME = 'kube-api-access-x7k2p';

function env(count: number): Obj[] {
  const vars: Obj[] = [];
  for (let i = 0; i < count; i++) {
    const name = `APP_SETTING_${String(i).padStart(4, '0')}`;
    if (i % 10 === 9) vars.push({ name, valueFrom: { configMapKeyRef: { name: 'app-config', key: name.toLowerCase() } } });
    else if (i % 10 === 4) vars.push({ name, valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'status.podIP' } } });
    else vars.push({ name, value: `value-${i}-${((i * 2654435761) % 1e8).toString(36)}` });
  }
  return vars;
}

const probe = (path: string, port: number, delay: number): Obj => ({
  httpGet: { path, port, scheme: 'HTTP' },
  initialDelaySeconds: delay,
  timeoutSeconds: 1,
  periodSeconds: 10,
  successThreshold: 1,
  failureThreshold: 3,
});

/** A container as the controller sends it (already defaulted when the Deployment was created). */
function container(name: string, port: number, envCount: number, probes: boolean): Obj {
  return {
    name,
    image: `registry.example.com/shop/${name}:1.14.2`,
    ports: [{ name: 'http', containerPort: port, protocol: 'TCP' }],
    env: env(envCount),
    resources: { limits: { cpu: '500m', memory: '256Mi' }, requests: { cpu: '100m', memory: '128Mi' } },
    ...(probes ? { livenessProbe: probe('/healthz', port, 10), readinessProbe: probe('/ready', port, 5) } : {}),
    terminationMessagePath: '/dev/termination-log',
    terminationMessagePolicy: 'File',
    imagePullPolicy: 'IfNotPresent',
  };
}

// FieldsV1 of what the controller set: maps and structs are `f:` keys, associative lists `k:{…}` keys
// (containers/env by name, ports by containerPort+protocol), atomic lists and scalars `{}`.
const LIST_KEYS: Record<string, string[]> = { containers: ['name'], env: ['name'], ports: ['containerPort', 'protocol'], ownerReferences: ['uid'] };

function fieldsV1(v: unknown, field = ''): Obj {
  if (Array.isArray(v)) {
    const keys = LIST_KEYS[field];
    if (!keys) return {};
    const out: Obj = { '.': {} };
    for (const item of v as Obj[]) {
      const key = `k:${JSON.stringify(Object.fromEntries(keys.map((k) => [k, item[k]])))}`;
      out[key] = { '.': {}, ...fieldsV1(item) };
    }
    return out;
  }
  if (typeof v !== 'object' || v === null) return {};
  const out: Obj = field === '' ? {} : { '.': {} };
  for (const [k, x] of Object.entries(v)) out[`f:${k}`] = fieldsV1(x, k);
  if (Object.keys(v).length === 0) return {};
  return out;
}

function managedFields(meta: Obj, spec: Obj): Obj[] {
  return [
    {
      manager: 'kube-controller-manager',
      operation: 'Update',
      apiVersion: 'v1',
      time: '2025-11-20T09:14:07Z',
      fieldsType: 'FieldsV1',
      fieldsV1: { 'f:metadata': fieldsV1(meta), 'f:spec': fieldsV1(spec) },
    },
  ];
}

export interface PodShape {
  containers: number;
  envVars: number;
  probes: boolean;
}

export function pod(app: string, shape: PodShape): Obj {
  const containers = Array.from({ length: shape.containers }, (_, i) =>
    container(shape.containers === 1 ? app : `${app}-${i}`, 8080 + i, shape.envVars, shape.probes),
  );
  const set = {
    // what the ReplicaSet controller sends
    meta: {
      generateName: `${app}-${HASH}-`,
      labels: { app, 'app.kubernetes.io/name': app, 'app.kubernetes.io/part-of': 'shop', version: 'v1', 'pod-template-hash': HASH },
      annotations: { 'kubectl.kubernetes.io/restartedAt': '2025-11-20T09:14:05Z' },
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          name: `${app}-${HASH}`,
          uid: '3f0e5c1a-7a0b-4d4e-9a43-2c9a0d6e8b21',
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: {
      containers,
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
      dnsPolicy: 'ClusterFirst',
      securityContext: {},
      schedulerName: 'default-scheduler',
      enableServiceLinks: true,
    },
  };
  const mounted = containers.map((c) => ({
    ...c,
    volumeMounts: [{ name: SA_VOLUME, readOnly: true, mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' }],
  }));
  return {
    kind: 'Pod',
    apiVersion: 'v1',
    metadata: { ...set.meta, namespace: NS, creationTimestamp: null, managedFields: managedFields(set.meta, set.spec) },
    spec: {
      volumes: [
        {
          name: SA_VOLUME,
          projected: {
            sources: [
              { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
              { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
              { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
            ],
            defaultMode: 420,
          },
        },
      ],
      ...set.spec,
      containers: mounted,
      serviceAccountName: 'default',
      serviceAccount: 'default',
      tolerations: [
        { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
        { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      ],
      priority: 0,
      preemptionPolicy: 'PreemptLowerPriority',
    },
    status: {},
  };
}

export function review(uid: string, object: Obj): string {
  const gvk = { group: '', version: 'v1', kind: 'Pod' };
  const gvr = { group: '', version: 'v1', resource: 'pods' };
  return JSON.stringify({
    kind: 'AdmissionReview',
    apiVersion: 'admission.k8s.io/v1',
    request: {
      uid,
      kind: gvk,
      resource: gvr,
      requestKind: gvk,
      requestResource: gvr,
      namespace: NS,
      operation: 'CREATE',
      userInfo: {
        username: 'system:serviceaccount:kube-system:replicaset-controller',
        uid: 'b6a2c1e4-0d1f-4b7e-8c55-6f3a9e2d7c10',
        groups: ['system:serviceaccounts', 'system:serviceaccounts:kube-system', 'system:authenticated'],
      },
      object,
      oldObject: null,
      dryRun: false,
      options: { kind: 'CreateOptions', apiVersion: 'meta.k8s.io/v1' },
    },
  });
}

export interface Case {
  id: string;
  title: string;
  uid: string;
  body: string;
  object: Obj;
  envVars?: number;
  /** Reviews sent in turn for this case (its own uid and body are the first's): see everyPodDiffers. */
  cycle?: Case[];
}

const make = (id: string, title: string, object: Obj, envVars?: number): Case => {
  const uid = `bench-${id}-0c5e7a1d-4f2b-4c3e-9d8a-${id.padEnd(12, '0').slice(0, 12)}`;
  return { id, title, uid, object, body: review(uid, object), envVars };
};

export const ENV_COUNTS = [10, 100, 1000, 2000];

/** Cases (a), (b) and (d); (c) needs the injector's answer to (a): see alreadyInjected. */
export function baseCases(): Case[] {
  return [
    make('a', '(a) Deployment pod, 1 container', pod('checkout', { containers: 1, envVars: 6, probes: false })),
    make('b', '(b) 10 containers with probes', pod('catalog', { containers: 10, envVars: 6, probes: true })),
    ...ENV_COUNTS.map((n) => make(`d${n}`, `(d) ${n} env vars`, pod('ledger', { containers: 1, envVars: n, probes: false }), n)),
  ];
}

/** (c): the pod of `base` with the injector's own patch applied (it carries sidecar.istio.io/status). */
export function alreadyInjected(base: Case, patchBase64: string): Case {
  const ops = JSON.parse(Buffer.from(patchBase64, 'base64').toString('utf8')) as Operation[];
  const injected = fastJsonPatch.applyPatch(structuredClone(base.object), ops, true, false).newDocument;
  const status = (injected.metadata as { annotations?: Record<string, string> }).annotations?.['sidecar.istio.io/status'];
  if (!status) throw new Error('case (c): the injected pod has no sidecar.istio.io/status annotation');
  return make('c', '(c) already injected (a)', injected);
}

export const DISTINCT_PODS = 2000;

/**
 * (e): every pod differs. Pods of `n` different Deployments in turn, shaped as (a): each has its own app
 * name in the labels the templates read (app, app.kubernetes.io/name: the canonical name), the
 * generateName (the workload name) and the container name (the app containers), so no kept render
 * agrees with the next pod's data (the injector keeps 32 per template, see src/core/render/reuse.ts).
 * Names are of one width, so every answer has the same size.
 */
export function everyPodDiffers(n = DISTINCT_PODS): Case {
  const width = String(n - 1).length;
  const cycle = Array.from({ length: n }, (_, i) => {
    const k = String(i).padStart(width, '0');
    return make(`e${k}`, `(e) pod ${k} of ${n} different ones`, pod(`checkout-${k}`, { containers: 1, envVars: 6, probes: false }));
  });
  return { ...cycle[0]!, id: 'e', title: `(e) every pod differs (${n} apps in turn)`, cycle };
}

/** The reviews a case sends: its cycle, or itself. */
export const reviewsOf = (c: Case): Case[] => c.cycle ?? [c];
