#!/usr/bin/env bash
# Runs every test: fetches the test material once, installs the software Vulkan driver where
# there is no GPU driver, then the whole workspace's tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/assets.sh
bash scripts/gpu_driver.sh
# lavapipe warns without a runtime directory; harmless, but noisy.
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-/tmp}"
cargo test --workspace
