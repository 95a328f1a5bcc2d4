// Istio's SidecarTemplateData (pkg/kube/inject/inject.go) as Go templates see it, from what our pipeline
// already worked out (render/template-data.ts): the same fields, Go types and values istiod's RunTemplate
// fills in, built lazily over the pod's and the configs' JSON so a render pays only for what it reads.
import { ANNOTATION } from '../../annotations.ts';
import type { RenderContext } from '../../render/template-data.ts';
import { imageUrl } from '../../render/template-data.ts';
import { isObject } from '../../types.ts';
import { type GoValue, Tainted } from '../value.ts';
import { ROOT_TYPE } from './go-types.generated.ts';
import { goTypeDesc } from './go-types.ts';
import { GoStruct } from './struct.ts';
import { goValue } from './wrap.ts';

export interface GoTemplateDataOptions {
  /** Istio's COMPLIANCE_POLICY (istiod's environment; '' unless set). */
  compliancePolicy?: string;
}

/** Istio's GetProxyIDs without an OpenShift namespace range: constants.DefaultProxyUIDInt. */
const DEFAULT_PROXY_ID = 1337;

// The fields a pod author controls: the pod itself and what Istio derives from its owner reference.
const POD_FIELDS = new Set(['TypeMeta', 'DeploymentMeta', 'ObjectMeta', 'Spec']);
const OBJECT_META_FIELD = goTypeDesc(ROOT_TYPE).f!.findIndex((f) => f.n === 'ObjectMeta');

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
    private readonly objectMeta: PodObjectMeta,
  ) {
    super(ROOT_TYPE, raw, false);
  }
  override fieldAt(i: number): GoValue {
    const v = i === OBJECT_META_FIELD ? this.objectMeta : super.fieldAt(i);
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

const OBJECT_META = goTypeDesc('v1.ObjectMeta').f!;
const NAMESPACE_FIELD = OBJECT_META.findIndex((f) => f.n === 'Namespace');
const MANAGED_FIELDS_FIELD = OBJECT_META.findIndex((f) => f.n === 'ManagedFields');

/**
 * The pod's ObjectMeta as istiod hands it to templates: without managedFields (dropped before anything),
 * the request's namespace when the pod has none. Over the pod's own metadata, read field by field as the
 * template asks (a copy would read every field: render reuse keys a render on what it read).
 */
class PodObjectMeta extends GoStruct {
  constructor(
    metadata: Record<string, unknown>,
    private readonly requestNamespace: string,
  ) {
    super('v1.ObjectMeta', metadata, false);
  }
  override fieldAt(i: number): GoValue {
    if (i === MANAGED_FIELDS_FIELD) return goValue(OBJECT_META[i]!.t, undefined, false);
    if (i === NAMESPACE_FIELD && !this.raw.namespace) return this.requestNamespace;
    return super.fieldAt(i);
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
  // read when the template asks: the workload is the pod's (prepare.ts), each value only as a render uses it
  const raw: Record<string, unknown> = {
    TypeMeta: {
      get kind() {
        return workload.kind;
      },
      get apiVersion() {
        return workload.apiVersion;
      },
    },
    DeploymentMeta: {
      get Name() {
        return workload.name;
      },
      get Namespace() {
        return workload.namespace;
      },
    },
    ObjectMeta: undefined, // PodObjectMeta
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
  return new SidecarTemplateData(raw, taintedFields(annotations), new PodObjectMeta(pod.metadata as Record<string, unknown>, workload.namespace));
}
