// Built-in values: Istio's chart defaults (the injector subset), except the images, which point at a
// released proxyv2 on Docker Hub instead of the chart's test registry. Keys not in the chart stay unset.
import type { JsonObject } from '../types.ts';

export const PINNED_PROXY_TAG = '1.28.0';
/** This project's image (deploy/ runs it); the capture-native template's init container runs it too. */
export const INJECTOR_IMAGE = 'sidecar-injector:0.1.0';

export const DEFAULT_VALUES: JsonObject = {
  gateways: {
    seccompProfile: {},
    securityContext: {},
  },
  global: {
    caAddress: '',
    caName: '',
    certSigners: [],
    configCluster: false,
    configValidation: true,
    defaultPodDisruptionBudget: {
      enabled: true,
    },
    defaultResources: {
      requests: {
        cpu: '10m',
      },
    },
    externalIstiod: false,
    hub: 'docker.io/istio',
    imagePullPolicy: '',
    imagePullSecrets: [],
    istioNamespace: 'istio-system',
    istiod: {
      enableAnalysis: false,
    },
    logAsJson: false,
    logging: {
      level: 'default:info',
    },
    meshID: '',
    meshNetworks: {},
    mountMtlsCerts: false,
    multiCluster: {
      clusterName: '',
    },
    nativeNftables: false,
    network: '',
    networkPolicy: {
      enabled: false,
    },
    omitSidecarInjectorConfigMap: false,
    operatorManageWebhooks: false,
    pilotCertProvider: 'istiod',
    priorityClassName: '',
    proxy: {
      autoInject: 'enabled',
      clusterDomain: 'cluster.local',
      componentLogLevel: 'misc:error',
      excludeIPRanges: '',
      excludeInboundPorts: '',
      excludeOutboundPorts: '',
      image: 'proxyv2',
      includeIPRanges: '*',
      includeInboundPorts: '*',
      includeOutboundPorts: '',
      logLevel: 'warning',
      outlierLogPath: '',
      privileged: false,
      readinessFailureThreshold: 4,
      readinessInitialDelaySeconds: 0,
      readinessPeriodSeconds: 15,
      resources: {
        limits: {
          cpu: '2000m',
          memory: '1024Mi',
        },
        requests: {
          cpu: '100m',
          memory: '128Mi',
        },
      },
      seccompProfile: {},
      startupProbe: {
        enabled: true,
        failureThreshold: 600,
      },
      statusPort: 15020,
      tracer: 'none',
      holdApplicationUntilProxyStarts: false,
      lifecycle: {},
      capNetBindService: false,
    },
    proxy_init: {
      forceApplyIptables: false,
      image: 'proxyv2',
    },
    remotePilotAddress: '',
    resourceScope: 'all',
    sds: {
      token: {
        aud: 'istio-ca',
      },
    },
    sts: {
      servicePort: 0,
    },
    tag: PINNED_PROXY_TAG,
    variant: '',
    waypoint: {
      affinity: {},
      nodeSelector: {},
      resources: {
        limits: {
          cpu: '2',
          memory: '1Gi',
        },
        requests: {
          cpu: '100m',
          memory: '128Mi',
        },
      },
      tolerations: [],
      topologySpreadConstraints: [],
    },
  },
  pilot: {
    cni: {
      enabled: false,
      provider: 'default',
    },
    env: {},
  },
  revision: '',
  sidecarInjector: {
    image: INJECTOR_IMAGE,
  },
  sidecarInjectorWebhook: {
    alwaysInjectSelector: [],
    defaultTemplates: [],
    enableNamespacesByDefault: false,
    injectedAnnotations: {},
    neverInjectSelector: [],
    reinvocationPolicy: 'Never',
    rewriteAppHTTPProbe: true,
    templates: {},
  },
};
