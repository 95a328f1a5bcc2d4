// What injectPod takes and gives, and what its stages hand each other. A module of its own so imports
// go one way: inject.ts imports its stages (prepare.ts, postprocess/), and all of them import this.
import type { Budget } from './budget.ts';
import type { Decision } from './decide.ts';
import type { RenderContext } from './render/template-data.ts';
import type { NodeKubelets } from './native-sidecars.ts';
import type { Operation } from './patch.ts';
import type { ProxyConfigSet } from './proxy-configs.ts';
import type { Settings } from './settings/index.ts';
import type { InjectionEntry } from './webhooks/entries.ts';
import type { JsonObject, Pod, WorkloadRef } from './types.ts';

/** What one injection needs; `overBudget` (from Budget) lets the edge stop a request that takes too long. */
export interface InjectContext extends Budget {
  settings: Settings;
  /** The request's namespace (pods from generateName have no namespace of their own yet). */
  namespace: string;
  /** Namespace labels when known: adds the webhook-selector step to the decision. */
  namespaceLabels?: Record<string, string>;
  /** The owning workload (kube-inject: the object itself); inferred from ownerReferences when absent. */
  workload?: WorkloadRef;
  /** Env vars from the webhook URL path (`/inject/cluster/c1/net/n1`). */
  urlEnv?: Record<string, string>;
  /**
   * For native sidecars `auto`: kubelet versions by node name of the cluster this injector watches
   * (native-sidecars.ts decides from them as Istio does); absent when unknown (no cluster, not synced).
   */
  nodes?: NodeKubelets;
  /** Istio's ProxyConfig resources (proxy-configs.ts), from the cluster or a file; none when absent. */
  proxyConfigs?: ProxyConfigSet;
  /**
   * The injection entries the API server evaluates (webhooks/read.ts), in call order, used with
   * namespaceLabels; absent: deploy/'s entries for this revision.
   */
  webhooks?: readonly InjectionEntry[];
}

export interface InjectResult {
  decision: Decision;
  /** The pod after injection (equal to the input, minus managedFields, when skipped). */
  pod: Pod;
  patch: Operation[];
  /** Templates that ran, in order. */
  templates: string[];
  nativeSidecars?: boolean;
  /** Why native or classic: the pod's annotation, the setting, or the nodes' kubelet versions. */
  nativeWhy?: string;
  /** What else shaped the result: annotations and settings that changed it. */
  notes: string[];
  /** The pod's annotations the injector or its templates read, as `key=value`. */
  annotationsUsed: string[];
}

/** injectPod's second stage's result (prepare.ts). */
export interface Prepared {
  /** The pod the templates see: a previous injection stripped, saved overrides put back. */
  stripped: Pod;
  /** The mesh's default proxy config with the pod's proxy.istio.io/config over it. */
  proxyConfig: JsonObject;
  nativeSidecars: boolean;
  nativeWhy: string;
  /** The application waits for the proxy to start (classic sidecars only: native ones always start first). */
  holdProxy: boolean;
  /** The pod's annotation, else its proxy config's; what the templates and post-processing both use. */
  interceptionMode: string;
  /** Cluster and network env vars of istio-proxy, set after rendering. */
  proxyEnv: Record<string, string>;
  network: string;
  /** What the templates render from (each dialect shapes its own data from it: render/compile.ts). */
  render: RenderContext;
}

/** The render stage's result: the templates' own merge, and the pod with them merged in. */
export interface RenderedPod {
  names: string[];
  templatePod: JsonObject;
  merged: JsonObject;
}
