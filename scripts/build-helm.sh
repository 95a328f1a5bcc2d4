#!/usr/bin/env bash
# Build the helm CLI from the Go module proxy alone (test/helm-bin pins helm.sh/helm/v3 as a tool;
# see test/helm-bin/README.md for why it is built rather than downloaded).
#
# Output: ${HELM_BIN_DIR:-$HOME/.cache/sidecar-injector/helm/<helm version>}
#         containing helm and a stamp file (.go.sum.sha256).
# The build is skipped when helm exists and the stamp equals sha256(go.sum).
# Progress goes to stderr; the last line on stdout is the output directory.
# Needs only Go >= the go.mod's `go` line (helm v3.22 asks for 1.26) and the Go module proxy.
set -euo pipefail

# shellcheck source=build-common.sh
source "$(dirname "${BASH_SOURCE[0]}")/build-common.sh"

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
MOD_DIR=$(cd "$SCRIPT_DIR/../test/helm-bin" 2>/dev/null && pwd) \
  || die "module directory test/helm-bin not found next to scripts/"
[[ -f $MOD_DIR/go.mod && -f $MOD_DIR/go.sum ]] || die "$MOD_DIR/go.mod or go.sum is missing"

# Versions are read from go.mod so that the script and the module cannot disagree.
HELM_VERSION=$(awk '$1=="helm.sh/helm/v3" && $2 ~ /^v3\./ {print $2; exit}' "$MOD_DIR/go.mod")
CLIENT_GO=$(awk '$1=="k8s.io/client-go" && $2 ~ /^v0\./ {print $2; exit}' "$MOD_DIR/go.mod")
[[ -n $HELM_VERSION ]] || die "cannot read the helm.sh/helm/v3 version from $MOD_DIR/go.mod"
[[ -n $CLIENT_GO ]] || die "cannot read the k8s.io/client-go version from $MOD_DIR/go.mod"


[[ -n ${HOME:-} || -n ${HELM_BIN_DIR:-} ]] || die "neither HOME nor HELM_BIN_DIR is set"
OUT=${HELM_BIN_DIR:-$HOME/.cache/sidecar-injector/helm/$HELM_VERSION}
STAMP_FILE=$OUT/.go.sum.sha256
WANT_STAMP=$(sha256_of "$MOD_DIR/go.sum")

if [[ -x $OUT/helm && -f $STAMP_FILE && "$(cat "$STAMP_FILE")" == "$WANT_STAMP" ]]; then
  log "up to date (helm $HELM_VERSION, go.sum sha256 $WANT_STAMP), skipping build"
  echo "$OUT"
  exit 0
fi

command -v go >/dev/null 2>&1 || die "go is not on PATH (Go >= 1.26 is required to build helm $HELM_VERSION)"

export CGO_ENABLED=0 GOWORK=off GOTOOLCHAIN=local GOFLAGS="-trimpath -mod=readonly"
cd "$MOD_DIR"

# What helm's own Makefile sets: its version, and the Kubernetes version of its client libraries
# (the default .Capabilities.KubeVersion of `helm template` and `helm lint`).
k8s_minor=${CLIENT_GO#v0.}; k8s_minor=${k8s_minor%%.*}
X="-X helm.sh/helm/v3/internal/version.version=$HELM_VERSION -X helm.sh/helm/v3/internal/version.gitTreeState=clean"
for pkg in helm.sh/helm/v3/pkg/lint/rules helm.sh/helm/v3/pkg/chartutil; do
  X+=" -X $pkg.k8sVersionMajor=1 -X $pkg.k8sVersionMinor=$k8s_minor"
done

mkdir -p "$OUT" || die "cannot create $OUT"
TMP=$(mktemp -d "$OUT/.build.XXXXXX") || die "cannot create a temporary directory in $OUT"
trap 'rm -rf "$TMP"' EXIT

log "building helm $HELM_VERSION (Kubernetes libraries 1.$k8s_minor) into $OUT"
log "go: $(go version); GOMODCACHE=$(go env GOMODCACHE); GOCACHE=$(go env GOCACHE)"
start=$(date +%s)
go build -ldflags "-s -w $X" -o "$TMP/helm" helm.sh/helm/v3/cmd/helm >&2 \
  || die "go build of helm failed (module: $MOD_DIR; is the Go module proxy reachable? is go >= 1.26?)"
log "built in $(( $(date +%s) - start ))s"

got=$("$TMP/helm" version --template '{{.Version}}' 2>&1) || die "built helm does not run: $got"
[[ $got == "$HELM_VERSION" ]] || die "helm version printed '$got', expected '$HELM_VERSION'"

rm -f "$STAMP_FILE"
mv -f "$TMP/helm" "$OUT/helm" || die "cannot move helm into $OUT"
echo "$WANT_STAMP" >"$STAMP_FILE"
log "ok: helm $HELM_VERSION"
echo "$OUT"
