// This injector on the same review, with settings read from the same rendered ConfigMap data as istiod,
// unchanged: Istio's Go templates included.
import { admit } from '../../src/core/admission.ts';
import type { NodeKubelets } from '../../src/core/native-sidecars.ts';
import { type ProxyConfigSet, proxyConfigSet, readProxyConfigs } from '../../src/core/proxy-configs.ts';
import { buildSettings, type NativeSidecarMode, type Settings } from '../../src/core/settings/index.ts';
import { injectPathEnv } from '../../src/http/inject-path.ts';
import type { RenderedSettings } from './istiod.ts';

export function ourSettings(rendered: RenderedSettings, native: NativeSidecarMode): Settings {
  return buildSettings({ config: rendered.config, values: rendered.values, mesh: rendered.mesh, templates: {}, nativeSidecars: native });
}

export interface OurAnswer {
  status: number;
  review?: Record<string, unknown>;
}

/** What the cluster holds besides settings: nodes (native `auto`) and ProxyConfig resources. */
export interface ClusterState {
  nodes?: NodeKubelets;
  proxyConfigs?: ProxyConfigSet;
}

/** ProxyConfig resources as the variant lists them ([{name, namespace, spec}]), read as the cluster watch reads them. */
export function ourProxyConfigs(items: Array<{ name: string; namespace: string; spec: unknown }>): ProxyConfigSet {
  const read = readProxyConfigs(
    items.map((p) => ({
      apiVersion: 'networking.istio.io/v1beta1',
      kind: 'ProxyConfig',
      metadata: { name: p.name, namespace: p.namespace },
      spec: p.spec,
    })),
  );
  if (read.warnings.length > 0) throw new Error(`the variant's ProxyConfig resources: ${read.warnings.join('; ')}`);
  return proxyConfigSet(read.resources);
}

/** What our webhook answers for this path and review (in-process: the same core the HTTP door calls). */
export function ourInjection(settings: Settings, path: string, review: unknown, cluster: ClusterState = {}): OurAnswer {
  let urlEnv: Record<string, string>;
  try {
    urlEnv = injectPathEnv(path.slice('/inject'.length));
  } catch {
    return { status: 400 };
  }
  const outcome = admit(review, { settings, urlEnv, ...cluster });
  return { status: 200, review: outcome.review };
}
