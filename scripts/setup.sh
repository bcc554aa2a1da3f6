#!/usr/bin/env bash
# Installs what Debbie needs to build and run: pnpm (pinned), the workspace's packages, then builds.
set -euo pipefail
cd "$(dirname "$0")/.."

PNPM_VERSION=12.21.0
if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version 2>/dev/null)" != "$PNPM_VERSION" ]; then
  echo "setup: installing pnpm $PNPM_VERSION"
  npm install -g --no-fund --no-audit "pnpm@$PNPM_VERSION" >/dev/null
fi
pnpm install --frozen-lockfile --reporter=append-only
pnpm run build
# `debbie` on PATH (a small wrapper in $DEBBIE_BIN_DIR or ~/.local/bin); DEBBIE_NO_BIN=1 skips it.
if [ "${DEBBIE_NO_BIN:-}" != 1 ]; then bash scripts/install-bin.sh; fi
