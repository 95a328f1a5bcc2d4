package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"

	meshv1beta1 "istio.io/api/networking/v1beta1"
	"istio.io/istio/pilot/pkg/model"
	"istio.io/istio/pkg/cluster"
	"istio.io/istio/pkg/config"
	"istio.io/istio/pkg/config/schema/gvk"
	"istio.io/istio/pkg/util/protomarshal"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

func clusterID(name string) cluster.ID { return cluster.ID(name) }

// nodeObjects turns "name=v1.33.0,other=v1.30.2" into Nodes with those kubelet versions.
func nodeObjects(spec string) []runtime.Object {
	var nodes []runtime.Object
	for _, entry := range strings.Split(spec, ",") {
		name, version, ok := strings.Cut(entry, "=")
		if !ok {
			continue
		}
		nodes = append(nodes, &corev1.Node{
			ObjectMeta: metav1.ObjectMeta{Name: name},
			Status:     corev1.NodeStatus{NodeInfo: corev1.NodeSystemInfo{KubeletVersion: version}},
		})
	}
	return nodes
}

// loadProxyConfigs adds ProxyConfig resources ([{name, namespace, spec}], spec as in the CRD) to the store.
func loadProxyConfigs(store model.ConfigStore, file string) error {
	if file == "" {
		return nil
	}
	raw, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	var items []struct {
		Name      string          `json:"name"`
		Namespace string          `json:"namespace"`
		Spec      json.RawMessage `json:"spec"`
	}
	if err := json.Unmarshal(raw, &items); err != nil {
		return fmt.Errorf("proxy configs: %v", err)
	}
	for _, item := range items {
		spec := &meshv1beta1.ProxyConfig{}
		if err := protomarshal.Unmarshal(item.Spec, spec); err != nil {
			return fmt.Errorf("proxy config %s/%s: %v", item.Namespace, item.Name, err)
		}
		_, err := store.Create(config.Config{
			Meta: config.Meta{GroupVersionKind: gvk.ProxyConfig, Name: item.Name, Namespace: item.Namespace},
			Spec: spec,
		})
		if err != nil {
			return err
		}
	}
	return nil
}
