#!/usr/bin/env bash
# Builds the fuzz targets in fuzz/ (see README, "Fuzzing") without running them, so that
# CI notices when they stop compiling.
#
# With a nightly toolchain and cargo-fuzz installed: `cargo +nightly fuzz build`, the
# instrumented build the fuzzer runs. Otherwise a plain stable build of the same targets
# (libFuzzer is linked, without coverage instrumentation). fuzz/ is a member of the
# repository's workspace: one lock file, one build folder, one dev profile, so the plain
# build reuses the dependencies that `cargo build` and `cargo test` compiled.
set -euo pipefail
cd "$(dirname "$0")/.."

if cargo +nightly --version >/dev/null 2>&1 && cargo fuzz --version >/dev/null 2>&1; then
  echo "building the fuzz targets with cargo +nightly fuzz build" >&2
  exec cargo +nightly fuzz build -s none
fi
echo "nightly or cargo-fuzz missing: building the fuzz targets with stable cargo" >&2
exec cargo build --quiet -p mtaudit-fuzz --bins
