#!/usr/bin/env bash
# Runs on a lent NVIDIA machine (the device tool), from the repository root, over what
# scripts/device_prepare.sh put in .device/: the GPU unit tests on the real Vulkan adapter
# (every step and both effects' GPU paths against the CPU) and benches/gpu.rs, whose table is
# what the README records with the machine named. Output under $OUT (or ./device-out).
#
# ONNX Runtime's CUDA provider: when .device/ort-gpu/ holds scripts/assets_gpu.sh's libraries
# (carried in parts under 64 MiB by earlier calls, `cat part.* >lib` there), the benchmark runs a
# second time with them and DOPPEL_BENCH_PROVIDERS=auto; CUDA 13 and cuDNN 9 come from the
# image's nvidia-* Python packages.
set -uo pipefail
out=${OUT:-device-out}
mkdir -p "$out"
log="$out/device.log"
exec > >(tee "$log") 2>&1

if ! ldconfig -p | grep -q libvulkan.so.1; then
  for f in .device/gl/*.deb; do dpkg -x "$f" /; done
  ldconfig
fi
icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
[ -f "$icd" ] && export VK_DRIVER_FILES=$icd
export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-/tmp} DOPPEL_ROOT=$PWD DOPPEL_LOG=info
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true

bin=/tmp/doppel-device
mkdir -p "$bin"
for f in .device/bin/*.gz; do
  gunzip -c "$f" >"$bin/$(basename "$f" .gz)"
  chmod +x "$bin/$(basename "$f" .gz)"
done

status=0
echo "== GPU unit tests (DOPPEL_REQUIRE_GPU=1: no adapter fails)"
DOPPEL_REQUIRE_GPU=1 "$bin/doppel-tests" gpu:: --test-threads 4 || status=1

echo "== benches/gpu.rs, ONNX Runtime on the CPU"
DOPPEL_ASSETS=$PWD/.device/assets "$bin/gpu-bench" --bench | tee "$out/bench-cpu-ort.md" || status=1

if [ -f .device/ort-gpu/libonnxruntime_providers_cuda.so ]; then
  echo "== benches/gpu.rs, ONNX Runtime with the CUDA provider"
  site=$(python3 -c 'import nvidia, os; print(os.path.dirname(nvidia.__path__[0]))' 2>/dev/null)
  for lib in "$site"/nvidia/*/lib; do LD_LIBRARY_PATH="$lib:${LD_LIBRARY_PATH:-}"; done
  export LD_LIBRARY_PATH
  cp .device/assets/{centerface.onnx,astronaut.png} .device/ort-gpu/
  DOPPEL_ASSETS=$PWD/.device/ort-gpu DOPPEL_BENCH_PROVIDERS=auto "$bin/gpu-bench" --bench |
    tee "$out/bench-cuda.md" || status=1
fi
exit $status
