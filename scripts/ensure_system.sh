#!/usr/bin/env bash
# Installs the Debian packages PolicyLink needs, skipping what is already installed.
# Usage: scripts/ensure_system.sh core|test
set -euo pipefail

core=(postgresql-15 postgresql-15-postgis-3 python3-venv python3-dev fonts-noto-cjk libjs-leaflet)
test_extra=(qgis python3-qgis xvfb qttools5-dev-tools chromium chromium-driver)

want=("${core[@]}")
if [ "${1:-core}" = "test" ]; then
  want+=("${test_extra[@]}")
fi

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "PolicyLink needs these Debian packages, which are not installed:" >&2
  echo "    sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
  echo "Run that command once (or run make as root), then run make again." >&2
  exit 1
fi

echo ">> installing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo ">> Debian packages installed"
