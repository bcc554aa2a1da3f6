#!/usr/bin/env bash
# One command on a fresh machine: set up, then run Debbie's main job on the embedded default.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "demo: installing and building (the first run takes a minute or two)…" >&2
bash scripts/setup.sh >/dev/null
pnpm --silent debbie demo --scenario all "$@"
