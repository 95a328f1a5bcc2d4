#!/usr/bin/env bash
# Build the oracle: istiod's own injector (istio.io/istio/pkg/kube/inject) wrapped by test/oracle, from the
# Go module proxy alone, plus a copy of Istio's Helm charts (manifests/) that its `render` command needs.
#
# Output: ${ORACLE_DIR:-$HOME/.cache/sidecar-injector/oracle/<sha256 of go.sum, 16 chars>}
#         containing the binary `oracle`, `manifests/` and a stamp file (.go.sum.sha256).
# The build is skipped when both exist and the stamp equals sha256(go.sum) and of the Go sources.
# Progress goes to stderr; the last line on stdout is the output directory.
set -euo pipefail

# shellcheck source=build-common.sh
source "$(dirname "${BASH_SOURCE[0]}")/build-common.sh"

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
MOD_DIR=$(cd "$SCRIPT_DIR/../test/oracle" && pwd) || die "module directory test/oracle not found"
[[ -f $MOD_DIR/go.mod && -f $MOD_DIR/go.sum ]] || die "$MOD_DIR/go.mod or go.sum is missing"

# The key covers go.sum (Istio's version and every dependency) and our few Go files.
WANT_STAMP=$(cat "$MOD_DIR/go.sum" "$MOD_DIR"/*.go | sha256sum | awk '{print $1}')
[[ -n ${HOME:-} || -n ${ORACLE_DIR:-} ]] || die "neither HOME nor ORACLE_DIR is set"
OUT=${ORACLE_DIR:-$HOME/.cache/sidecar-injector/oracle/$(sha256sum "$MOD_DIR/go.sum" | cut -c1-16)}
STAMP_FILE=$OUT/.go.sum.sha256

if [[ -x $OUT/oracle && -d $OUT/manifests && -f $STAMP_FILE && "$(cat "$STAMP_FILE")" == "$WANT_STAMP" ]]; then
  log "up to date ($OUT), skipping build"
  echo "$OUT"
  exit 0
fi
command -v go >/dev/null 2>&1 || die "go is not on PATH"
export CGO_ENABLED=0 GOWORK=off GOTOOLCHAIN=local GOFLAGS="-trimpath -mod=readonly"
cd "$MOD_DIR"
mkdir -p "$OUT" || die "cannot create $OUT"
TMP=$(mktemp -d "$OUT/.build.XXXXXX") || die "cannot create a temporary directory in $OUT"
trap 'rm -rf "$TMP"' EXIT

log "building istiod's injector (istio.io/istio $(awk '$1=="istio.io/istio"{print $2; exit}' go.mod)) into $OUT"
start=$(date +%s)
go build -ldflags "-s -w" -o "$TMP/oracle" . >&2 || die "go build failed (is the Go module proxy reachable?)"
ISTIO_DIR=$(go list -m -f '{{.Dir}}' istio.io/istio) || die "cannot find istio.io/istio in the module cache"
cp -r "$ISTIO_DIR/manifests" "$TMP/manifests" && chmod -R u+w "$TMP/manifests"
log "built in $(( $(date +%s) - start ))s"

"$TMP/oracle" render --manifests "$TMP/manifests" --out "$TMP/check" >/dev/null \
  || die "the built oracle cannot render Istio's default profile"
rm -rf "$TMP/check" "$OUT/manifests"
mv -f "$TMP/oracle" "$OUT/oracle" && mv "$TMP/manifests" "$OUT/manifests" || die "cannot move the build into $OUT"
echo "$WANT_STAMP" >"$STAMP_FILE"
log "ok"
echo "$OUT"
