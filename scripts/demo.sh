#!/usr/bin/env bash
# Builds Doppel.ofx.bundle and renders the demo into out/demo/ through doppel-render, the
# command-line OFX host: Face Blend on the astronaut photo, with a stand-in "processed face"
# plate (the same photo under another grade, as a swapped face rendered under other light).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/assets.sh
cargo run --quiet --release -p doppel-bundle -- --out target/bundle
cargo build --quiet --release -p doppel-host --bin doppel-render --example demo_plate
mkdir -p out/demo
target/release/examples/demo_plate .cache/assets/astronaut.png out/demo/face_graded.png
for job in demo/*.json; do
  target/release/doppel-render --bundle target/bundle/Doppel.ofx.bundle --job "$job" --strict
done
echo "demo written to out/demo/:"
ls out/demo
