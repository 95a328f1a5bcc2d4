// Istio's SidecarTemplateData (pkg/kube/inject/inject.go) as Go templates see it, from what our pipeline
// already worked out (render/template-data.ts): the same fields, Go types and values istiod's RunTemplate
// fills in, built lazily over the pod's and the configs' JSON so a render pays only for what it reads.
import { ANNOTATION } from '../../annotations.ts';
import type { RenderContext } from '../../render/template-data.ts';
import { imageUrl } from '../../render/template-data.ts';
import { isObject } from '../../types.ts';
import { type GoValue, Tainted } from '../value.ts';
import { ROOT_TYPE } from './go-types.generated.ts';
import { GoStruct } from './struct.ts';

export interface GoTemplateDataOptions {
  /** Istio's COMPLIANCE_POLICY (istiod's environment; '' unless set). */
  compliancePolicy?: string;
}

/** Istio's GetProxyIDs without an OpenShift namespace range: constants.DefaultProxyUIDInt. */
const DEFAULT_PROXY_ID = 1337;

// The fields a pod author controls: the pod itself and what Istio derives from its owner reference.
const POD_FIELDS = new Set(['TypeMeta', 'DeploymentMeta', 'ObjectMeta', 'Spec']);

/**
 * The root fields a pod author shaped: the pod's own, the ProxyConfig its proxy.istio.io/config wrote into,
 * and the image URLs its sidecar.istio.io/proxyImageType (or that config's image.imageType) ends.
 */
function taintedFields(annotations: Record<string, string>): ReadonlySet<string> {
  const byConfig = Object.hasOwn(annotations, ANNOTATION.proxyConfig);
  const byImageType = Object.hasOwn(annotations, ANNOTATION.proxyImageType);
  if (!byConfig && !byImageType) return POD_FIELDS;
  const fields = new Set(POD_FIELDS);
  if (byConfig) fields.add('ProxyConfig').add('ProxyImage');
  if (byImageType) fields.add('ProxyImage').add('ProxyInitImage');
  return fields;
}

/** The root value: fields the pod controls come out Tainted (their members are tainted through access). */
class SidecarTemplateData extends GoStruct {
  private readonly taintedCache = new Map<string, GoValue>();
  constructor(
    raw: Record<string, unknown>,
    private readonly tainted: ReadonlySet<string>,
  ) {
    super(ROOT_TYPE, raw, false);
  }
  override fieldAt(i: number): GoValue {
    const v = super.fieldAt(i);
    const name = this.desc.f![i]!.n;
    if (!this.tainted.has(name)) return v;
    let t = this.taintedCache.get(name);
    if (t === undefined) {
      t = new Tainted(v, undefined, { key: name });
      this.taintedCache.set(name, t);
    }
    return t;
  }
}

/**
 * SidecarTemplateData for a render. The ProxyConfig is tainted as a whole when the pod has a
 * proxy.istio.io/config annotation: a serializer (protoToJSON) given it must know that its text holds
 * pod data, and taint is a property of a value, not of some of its fields.
 */
export function goTemplateData(ctx: RenderContext, options: GoTemplateDataOptions = {}): GoStruct {
  const { settings, pod, workload } = ctx;
  const { summary } = settings;
  const annotations = pod.metadata.annotations ?? {};
  const image = ctx.proxyConfig.image;
  const proxyImageType = String((isObject(image) ? image.imageType : undefined) ?? '');
  // Istio drops managedFields before anything and fills in the request's namespace
  const { managedFields: _managed, ...metadata } = pod.metadata as Record<string, unknown>;
  if (!metadata.namespace) metadata.namespace = workload.namespace;
  const raw: Record<string, unknown> = {
    TypeMeta: { kind: workload.kind, apiVersion: workload.apiVersion },
    DeploymentMeta: { Name: workload.name, Namespace: workload.namespace },
    ObjectMeta: metadata,
    Spec: pod.spec,
    ProxyConfig: ctx.proxyConfig,
    MeshConfig: settings.mesh,
    Values: settings.values,
    Revision: summary.revision,
    NativeSidecars: ctx.nativeSidecars,
    ProxyImage: imageUrl(summary.images, summary.images.proxy, proxyImageType, annotations),
    ProxyInitImage: imageUrl(summary.images, summary.images.proxyInit, '', annotations),
    ProxyUID: DEFAULT_PROXY_ID,
    ProxyGID: DEFAULT_PROXY_ID,
    InboundTrafficPolicyMode: summary.inboundTrafficPolicyMode,
    CompliancePolicy: options.compliancePolicy ?? '',
  };
  return new SidecarTemplateData(raw, taintedFields(annotations));
}
