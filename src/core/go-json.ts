// JSON the way Go's encoding/json writes Kubernetes structs: fields in struct order, empty values
// omitted, quantities canonical. Used where Istio stores objects inside annotation strings, so that
// ours read the same (proxy.istio.io/overrides).
import { canonicalQuantity } from './quantity.ts';
import { isObject } from './types.ts';

const ORDER: Record<string, string[]> = {
  container: [
    'name',
    'image',
    'command',
    'args',
    'workingDir',
    'ports',
    'envFrom',
    'env',
    'resources',
    'resizePolicy',
    'restartPolicy',
    'volumeMounts',
    'volumeDevices',
    'livenessProbe',
    'readinessProbe',
    'startupProbe',
    'lifecycle',
    'terminationMessagePath',
    'terminationMessagePolicy',
    'imagePullPolicy',
    'securityContext',
    'stdin',
    'stdinOnce',
    'tty',
  ],
  resources: ['limits', 'requests', 'claims'],
  probe: [
    'exec',
    'httpGet',
    'tcpSocket',
    'grpc',
    'initialDelaySeconds',
    'timeoutSeconds',
    'periodSeconds',
    'successThreshold',
    'failureThreshold',
    'terminationGracePeriodSeconds',
  ],
  lifecycle: ['postStart', 'preStop', 'stopSignal'],
  handler: ['exec', 'httpGet', 'tcpSocket', 'sleep'],
  httpGet: ['path', 'port', 'host', 'scheme', 'httpHeaders'],
  securityContext: [
    'capabilities',
    'privileged',
    'seLinuxOptions',
    'windowsOptions',
    'runAsUser',
    'runAsGroup',
    'runAsNonRoot',
    'readOnlyRootFilesystem',
    'allowPrivilegeEscalation',
    'procMount',
    'seccompProfile',
    'appArmorProfile',
  ],
  capabilities: ['add', 'drop'],
  volumeMount: ['name', 'readOnly', 'recursiveReadOnly', 'mountPath', 'subPath', 'mountPropagation', 'subPathExpr'],
  env: ['name', 'value', 'valueFrom'],
  port: ['name', 'hostPort', 'containerPort', 'protocol', 'hostIP'],
};

// which struct a field holds, by parent struct
const CHILD: Record<string, Record<string, string>> = {
  container: {
    resources: 'resources',
    livenessProbe: 'probe',
    readinessProbe: 'probe',
    startupProbe: 'probe',
    lifecycle: 'lifecycle',
    securityContext: 'securityContext',
    volumeMounts: 'volumeMount',
    env: 'env',
    ports: 'port',
  },
  probe: { httpGet: 'httpGet' },
  lifecycle: { postStart: 'handler', preStop: 'handler' },
  handler: { httpGet: 'httpGet' },
  securityContext: { capabilities: 'capabilities' },
};

// Go keeps these even when empty: ResourceRequirements is a struct, not a pointer
const ALWAYS: ReadonlySet<string> = new Set(['container.resources']);

function empty(v: unknown): boolean {
  return (
    v === undefined ||
    v === null ||
    v === '' ||
    v === false ||
    v === 0 ||
    (Array.isArray(v) && v.length === 0) ||
    (isObject(v) && Object.keys(v).length === 0)
  );
}

export function goOrdered(value: unknown, type: string): unknown {
  if (Array.isArray(value)) return value.map((x) => goOrdered(x, type));
  if (!isObject(value)) return value;
  const v = type === 'container' ? { resources: {}, ...value } : value;
  const order = ORDER[type];
  if (type === 'resources') {
    return Object.fromEntries(
      (order ?? [])
        .filter((k) => isObject(v[k]))
        .map((k) => [
          k,
          k === 'claims'
            ? v[k]
            : Object.fromEntries(
                Object.keys(v[k] as object)
                  .sort()
                  .map((r) => [r, canonicalQuantity(String((v[k] as Record<string, unknown>)[r]))]),
              ),
        ]),
    );
  }
  const keys = order
    ? [
        ...order.filter((k) => k in v),
        ...Object.keys(v)
          .filter((k) => !order.includes(k))
          .sort(),
      ]
    : Object.keys(v).sort();
  const out: Record<string, unknown> = {};
  for (const k of keys) {
    const child = CHILD[type]?.[k] ?? '';
    const val = goOrdered(v[k], child);
    // pointer fields (runAsUser: 0, privileged: false) are kept by Go; scalars left out only when absent
    if (val === undefined || val === null) continue;
    if (!ALWAYS.has(`${type}.${k}`) && (Array.isArray(val) || isObject(val)) && empty(val)) continue;
    if (val === '') continue;
    out[k] = val;
  }
  return out;
}
