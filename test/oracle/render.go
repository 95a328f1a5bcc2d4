package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"istio.io/istio/operator/pkg/render"
)

type setFlags []string

func (s *setFlags) String() string     { return strings.Join(*s, ",") }
func (s *setFlags) Set(v string) error { *s = append(*s, v); return nil }

// runRender renders Istio's charts (from the istio.io/istio module's manifests/) with the given settings
// and writes the injector's ConfigMap data exactly as a real install would have it.
func runRender(args []string) error {
	fs := flag.NewFlagSet("render", flag.ContinueOnError)
	out := fs.String("out", "", "directory to write config, values, mesh and webhooks.yaml into")
	manifests := fs.String("manifests", "", "Istio's manifests/ directory")
	var sets setFlags
	fs.Var(&sets, "set", "istioctl-style setting (repeatable)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" || *manifests == "" {
		return fmt.Errorf("render needs --out and --manifests")
	}
	flags := append([]string{"installPackagePath=" + *manifests, "profile=default"}, sets...)
	sets2, _, err := render.GenerateManifest(nil, flags, false, nil, nil)
	if err != nil {
		return fmt.Errorf("render: %v", err)
	}
	files := map[string]string{}
	var webhooks []string
	for _, set := range sets2 {
		for _, m := range set.Manifests {
			name := m.GetName()
			switch {
			case m.GetKind() == "ConfigMap" && strings.HasPrefix(name, "istio-sidecar-injector"):
				data, _, _ := unstructuredStrings(m.Object, "data")
				files["config"], files["values"] = data["config"], data["values"]
			case m.GetKind() == "ConfigMap" && (name == "istio" || strings.HasPrefix(name, "istio-")):
				data, _, _ := unstructuredStrings(m.Object, "data")
				if mesh, ok := data["mesh"]; ok {
					files["mesh"] = mesh
				}
			case m.GetKind() == "MutatingWebhookConfiguration":
				webhooks = append(webhooks, m.Content)
			}
		}
	}
	for _, key := range []string{"config", "values", "mesh"} {
		if files[key] == "" {
			return fmt.Errorf("render produced no %s", key)
		}
	}
	files["webhooks.yaml"] = strings.Join(webhooks, "\n---\n")
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(*out, name), []byte(content), 0o644); err != nil {
			return err
		}
	}
	return nil
}

func unstructuredStrings(obj map[string]any, key string) (map[string]string, bool, error) {
	raw, ok := obj[key].(map[string]any)
	if !ok {
		return nil, false, nil
	}
	out := map[string]string{}
	for k, v := range raw {
		if s, ok := v.(string); ok {
			out[k] = s
		}
	}
	return out, true, nil
}
