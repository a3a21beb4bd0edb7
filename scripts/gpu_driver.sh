#!/usr/bin/env bash
# Installs the software Vulkan driver (Mesa's lavapipe) on Debian/Ubuntu machines that have no
# Vulkan driver, so the GPU path runs (slowly, but exactly) on machines without a GPU, as CI's
# do. Idempotent; machines with a Vulkan driver, or without apt, are left alone with a note.
set -euo pipefail

if ls /usr/share/vulkan/icd.d/*.json /etc/vulkan/icd.d/*.json >/dev/null 2>&1 &&
  ldconfig -p 2>/dev/null | grep -q 'libvulkan\.so\.1'; then
  exit 0
fi
if ! command -v apt-get >/dev/null; then
  echo "gpu_driver: no apt-get; install a Vulkan driver by hand for the GPU path (tests skip it)" >&2
  exit 0
fi
as_root=()
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    as_root=(sudo -n)
  else
    echo "gpu_driver: not root; run: sudo apt-get install libvulkan1 mesa-vulkan-drivers" >&2
    exit 0
  fi
fi
packages=(libvulkan1 mesa-vulkan-drivers)
export DEBIAN_FRONTEND=noninteractive
if ! "${as_root[@]}" apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null; then
  "${as_root[@]}" apt-get update -qq >/dev/null
  "${as_root[@]}" apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
fi
