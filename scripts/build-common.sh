# Sourced by the build-*.sh scripts: messages prefixed with the script's name, and the hash that keys each
# cache (its go.sum) with whichever tool the machine has.
BUILD_NAME=$(basename "${BASH_SOURCE[1]:-$0}" .sh)

die() { echo "$BUILD_NAME: ERROR: $*" >&2; exit 1; }
log() { echo "$BUILD_NAME: $*" >&2; }

sha256_of() {
  if command -v sha256sum >/dev/null 2>&1; then sha256sum "$1" | awk '{print $1}'
  elif command -v shasum >/dev/null 2>&1; then shasum -a 256 "$1" | awk '{print $1}'
  elif command -v openssl >/dev/null 2>&1; then openssl dgst -sha256 -r "$1" | awk '{print $1}'
  else die "no sha256sum, shasum or openssl to hash $1"; fi
}
