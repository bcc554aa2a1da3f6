#!/usr/bin/env bash
# One command on a fresh machine: install everything the tests need, build, run every test:
# the linter and formatter check (Biome, every file), the vitest suite (unit, cross-package,
# end-to-end, browser, Python sandbox, the fault suite under test/faults) and the OpenTelemetry 3.x
# compatibility lane on Node 24. Ends with one line: "Tests: N passed, M failed".
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/system-deps.sh || exit 1
bash scripts/setup.sh || exit 1
# system-deps installed clickhouse-server: its tests must run, never skip.
export DEBBIE_REQUIRE_CLICKHOUSE=1
mkdir -p test-artifacts

# Lint and format (biome.jsonc says which rules are off and why); `pnpm format` fixes the formatting.
pnpm exec biome ci --colors=off .
lint_status=$?

pnpm exec vitest run --reporter=default --reporter=json --outputFile.json=test-artifacts/vitest.json "$@"
vitest_status=$?

if [ "$#" -eq 0 ]; then
  bash scripts/compat-otel3.sh 2>&1 | tee test-artifacts/compat-otel3.log
  compat_status=${PIPESTATUS[0]}
else
  compat_status=0   # a filtered run (arguments given) runs vitest only
fi

node scripts/summarize-tests.mjs test-artifacts/vitest.json test-artifacts/compat-otel3.log
if [ "$lint_status" -ne 0 ]; then echo "test.sh: the Biome check failed (see above; \`pnpm format\` fixes formatting)"; fi
if [ "$lint_status" -ne 0 ] || [ "$vitest_status" -ne 0 ] || [ "$compat_status" -ne 0 ]; then exit 1; fi
