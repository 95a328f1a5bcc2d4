// Values (the JSON subset of Istio's Helm values the injector reads): user values deep-merged over the
// built-in defaults, then checked key by key.
import { clipJson } from '../clip.ts';
import { InjectionError } from '../errors.ts';
import { cloneJson, isObject, type Json, type JsonObject } from '../types.ts';
import { DEFAULT_VALUES } from './default-values.ts';
import { coerceQuotedIntegers, checkRules, type Rules } from './schema.ts';

export const VALUES_RULES: Rules = {
  'global.hub': 'string',
  'global.tag': 'scalar',
  'global.variant': 'string',
  'global.imagePullPolicy': { oneOf: ['', 'Always', 'IfNotPresent', 'Never'] },
  'global.imagePullSecrets': 'stringList',
  'global.istioNamespace': 'string',
  'global.caAddress': 'string',
  'global.pilotCertProvider': 'string',
  'global.logAsJson': 'bool',
  'global.meshID': 'string',
  'global.network': 'string',
  'global.multiCluster.clusterName': 'string',
  'global.logging.level': 'string',
  'global.mountMtlsCerts': 'bool',
  'global.nativeNftables': 'bool',
  'global.caName': 'string',
  'global.trustBundleName': 'string',
  'global.proxy.autoInject': 'string', // any other than enabled/disabled: a warning (injector-config.ts)
  'global.proxy.clusterDomain': 'string',
  'global.proxy.componentLogLevel': 'string',
  'global.proxy.logLevel': 'string',
  'global.proxy.image': 'string',
  'global.proxy.includeIPRanges': 'string',
  'global.proxy.excludeIPRanges': 'string',
  'global.proxy.includeInboundPorts': 'string',
  'global.proxy.excludeInboundPorts': 'string',
  'global.proxy.includeOutboundPorts': 'string',
  'global.proxy.excludeOutboundPorts': 'string',
  'global.proxy.privileged': 'bool',
  'global.proxy.readinessFailureThreshold': 'uint',
  'global.proxy.readinessInitialDelaySeconds': 'uint',
  'global.proxy.readinessPeriodSeconds': 'uint',
  'global.proxy.resources': 'resources',
  'global.proxy.statusPort': 'port',
  'global.proxy.startupProbe.enabled': 'bool',
  'global.proxy.startupProbe.failureThreshold': 'uint',
  'global.proxy.holdApplicationUntilProxyStarts': 'bool',
  'global.proxy.enableCoreDump': 'bool',
  'global.proxy.lifecycle': 'object',
  'global.proxy.seccompProfile': 'object',
  'global.proxy.tracer': 'string',
  'global.proxy.outlierLogPath': 'string',
  'global.proxy.capNetBindService': 'bool',
  'global.proxy_init.image': 'string',
  'global.proxy_init.forceApplyIptables': 'bool',
  'global.proxy_init.resources': 'resources',
  'global.sds.token.aud': 'string',
  'global.sts.servicePort': 'port',
  'sidecarInjector.image': 'string',
  'pilot.cni.enabled': 'bool',
  'pilot.cni.provider': 'string',
  'istio_cni.enabled': 'bool',
  revision: 'string',
  'sidecarInjectorWebhook.rewriteAppHTTPProbe': 'bool',
  'sidecarInjectorWebhook.templates': 'stringMap',
  'sidecarInjectorWebhook.defaultTemplates': 'stringList',
  'sidecarInjectorWebhook.injectedAnnotations': 'stringMap',
  // sidecarInjectorWebhook.neverInjectSelector / alwaysInjectSelector: checked where read (selector-config.ts)
  'sidecarInjectorWebhook.enableNamespacesByDefault': 'bool',
  'sidecarInjectorWebhook.reinvocationPolicy': { oneOf: ['Never', 'IfNeeded'] },
};

/** Maps merge key by key; everything else (lists included) replaces, as Helm does. */
export function deepMerge(base: JsonObject, over: JsonObject): JsonObject {
  const out = cloneJson(base);
  for (const [k, v] of Object.entries(over)) {
    const cur = out[k];
    out[k] = isObject(cur) && isObject(v) ? deepMerge(cur as JsonObject, v as JsonObject) : cloneJson(v as Json);
  }
  return out;
}

/** `warnings` gets what Istio accepts but is likely a mistake. */
export function applyValues(user: unknown, warnings: string[] = []): JsonObject {
  if (user === undefined || user === null) return cloneJson(DEFAULT_VALUES);
  if (!isObject(user)) throw new InjectionError('INVALID_SETTING', 'invalid setting values: must be a mapping', 'values');
  const merged = deepMerge(DEFAULT_VALUES, user as JsonObject);
  coerceQuotedIntegers(merged, VALUES_RULES);
  checkRules(merged, VALUES_RULES, 'values.', DEFAULT_VALUES);
  // Istio renders the names as they are; the API server takes any name, and the kubelet pulls without a
  // secret that cannot exist (Secret names are DNS subdomains). Worth a warning, not a refusal.
  const pull = (merged.global as JsonObject).imagePullSecrets as string[] | undefined;
  for (const [i, name] of (pull ?? []).entries()) {
    if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(name) || name.length > 253) {
      warnings.push(
        `values.global.imagePullSecrets[${i}] ${clipJson(name)} cannot name a Secret (not a DNS subdomain): injected as it is, as Istio does; the kubelet will pull without it`,
      );
    }
  }
  const statusPort = ((merged.global as JsonObject).proxy as JsonObject).statusPort;
  if (typeof statusPort === 'number' && RESERVED_PORTS.includes(statusPort)) {
    warnings.push(
      `values.global.proxy.statusPort ${statusPort} is a port the proxy already uses (${RESERVED_PORTS.join(', ')}): the agent's status server cannot listen there; Istio's template renders it as given (-d 15090,15021,${statusPort})`,
    );
  }
  return merged;
}

// the ports Envoy and the agent listen on besides the status port (Istio's pilot-agent status/server.go)
const RESERVED_PORTS = [15000, 15001, 15004, 15006, 15008, 15021, 15053, 15090];
