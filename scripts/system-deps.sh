#!/usr/bin/env bash
# Installs the Debian packages the tests use: Chromium (timeline browser tests), bubblewrap
# (the Python sandbox), Debian's Python with pandas/numpy (script library), and ClickHouse
# (clickhouse-server 18.16: the shared-store tests start their own server on free ports).
set -euo pipefail
PACKAGES=(chromium bubblewrap python3 python3-pandas python3-numpy util-linux clickhouse-server)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "system-deps: installing ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
