#!/usr/bin/env bash
# Runs every test: fetches the test material once, then the whole workspace's tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/assets.sh
cargo test --workspace
