// Command oracle runs istiod's own injection code (istio.io/istio/pkg/kube/inject) so the tests and the
// benchmark can compare this injector with Istio's on the same AdmissionReviews.
//
//	oracle render --out DIR [--set k=v]...   Istio's chart rendered as istioctl does; writes the
//	                                         ConfigMap data: config, values, mesh (and webhooks.yaml).
//	oracle serve --dir DIR [--revision R] [--proxy-configs F] [--nodes n=v1.33.0,...] [--listen ADDR]
//	                                         istiod's webhook handler: JSON lines on stdin/stdout, or
//	                                         HTTPS on ADDR (self-signed; prints "listening PORT").
//
// Native sidecars follow ENABLE_NATIVE_SIDECARS (true/false/auto) as in istiod.
package main

import (
	"fmt"
	"os"
)

func main() {
	if len(os.Args) < 2 {
		fail("usage: oracle render|serve ...")
	}
	var err error
	switch os.Args[1] {
	case "render":
		err = runRender(os.Args[2:])
	case "serve":
		err = runServe(os.Args[2:])
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fail(err.Error())
	}
}

func fail(message string) {
	fmt.Fprintln(os.Stderr, "oracle:", message)
	os.Exit(1)
}
