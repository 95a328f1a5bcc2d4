// Where Istio's templates print pod data, and the YAML context each print lands in: every `{{ }}` of
// manifests/charts/istio-control/istio-discovery/files/injection-template.yaml (the sidecar template; line
// numbers are its own) that prints a value the pod controls, plus kube-gateway.yaml's toJsonMap. Each is a
// small rendered document shaped as Istio's, with a sibling after the print so that an absorbed or added
// field shows. Placeholders ⟦i⟧ take the pod values.

/** How the template function writes the value. */
export type Printer =
  | 'raw' // the value as text: index/annotation/printf/join of pod strings
  | 'quote' // sprig quote: Go's %q
  | 'json' // toJSON / toJsonMap of a map of pod strings, as one node
  | 'json-nindent' // toJsonMap | nindent 4 (kube-gateway), a node on its own line
  | 'yaml-pairs' // toYaml of a pod-given map | indent N, pairs joining the mapping they are printed in
  | 'json-text'; // protoToJSON / structToJSON into a block scalar: text of a string

export interface PrintContext {
  source: string;
  printer: Printer;
  template: string;
  /** For raw prints: each scalar holding placeholders, as the template writes it, and its style. */
  scalars?: ReadonlyArray<{ style: 'plain' | 'double' | 'single'; text: string }>;
  /** For yaml-pairs: the indentation `indent` is called with. */
  indent?: number;
  /** The value lands in an integer field of Go's Pod: only integers are ordinary there. */
  integer?: true;
}

const POD = (containerLines: string) =>
  `metadata:\n  labels:\n    app: reviews\nspec:\n  containers:\n  - name: istio-proxy\n${containerLines}  - name: after\n    image: b\n`;

