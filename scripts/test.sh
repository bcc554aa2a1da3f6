#!/usr/bin/env bash
# One command on a fresh machine: install everything the tests need, build, run every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/system-deps.sh
bash scripts/setup.sh
pnpm exec vitest run "$@"
