#!/usr/bin/env bash
# Builds wasmd from Go module sources into a project-local cache (DESIGN.md §4):
# `go install wasmd@v` fails on wasmd's replace directives, so the module is
# downloaded, copied somewhere writable and built in place.
set -euo pipefail
WASMD_VERSION="${WASMD_VERSION:-v0.70.3}"
root="$(cd "$(dirname "$0")/.." && pwd)"
cache="$root/.cache/wasmd"
bin="$cache/bin/wasmd"
if [ -x "$bin" ] && [ -f "$cache/lib/libwasmvm.x86_64.so" ] && "$bin" version >/dev/null 2>&1; then
  echo "wasmd $("$bin" version 2>&1) already built at $bin"
  exit 0
fi
command -v go >/dev/null || { echo "error: go is required to build wasmd" >&2; exit 1; }
mkdir -p "$cache/src" "$cache/bin" "$cache/lib"
echo "downloading github.com/CosmWasm/wasmd@$WASMD_VERSION from the Go module proxy"
dir=$(cd "$cache" && GOFLAGS=-mod=mod go mod download -json "github.com/CosmWasm/wasmd@$WASMD_VERSION" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')
[ -n "$dir" ] || { echo "error: go mod download of wasmd failed" >&2; exit 1; }
rm -rf "$cache/src/wasmd" && cp -r "$dir" "$cache/src/wasmd" && chmod -R u+w "$cache/src/wasmd"
echo "building wasmd (cgo, a few minutes on 2 cores)"
(cd "$cache/src/wasmd" && CGO_ENABLED=1 go build -trimpath -o "$bin" ./cmd/wasmd)
# The binary finds libwasmvm through an rpath into the module cache; copy the .so
# next to it so the build survives a cleaned module cache (used via LD_LIBRARY_PATH).
so=$(cd "$cache/src/wasmd" && go list -m -f '{{.Dir}}' github.com/CosmWasm/wasmvm/v3 2>/dev/null || true)
so=$(find "${so:-/nonexistent}" -name 'libwasmvm.x86_64.so' 2>/dev/null | head -1)
[ -n "$so" ] && cp "$so" "$cache/lib/"
LD_LIBRARY_PATH="$cache/lib" "$bin" version
echo "wasmd built at $bin"
