#!/usr/bin/env bash
# Installs the Debian packages the test suite needs when they are missing (headless Chromium for the
# browser tests). Needs root (CI and the dev machines run as root); elsewhere it says what to install.
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
# libvips for pyvips (the optional IIIF tile backend and the tile benchmark against dzsave)
ldconfig -p 2>/dev/null | grep -q "libvips.so.42" || need+=(libvips42)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "note: browser tests need: ${need[*]} (Debian: apt-get install ${need[*]}); they will be skipped" >&2
  exit 0
fi
echo "installing ${need[*]} (Debian packages for the browser tests)" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
