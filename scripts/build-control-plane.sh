#!/usr/bin/env bash
# Build the test control plane (kube-apiserver, etcd, kubectl) from the Go module proxy alone.
#
# The Go module in test/e2e/k8s-bins pins k8s.io/kubernetes and replaces every k8s.io staging
# module with its published v0.<minor>.<patch> twin; see test/e2e/k8s-bins/README.md.
#
# Output: ${K8S_BIN_DIR:-$HOME/.cache/sidecar-injector/k8s-bin/<kubernetes version>}
#         containing kube-apiserver, etcd, kubectl and a stamp file (.go.sum.sha256).
# The build is skipped when all binaries exist and the stamp equals sha256(go.sum).
# Progress goes to stderr; the last line on stdout is the output directory.
# Needs only Go >= the go.mod's `go` line (1.24) and network access to the Go module proxy.
set -euo pipefail

# shellcheck source=build-common.sh
source "$(dirname "${BASH_SOURCE[0]}")/build-common.sh"

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
MOD_DIR=$(cd "$SCRIPT_DIR/../test/e2e/k8s-bins" 2>/dev/null && pwd) \
  || die "module directory test/e2e/k8s-bins not found next to scripts/"
[[ -f $MOD_DIR/go.mod && -f $MOD_DIR/go.sum ]] || die "$MOD_DIR/go.mod or go.sum is missing"

# Versions are read from go.mod so that the script and the module cannot disagree.
K8S_VERSION=$(awk '$1=="k8s.io/kubernetes" && $2 ~ /^v1\./ {print $2; exit}' "$MOD_DIR/go.mod")
ETCD_VERSION=$(awk '$1=="go.etcd.io/etcd/server/v3" && $2 ~ /^v3\./ {print $2; exit}' "$MOD_DIR/go.mod")
[[ -n $K8S_VERSION ]] || die "cannot read the k8s.io/kubernetes version from $MOD_DIR/go.mod"
[[ -n $ETCD_VERSION ]] || die "cannot read the go.etcd.io/etcd/server/v3 version from $MOD_DIR/go.mod"


[[ -n ${HOME:-} || -n ${K8S_BIN_DIR:-} ]] || die "neither HOME nor K8S_BIN_DIR is set"
OUT=${K8S_BIN_DIR:-$HOME/.cache/sidecar-injector/k8s-bin/$K8S_VERSION}
BINS=(kube-apiserver etcd kubectl)
STAMP_FILE=$OUT/.go.sum.sha256
WANT_STAMP=$(sha256_of "$MOD_DIR/go.sum")

have_all=1
for b in "${BINS[@]}"; do [[ -x $OUT/$b ]] || have_all=0; done
if [[ $have_all == 1 && -f $STAMP_FILE && "$(cat "$STAMP_FILE")" == "$WANT_STAMP" ]]; then
  log "up to date (kubernetes $K8S_VERSION, etcd $ETCD_VERSION, go.sum sha256 $WANT_STAMP), skipping build"
  echo "$OUT"
  exit 0
fi

command -v go >/dev/null 2>&1 || die "go is not on PATH (Go >= 1.24 is required to build the control plane)"

export CGO_ENABLED=0 GOWORK=off GOTOOLCHAIN=local GOFLAGS="-trimpath -mod=readonly"
cd "$MOD_DIR"

# Fetch the .info of k8s.io/kubernetes for the commit hash and tag time (best effort; they only
# feed `--version` output). `go mod download` verifies against go.sum.
K8S_COMMIT="" K8S_DATE="1970-01-01T00:00:00Z"
if info_json=$(go mod download -json "k8s.io/kubernetes@$K8S_VERSION" 2>/dev/null); then
  info_file=$(sed -n 's/^[[:space:]]*"Info": "\(.*\)",*$/\1/p' <<<"$info_json")
  if [[ -n $info_file && -f $info_file ]]; then
    K8S_COMMIT=$(sed -n 's/.*"Hash":"\([0-9a-f]\{40\}\)".*/\1/p' "$info_file")
    d=$(sed -n 's/.*"Time":"\([0-9TZ:-]*\)".*/\1/p' "$info_file"); [[ -n $d ]] && K8S_DATE=$d
  fi
fi

k8s_minor=${K8S_VERSION#v1.}; k8s_minor=${k8s_minor%%.*}
X=""
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  X+=" -X $pkg.gitVersion=$K8S_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$k8s_minor"
  X+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=$K8S_DATE"
  [[ -n $K8S_COMMIT ]] && X+=" -X $pkg.gitCommit=$K8S_COMMIT"
done

mkdir -p "$OUT" || die "cannot create $OUT"
TMP=$(mktemp -d "$OUT/.build.XXXXXX") || die "cannot create a temporary directory in $OUT"
trap 'rm -rf "$TMP"' EXIT

log "building kubernetes $K8S_VERSION (kube-apiserver, kubectl) and etcd $ETCD_VERSION into $OUT"
log "go: $(go version); GOMODCACHE=$(go env GOMODCACHE); GOCACHE=$(go env GOCACHE)"
start=$(date +%s)
# Two invocations: kube-apiserver+kubectl share most packages; etcd gets no k8s ldflags.
go build -ldflags "-s -w$X" -o "$TMP/" k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kubectl >&2 \
  || die "go build of kube-apiserver/kubectl failed (module: $MOD_DIR; is the Go module proxy reachable?)"
go build -ldflags "-s -w" -o "$TMP/etcd" go.etcd.io/etcd/server/v3 >&2 \
  || die "go build of etcd failed (module: $MOD_DIR; is the Go module proxy reachable?)"
log "built in $(( $(date +%s) - start ))s"

got=$("$TMP/kube-apiserver" --version 2>&1) || die "built kube-apiserver does not run: $got"
[[ $got == "Kubernetes $K8S_VERSION" ]] || die "kube-apiserver --version printed '$got', expected 'Kubernetes $K8S_VERSION'"
got=$("$TMP/etcd" --version 2>&1) || die "built etcd does not run: $got"
grep -q "^etcd Version: ${ETCD_VERSION#v}\$" <<<"$got" || die "etcd --version printed '$got', expected ${ETCD_VERSION#v}"
got=$("$TMP/kubectl" version --client 2>&1) || die "built kubectl does not run: $got"
grep -q "^Client Version: $K8S_VERSION\$" <<<"$got" || die "kubectl version --client printed '$got'"

rm -f "$STAMP_FILE"
for b in "${BINS[@]}"; do mv -f "$TMP/$b" "$OUT/$b" || die "cannot move $b into $OUT"; done
echo "$WANT_STAMP" >"$STAMP_FILE"
log "ok: kube-apiserver $K8S_VERSION, kubectl $K8S_VERSION, etcd $ETCD_VERSION"
echo "$OUT"
