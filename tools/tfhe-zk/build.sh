#!/usr/bin/env bash
# Builds tkms-tfhe-zk, the cores' native proof verifier (tools/tfhe-zk: tfhe-rs
# 1.7.0 from crates.io, the version node-tfhe is built from), into
# .cache/tfhe-zk/bin/tkms-tfhe-zk.
#
# Idempotent: a working binary whose stamp matches the sha256 of the crate's
# sources and Cargo.lock is reused (TFHE_ZK_FORCE=1 rebuilds). Compiled
# dependencies live outside the clone, in TKMS_CARGO_TARGET_DIR (else
# CARGO_TARGET_DIR, else ${XDG_CACHE_HOME:-~/.cache}/tkms/cargo-target), so
# fresh clones on the same machine rebuild only this small crate, the way Go
# reuses its build cache; on an empty target dir tfhe-rs takes ~9 min on 2 cores.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
src="$root/tools/tfhe-zk"
cache="$root/.cache/tfhe-zk"
bin="$cache/bin/tkms-tfhe-zk"
stamp="$cache/stamp"
target="${TKMS_CARGO_TARGET_DIR:-${CARGO_TARGET_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/tkms/cargo-target}}"

want=$(cd "$src" && sha256sum Cargo.toml Cargo.lock src/*.rs | sha256sum | cut -d' ' -f1)
works() { [ -x "$bin" ] && "$bin" version >/dev/null 2>&1; }
if [ "${TFHE_ZK_FORCE:-}" != 1 ] && works && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  echo "tkms-tfhe-zk already built at $bin"
  exit 0
fi
cargo=cargo
if ! command -v cargo >/dev/null; then
  if [ -x "$HOME/.cargo/bin/cargo" ]; then cargo="$HOME/.cargo/bin/cargo"; else
    echo "error: cargo is required to build tkms-tfhe-zk, the cores' proof verifier (install Rust: https://rustup.rs)" >&2
    exit 1
  fi
fi
start=$(date +%s)
mkdir -p "$cache/bin" "$target"
echo "building tkms-tfhe-zk (tfhe 1.7.0) with target dir $target (~9 min on 2 cores when empty, seconds when warm)"
(cd "$src" && CARGO_TARGET_DIR="$target" "$cargo" build --release --locked)
install -m 0755 "$target/release/tkms-tfhe-zk" "$bin.tmp"
mv -f "$bin.tmp" "$bin"
works || { echo "error: the built tkms-tfhe-zk does not run" >&2; exit 1; }
echo "$want" > "$stamp"
echo "tkms-tfhe-zk built at $bin in $(( $(date +%s) - start )) s"
