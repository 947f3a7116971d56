#!/usr/bin/env bash
# Builds the fuzz targets in fuzz/ (see README, "Fuzzing") without running them, so that
# CI notices when they stop compiling.
#
# With a nightly toolchain and cargo-fuzz installed: `cargo +nightly fuzz build`, the
# instrumented build the fuzzer runs. Otherwise a plain stable build of the same targets
# (libFuzzer is linked, without coverage instrumentation); it shares the repository's
# target folder and dev profile, so it reuses what `cargo test` compiled. fuzz/Cargo.lock
# follows the repository's dependencies (no --locked: a new dependency there is added).
set -euo pipefail
cd "$(dirname "$0")/.."

if cargo +nightly --version >/dev/null 2>&1 && cargo fuzz --version >/dev/null 2>&1; then
  echo "building the fuzz targets with cargo +nightly fuzz build" >&2
  exec cargo +nightly fuzz build -s none
fi
echo "nightly or cargo-fuzz missing: building the fuzz targets with stable cargo" >&2
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
exec cargo build --manifest-path fuzz/Cargo.toml --bins
