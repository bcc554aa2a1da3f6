#!/usr/bin/env bash
# One command on a fresh machine: set up, then run Debbie's main job on the embedded default.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "demo: installing and building (the first run takes a minute or two)…" >&2
mkdir -p .debbie
if ! bash scripts/setup.sh > .debbie/setup.log 2>&1; then
  cat .debbie/setup.log >&2
  echo "demo: setup failed (log above, also in .debbie/setup.log)" >&2
  exit 1
fi
pnpm --silent debbie demo --scenario all "$@"
