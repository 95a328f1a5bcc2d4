package main

// probe: for each case (a pod, mesh, proxy config and values as JSON), builds Istio's SidecarTemplateData
// as istiod's RunTemplate fills it and answers, for each path, what text/template itself makes of it:
// the value's %T, nil-ness, encoding/json and protojson, and what {{ path }} prints (or its error).

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"reflect"
	"strings"
	"text/template"

	"google.golang.org/protobuf/proto"
	meshconfig "istio.io/api/mesh/v1alpha1"
	opconfig "istio.io/istio/operator/pkg/apis"
	"istio.io/istio/pkg/kube"
	"istio.io/istio/pkg/kube/inject"
	"istio.io/istio/pkg/util/protomarshal"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"
)

type probeCase struct {
	Pod              json.RawMessage `json:"pod"`
	Namespace        string          `json:"namespace"`
	Mesh             json.RawMessage `json:"mesh"`
	ProxyConfig      json.RawMessage `json:"proxyConfig"`
	Values           json.RawMessage `json:"values"`
	Revision         string          `json:"revision"`
	NativeSidecars   bool            `json:"nativeSidecars"`
	CompliancePolicy string          `json:"compliancePolicy"`
	// A path step is a field or method name (string) or a slice index (number).
	Paths [][]any `json:"paths"`
}

type probeResult struct {
	Type      string          `json:"type"`
	Nil       bool            `json:"nil"`
	JSON      json.RawMessage `json:"json,omitempty"`
	ProtoJSON json.RawMessage `json:"protojson,omitempty"`
	Printed   *string         `json:"printed,omitempty"`
	Error     string          `json:"error,omitempty"`
}

func buildData(c probeCase) (inject.SidecarTemplateData, error) {
	var pod corev1.Pod
	if err := json.Unmarshal(c.Pod, &pod); err != nil {
		return inject.SidecarTemplateData{}, fmt.Errorf("pod: %v", err)
	}
	pod.ManagedFields = nil
	if pod.Namespace == "" {
		pod.Namespace = c.Namespace
	}
	mesh := &meshconfig.MeshConfig{}
	if err := protomarshal.UnmarshalAllowUnknown(c.Mesh, mesh); err != nil {
		return inject.SidecarTemplateData{}, fmt.Errorf("mesh: %v", err)
	}
	pc := &meshconfig.ProxyConfig{}
	if err := protomarshal.UnmarshalAllowUnknown(c.ProxyConfig, pc); err != nil {
		return inject.SidecarTemplateData{}, fmt.Errorf("proxyConfig: %v", err)
	}
	valuesStruct := &opconfig.Values{}
	if err := protomarshal.ApplyYAML(string(c.Values), valuesStruct); err != nil {
		return inject.SidecarTemplateData{}, fmt.Errorf("values: %v", err)
	}
	values := map[string]any{}
	if err := yaml.Unmarshal(c.Values, &values); err != nil {
		return inject.SidecarTemplateData{}, fmt.Errorf("values: %v", err)
	}
	deploy, typeMeta := kube.GetDeployMetaFromPod(&pod)
	uid, gid := inject.GetProxyIDs(nil)
	return inject.SidecarTemplateData{
		TypeMeta:                 typeMeta,
		DeploymentMeta:           deploy,
		ObjectMeta:               pod.ObjectMeta,
		Spec:                     pod.Spec,
		ProxyConfig:              pc,
		MeshConfig:               mesh,
		Values:                   values,
		Revision:                 c.Revision,
		ProxyImage:               inject.ProxyImage(valuesStruct, pc.Image, pod.Annotations),
		ProxyInitImage:           inject.ProxyInitImage(valuesStruct, pod.Annotations),
		NativeSidecars:           c.NativeSidecars,
		ProxyUID:                 uid,
		ProxyGID:                 gid,
		InboundTrafficPolicyMode: inject.InboundTrafficPolicyMode(mesh),
		CompliancePolicy:         c.CompliancePolicy,
	}, nil
}

// The template expression for a path: fields chained, indices through `index`.
func expression(path []any) string {
	expr := ""
	for _, step := range path {
		switch s := step.(type) {
		case string:
			if expr == "" {
				expr = "." + s
			} else {
				expr += "." + s
			}
		case float64:
			base := expr
			if base == "" {
				base = "."
			}
			expr = fmt.Sprintf("(index %s %d)", base, int(s))
		}
	}
	if expr == "" {
		return "."
	}
	return expr
}

func probePath(data inject.SidecarTemplateData, path []any) probeResult {
	expr := expression(path)
	var got any
	var r probeResult
	funcs := template.FuncMap{"record": func(v any) string { got = v; return "" }}
	var out bytes.Buffer
	t := template.Must(template.New("probe").Funcs(funcs).Parse("{{ record (" + expr + ") }}"))
	if err := t.Execute(&out, data); err != nil {
		r.Error = strings.TrimPrefix(err.Error(), "template: ")
		return r
	}
	r.Type = fmt.Sprintf("%T", got)
	rv := reflect.ValueOf(got)
	r.Nil = got == nil
	switch rv.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Slice, reflect.Interface, reflect.Func:
		r.Nil = rv.IsNil()
	}
	if b, err := json.Marshal(got); err == nil {
		r.JSON = b
	}
	if m, ok := got.(proto.Message); ok && !r.Nil {
		if s, err := protomarshal.ToJSON(m); err == nil {
			r.ProtoJSON = json.RawMessage(s)
		}
	}
	out.Reset()
	if err := template.Must(template.New("print").Parse("{{ "+expr+" }}")).Execute(&out, data); err == nil {
		s := out.String()
		r.Printed = &s
	}
	return r
}

func probe(in io.Reader, out io.Writer) error {
	var cases []probeCase
	if err := json.NewDecoder(in).Decode(&cases); err != nil {
		return err
	}
	answers := make([]any, len(cases))
	for i, c := range cases {
		data, err := buildData(c)
		if err != nil {
			answers[i] = map[string]string{"error": err.Error()}
			continue
		}
		results := make([]probeResult, len(c.Paths))
		for j, p := range c.Paths {
			results[j] = probePath(data, p)
		}
		answers[i] = map[string]any{"results": results}
	}
	return json.NewEncoder(out).Encode(answers)
}
