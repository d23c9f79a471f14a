#!/usr/bin/env bash
# Builds MinIO (a real S3-compatible server) from Go module sources into a
# project-local cache, for the S3 public-storage tests. Reused when present.
set -euo pipefail
MINIO_VERSION="${MINIO_VERSION:-v0.0.0-20260212201848-7aac2a2c5b7c}"
root="$(cd "$(dirname "$0")/.." && pwd)"
cache="$root/.cache/minio"
bin="$cache/bin/minio"
if [ -x "$bin" ] && [ "${MINIO_FORCE:-0}" != 1 ]; then
  echo "minio already built at $bin"
  exit 0
fi
command -v go >/dev/null || { echo "error: go is required to build minio" >&2; exit 1; }
mkdir -p "$cache/bin"
echo "building github.com/minio/minio@$MINIO_VERSION (first build: several minutes on 2 cores)"
start=$(date +%s)
GOBIN="$cache/bin" CGO_ENABLED=0 go install -trimpath -ldflags "-s -w" "github.com/minio/minio@$MINIO_VERSION"
echo "minio built at $bin in $(( $(date +%s) - start )) s"
