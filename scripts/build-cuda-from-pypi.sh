#!/usr/bin/env bash
# Builds `mtaudit --features cuda` on a machine without a CUDA toolkit, from NVIDIA's
# CUDA 13.0 wheels on PyPI (nvcc, cicc, headers, cuBLAS, cuRAND, NVRTC). Use it where only
# PyPI is reachable, or to check that the cuda feature still compiles; with a CUDA toolkit
# installed, `cargo build --release --features cuda` is all you need.
#
#   scripts/build-cuda-from-pypi.sh [TOOLKIT_DIR]     (default: target/cuda-toolkit)
#
# CUDA 13.0 because cudarc 0.19 (candle 0.11) knows it and its PTX loads on any R580+
# driver. Kernels are compiled for CUDA_COMPUTE_CAP (default 90, H100/H200; 80 for A100,
# 89 for L4/L40), since a machine without a GPU has no nvidia-smi to ask.
#
# The binary links the driver library libcuda.so.1, which no package reachable here
# ships, so the build links against a stub whose every function returns
# CUDA_ERROR_STUB_LIBRARY; at run time the real driver's libcuda.so.1 is used. Run with
#   LD_LIBRARY_PATH=TOOLKIT_DIR/nvidia/cu13/lib target/cuda/release/mtaudit ...
# (add TOOLKIT_DIR/nvidia/cu13/lib/stubs on a machine without the driver: the binary
# then starts, and `--device cuda` fails with a clear error).
set -euo pipefail
cd "$(dirname "$0")/.."

toolkit="$(realpath -m "${1:-target/cuda-toolkit}")"
wheels="$toolkit/wheels"
mkdir -p "$wheels"
python3 -m pip download --quiet --no-deps --only-binary=:all: --dest "$wheels" \
    nvidia-cuda-nvcc==13.0.88 nvidia-nvvm==13.0.88 nvidia-cuda-crt==13.0.88 \
    nvidia-cuda-runtime==13.0.96 nvidia-cuda-nvrtc==13.0.88 nvidia-cuda-cccl==13.0.85 \
    nvidia-curand==10.4.0.35 nvidia-cublas==13.0.2.14
for wheel in "$wheels"/*.whl; do
    python3 -m zipfile -e "$wheel" "$toolkit"
done
# The wheels unpack into one tree shaped like a CUDA installation.
cuda="$toolkit/nvidia/cu13"
chmod +x "$cuda"/bin/* "$cuda"/nvvm/bin/*

# nvcc.profile looks for headers and libraries under targets/x86_64-linux.
mkdir -p "$cuda/targets/x86_64-linux" "$cuda/lib/stubs"
ln -sfn ../../include "$cuda/targets/x86_64-linux/include"
ln -sfn ../../lib "$cuda/targets/x86_64-linux/lib"
# The linker wants unversioned names.
for lib in cublas cublasLt cudart nvrtc; do
    ln -sf "lib$lib.so.13" "$cuda/lib/lib$lib.so"
done
ln -sf libcurand.so.10 "$cuda/lib/libcurand.so"

# The libcuda stub: every cu* function declared in cuda.h or bound by cudarc.
cudarc="$(cargo metadata --format-version 1 --features cuda | python3 -c '
import json, sys
packages = json.load(sys.stdin)["packages"]
print(next(p["manifest_path"] for p in packages if p["name"] == "cudarc").rsplit("/", 1)[0])')"
{
    echo '#include <cuda.h>' | gcc -E -P -I"$cuda/include" -x c - |
        grep -oE '\bcu[A-Z][A-Za-z0-9_]*[[:space:]]*\(' | tr -d ' \t('
    grep -ohE '^ +fn cu[A-Za-z0-9_]+\(' "$cudarc"/src/driver/sys/*.rs | sed -E 's/ *fn //; s/\(//'
} | sort -u | awk '{ print "int " $1 "(void) { return 34; }" }' >"$cuda/lib/stubs/libcuda.c"
gcc -shared -fPIC -O1 -Wl,-soname,libcuda.so.1 -o "$cuda/lib/stubs/libcuda.so" \
    "$cuda/lib/stubs/libcuda.c"
ln -sf libcuda.so "$cuda/lib/stubs/libcuda.so.1"

export CUDA_ROOT="$cuda" CUDA_HOME="$cuda" CUDA_PATH="$cuda" PATH="$cuda/bin:$PATH"
export CUDA_COMPUTE_CAP="${CUDA_COMPUTE_CAP:-90}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target/cuda}"
cargo build --release --features cuda
echo "built $CARGO_TARGET_DIR/release/mtaudit; run it with LD_LIBRARY_PATH=$cuda/lib"