export const ISTIO_PRINT_CONTEXTS: readonly PrintContext[] = [
  {
    source: 'L34 security.istio.io/tlsMode: {{ index .ObjectMeta.Labels ... | quote }} (and L6-18 cpu/memory, L38-39)',
    printer: 'quote',
    template: 'metadata:\n  labels:\n    security.istio.io/tlsMode: ⟦0⟧\n    service.istio.io/canonical-name: "reviews"\n',
  },
  {
    source: 'L44 kubectl.kubernetes.io/default-logs-container: "{{ index $containers 0 }}", in the annotations flow mapping (L54-67 alike)',
    printer: 'raw',
    template:
      'metadata:\n  annotations: {\n    istio.io/rev: "default",\n    kubectl.kubernetes.io/default-logs-container: "⟦0⟧",\n    sidecar.istio.io/interceptionMode: "REDIRECT",\n  }\n',
    scalars: [{ style: 'double', text: '⟦0⟧' }],
  },
  {
    source: 'L54-55 two annotations in one flow mapping: interceptionMode "{{ annotation ... }}", includeOutboundIPRanges "{{.}}"',
    printer: 'raw',
    template:
      'metadata:\n  annotations: {\n    sidecar.istio.io/interceptionMode: "⟦0⟧",\n    traffic.sidecar.istio.io/includeOutboundIPRanges: "⟦1⟧",\n    x: "y",\n  }\n',
    scalars: [
      { style: 'double', text: '⟦0⟧' },
      { style: 'double', text: '⟦1⟧' },
    ],
  },
  {
    source: 'two pod values in one quoted scalar, "{{ .Name }}.{{ .Namespace }}" (the issue\'s example)',
    printer: 'raw',
    template: POD('    env:\n    - name: A\n      value: "⟦0⟧.⟦1⟧"\n    - name: B\n'),
    scalars: [{ style: 'double', text: '⟦0⟧.⟦1⟧' }],
  },
  {
    source: "L52 k8s.v1.cni.cncf.io/networks: '{{ appendMultusNetwork ... }}', in the annotations flow mapping",
    printer: 'raw',
    template: 'metadata:\n  annotations: {\n    istio.io/rev: "default",\n    k8s.v1.cni.cncf.io/networks: \'⟦0⟧\',\n    x: "y",\n  }\n',
    scalars: [{ style: 'single', text: '⟦0⟧' }],
  },
  {
    source: 'L88 image: "{{ annotation .ObjectMeta `sidecar.istio.io/proxyImage` ... }}"',
    printer: 'raw',
    template: POD('    image: "⟦0⟧"\n    args:\n    - proxy\n'),
    scalars: [{ style: 'double', text: '⟦0⟧' }],
  },
  {
    source: 'L110 - "15090,15021,{{ excludeInboundPort ... }}" (L101-131 alike)',
    printer: 'raw',
    template: POD('    args:\n    - "-d"\n    - "15090,15021,⟦0⟧"\n    - "-o"\n'),
    scalars: [{ style: 'double', text: '15090,15021,⟦0⟧' }],
  },
  {
    source: 'L133 - "--log_output_level={{ annotation ... agentLogLevel ... }}"',
    printer: 'raw',
    template: POD('    args:\n    - "--log_output_level=⟦0⟧"\n    - "--log_as_json"\n'),
    scalars: [{ style: 'double', text: '--log_output_level=⟦0⟧' }],
  },
  {
    source: 'L150 - name: {{ $key }} (proxyMetadata from proxy.istio.io/config; L348 datadog env alike)',
    printer: 'raw',
    template: POD('    env:\n    - name: ⟦0⟧\n      value: "x"\n    - name: B\n'),
    scalars: [{ style: 'plain', text: '⟦0⟧' }],
  },
  {
    source: 'L151 value: "{{ $value }}" (L292 join of container names, L305, L325, L349, L355 alike)',
    printer: 'raw',
    template: POD('    env:\n    - name: A\n      value: "⟦0⟧"\n    - name: B\n'),
    scalars: [{ style: 'double', text: '⟦0⟧' }],
  },
  {
    source: 'L203 - --proxyLogLevel={{ annotation ... logLevel ... }} (L204-205, L233 alike)',
    printer: 'raw',
    template: POD('    args:\n    - proxy\n    - --proxyLogLevel=⟦0⟧\n    - --log_output_level=info\n'),
    scalars: [{ style: 'plain', text: '--proxyLogLevel=⟦0⟧' }],
  },
  {
    source: 'L329 value: kubernetes://apis/{{ .TypeMeta.APIVersion }}/namespaces/{{ ns }}/{{ toLower .TypeMeta.Kind }}s/{{ .DeploymentMeta.Name }}',
    printer: 'raw',
    template: POD('    env:\n    - name: ISTIO_META_OWNER\n      value: kubernetes://apis/⟦0⟧/namespaces/⟦1⟧/⟦2⟧s/⟦3⟧\n    - name: B\n'),
    scalars: [{ style: 'plain', text: 'kubernetes://apis/⟦0⟧/namespaces/⟦1⟧/⟦2⟧s/⟦3⟧' }],
  },
  {
    source: 'L377 initialDelaySeconds: {{ annotation ... }} (L378, L380 alike): an integer field',
    printer: 'raw',
    template: POD('    readinessProbe:\n      initialDelaySeconds: ⟦0⟧\n      timeoutSeconds: 3\n'),
    scalars: [{ style: 'plain', text: '⟦0⟧' }],
    integer: true,
  },
  {
    source: 'L466 - mountPath: {{ directory .ProxyConfig.GetTracing.GetTlsSettings.GetCaCertificates }}',
    printer: 'raw',
    template: POD('    volumeMounts:\n    - mountPath: ⟦0⟧\n      name: lightstep-certs\n'),
    scalars: [{ style: 'plain', text: '⟦0⟧' }],
  },
  {
    source: 'L492 name: {{ annotation .ObjectMeta `sidecar.istio.io/bootstrapOverride` "" }}',
    printer: 'raw',
    template: 'spec:\n  volumes:\n  - name: custom-bootstrap-volume\n    configMap:\n      name: ⟦0⟧\n  - name: after\n',
    scalars: [{ style: 'plain', text: '⟦0⟧' }],
  },
  {
    source: 'L541 secretName: {{ printf "istio.%s" .Spec.ServiceAccountName }} (the printf result is the span)',
    printer: 'raw',
    template: 'spec:\n  volumes:\n  - name: istio-certs\n    secret:\n      optional: true\n      secretName: istio.⟦0⟧\n  - name: after\n',
    scalars: [{ style: 'plain', text: 'istio.⟦0⟧' }],
  },
  {
    source: 'L472 - name: "{{ $index }}" (userVolumeMount keys; L546 alike)',
    printer: 'raw',
    template: POD('    volumeMounts:\n    - name: "⟦0⟧"\n      mountPath: /x\n'),
    scalars: [{ style: 'double', text: '⟦0⟧' }],
  },
  {
    source: 'L473 {{ toYaml $value | indent 6 }} after - name: "{{ $index }}" (sidecar.istio.io/userVolumeMount)',
    printer: 'yaml-pairs',
    indent: 6,
    template: POD('    volumeMounts:\n    - name: "m"\n      ⟦0⟧\n    - name: istio-envoy\n'),
  },
  {
    source: 'L547 {{ toYaml $value | indent 4 }} after - name: "{{ $index }}" (sidecar.istio.io/userVolume)',
    printer: 'yaml-pairs',
    indent: 4,
    template: 'spec:\n  volumes:\n  - name: "v"\n    ⟦0⟧\n  - name: after\n',
  },
  {
    source: 'L277 PROXY_CONFIG value: | {{ protoToJSON .ProxyConfig }} (proxy.istio.io/config)',
    printer: 'json-text',
    template: POD('    env:\n    - name: PROXY_CONFIG\n      value: |\n             ⟦0⟧\n    - name: B\n'),
  },
  {
    source: 'L285 ISTIO_META_POD_PORTS value: |- [ {{ structToJSON $p }} ] (the pod containers ports)',
    printer: 'json-text',
    template: POD('    env:\n    - name: ISTIO_META_POD_PORTS\n      value: |-\n        [\n            ⟦0⟧\n        ]\n    - name: B\n'),
  },
  {
    source: 'kube-gateway.yaml L7 annotations: {{ toJsonMap (omit .InfrastructureAnnotations ...) | nindent 4 }}',
    printer: 'json-nindent',
    template: 'metadata:\n  name: "gw"\n  annotations:⟦0⟧\n  labels:\n    a: b\n',
  },
  {
    source: 'toJSON of pod strings as a flow value (annotations: {{ toJSON .ObjectMeta.Annotations }})',
    printer: 'json',
    template: 'metadata:\n  annotations: ⟦0⟧\n  labels:\n    a: b\n',
  },
];
