package main

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"flag"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"time"

	"istio.io/istio/pilot/pkg/model"
	"istio.io/istio/pkg/config/mesh"
	"istio.io/istio/pkg/config/mesh/meshwatcher"
	"istio.io/istio/pkg/kube"
	"istio.io/istio/pkg/kube/inject"
	"istio.io/istio/pkg/kube/multicluster"
	istiolog "istio.io/istio/pkg/log"
	corev1 "k8s.io/api/core/v1"
)

type serveOptions struct {
	dir, revision, proxyConfigs, nodes, listen, cluster, certFile, keyFile string
}

// runServe starts istiod's injection webhook (NewWebhook registers istiod's /inject handlers on a mux)
// and feeds it AdmissionReviews: JSON lines on stdin, or HTTPS for the benchmark.
func runServe(args []string) error {
	var o serveOptions
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.StringVar(&o.dir, "dir", "", "directory with config, values and mesh (as render writes them)")
	fs.StringVar(&o.revision, "revision", "", "istio.io/rev this injector serves")
	fs.StringVar(&o.proxyConfigs, "proxy-configs", "", "JSON file: [{name, namespace, spec}] ProxyConfig resources")
	fs.StringVar(&o.nodes, "nodes", "", "nodes for native-sidecar auto detection: name=kubeletVersion,...")
	fs.StringVar(&o.cluster, "cluster", "Kubernetes", "cluster ID the nodes belong to")
	fs.StringVar(&o.listen, "listen", "", "serve HTTPS on this address instead of JSON lines")
	fs.StringVar(&o.certFile, "cert", "", "serving certificate (PEM) for --listen; self-signed when absent")
	fs.StringVar(&o.keyFile, "key", "", "its private key (PEM)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	quietLogs()
	mux, err := buildWebhook(o)
	if err != nil {
		return err
	}
	if o.listen != "" {
		return serveHTTPS(mux, o)
	}
	return serveLines(mux)
}

func quietLogs() {
	opts := istiolog.DefaultOptions()
	opts.OutputPaths = []string{"stderr"}
	for name := range istiolog.Scopes() {
		opts.SetDefaultOutputLevel(name, istiolog.NoneLevel)
	}
	opts.SetDefaultOutputLevel(istiolog.DefaultScopeName, istiolog.NoneLevel)
	_ = istiolog.Configure(opts)
	for _, scope := range istiolog.Scopes() {
		scope.SetOutputLevel(istiolog.NoneLevel)
	}
}

func buildWebhook(o serveOptions) (*http.ServeMux, error) {
	meshYAML, err := os.ReadFile(filepath.Join(o.dir, "mesh"))
	if err != nil {
		return nil, err
	}
	meshConfig, err := mesh.ApplyMeshConfig(string(meshYAML), mesh.DefaultMeshConfig())
	if err != nil {
		return nil, fmt.Errorf("mesh: %v", err)
	}
	store := model.NewFakeStore()
	if err := loadProxyConfigs(store, o.proxyConfigs); err != nil {
		return nil, err
	}
	env := &model.Environment{Watcher: meshwatcher.NewTestWatcher(meshConfig), ConfigStore: store}
	env.SetPushContext(&model.PushContext{ProxyConfigs: model.GetProxyConfigs(store, meshConfig)})
	watcher, err := inject.NewFileWatcher(filepath.Join(o.dir, "config"), filepath.Join(o.dir, "values"))
	if err != nil {
		return nil, err
	}
	stop := make(chan struct{})
	clusters := multicluster.NewFakeController()
	mux := http.NewServeMux()
	wh, err := inject.NewWebhook(inject.WebhookParameters{
		Watcher: watcher, Env: env, Mux: mux, Revision: o.revision, MultiCluster: clusters,
	})
	if err != nil {
		return nil, err
	}
	client := kube.NewFakeClient(nodeObjects(o.nodes)...)
	clusters.Add(clusterID(o.cluster), client, stop)
	client.RunAndWait(stop)
	wh.Run(stop)
	return mux, nil
}

// serveLines answers one JSON line {"path", "review"} with one line {"status", "body"}.
func serveLines(mux *http.ServeMux) error {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 64<<20)
	out := bufio.NewWriter(os.Stdout)
	for in.Scan() {
		var req struct {
			Path      string          `json:"path"`
			Review    json.RawMessage `json:"review"`
			Canonical json.RawMessage `json:"canonical"`
		}
		if err := json.Unmarshal(in.Bytes(), &req); err != nil {
			return fmt.Errorf("bad request line: %v", err)
		}
		if req.Canonical != nil {
			if err := writeLine(out, canonicalPod(req.Canonical)); err != nil {
				return err
			}
			continue
		}
		if req.Path == "" {
			req.Path = "/inject"
		}
		r := httptest.NewRequest(http.MethodPost, req.Path, strings.NewReader(string(req.Review)))
		r.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, r)
		if err := writeLine(out, map[string]any{"status": w.Code, "body": w.Body.String()}); err != nil {
			return err
		}
	}
	return in.Err()
}

func writeLine(out *bufio.Writer, answer map[string]any) error {
	line, _ := json.Marshal(answer)
	out.Write(line)
	out.WriteByte('\n')
	return out.Flush()
}

// canonicalPod is a Pod as the API server stores it before defaulting: decoded into Kubernetes' Go types
// and encoded again (omitempty fields dropped, quantities in canonical form, unknown fields gone).
func canonicalPod(raw json.RawMessage) map[string]any {
	var pod corev1.Pod
	if err := json.Unmarshal(raw, &pod); err != nil {
		return map[string]any{"status": 422, "body": err.Error()}
	}
	body, _ := json.Marshal(&pod)
	return map[string]any{"status": 200, "body": string(body)}
}

func serveHTTPS(mux *http.ServeMux, o serveOptions) error {
	cert, err := selfSigned()
	if o.certFile != "" {
		cert, err = tls.LoadX509KeyPair(o.certFile, o.keyFile)
	}
	if err != nil {
		return err
	}
	listener, err := net.Listen("tcp", o.listen)
	if err != nil {
		return err
	}
	fmt.Printf("listening %d\n", listener.Addr().(*net.TCPAddr).Port)
	server := &http.Server{
		Handler:   mux,
		TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12},
	}
	return server.ServeTLS(listener, "", "")
}

func selfSigned() (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	template := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "istiod-oracle"},
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, template, template, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, nil
}
