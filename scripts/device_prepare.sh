#!/usr/bin/env bash
# Prepares, on this (x86-64) machine, what scripts/device_check.sh runs on a lent NVIDIA
# machine, which cannot download or build anything: the GPU unit tests and the GPU benchmark
# as stripped, gzipped executables, the CPU assets the benchmark reads, and the Vulkan loader
# packages, all under .device/ (ignored by git, so the device tool carries it only when named;
# its 64 MiB carry limit is checked).
#
#   bash scripts/device_prepare.sh
#   then, with the device tool: run(carry: [".device"], timeout_s: 420,
#     command: "bash scripts/device_check.sh")   # the figures come back in $OUT
#
# The CUDA provider's library is far over the carry limit; scripts/device_check.sh uses it
# where .device/ort-gpu holds it (carried in parts by earlier calls, see that script).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bash scripts/assets.sh >/dev/null
rm -rf .device/bin .device/assets
mkdir -p .device/bin .device/assets .device/gl

# The executable a cargo build reports for a target of `kind` (lib tests, the gpu bench).
executable() {
  grep -o '"executable":"[^"]*"' | sed 's/.*:"//; s/"$//' | tail -n 1
}
tests=$(cargo test --lib --no-run --message-format=json 2>/dev/null | executable)
bench=$(cargo bench --bench gpu --no-run --message-format=json 2>/dev/null | executable)
for pair in "doppel-tests:$tests" "gpu-bench:$bench"; do
  name=${pair%%:*} path=${pair#*:}
  [ -x "$path" ] || { echo "no executable for $name" >&2; exit 1; }
  strip -o ".device/bin/$name" "$path"
  gzip -9f ".device/bin/$name"
done
cp .cache/assets/{libonnxruntime.so.1.31.1,centerface.onnx,astronaut.png} .device/assets/

# The Vulkan loader (the device image has the NVIDIA driver's ICD but may lack the loader).
if [ -z "$(ls .device/gl/*.deb 2>/dev/null)" ]; then
  lists=/tmp/amd64-lists
  mkdir -p "$lists/partial"
  o="-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=$lists"
  apt-get $o update -qq >/dev/null
  (cd .device/gl && apt-get $o download -qq libvulkan1 >/dev/null)
fi

size=$(du -sm .device | cut -f1)
echo "prepared .device/ ($size MiB)"
[ "$size" -lt 64 ] || { echo "over the device tool's 64 MiB carry limit" >&2; exit 1; }
