// Prints one closing line over every test lane: "Tests: N passed, M failed".
import { existsSync, readFileSync } from 'node:fs';

const [vitestJson, compatLog] = process.argv.slice(2);
let passed = 0;
let failed = 0;
let skipped = 0;
if (vitestJson && existsSync(vitestJson)) {
  const r = JSON.parse(readFileSync(vitestJson, 'utf8'));
  passed += r.numPassedTests;
  failed += r.numFailedTests + (r.numRuntimeErrorTestSuites ?? 0);
  skipped += r.numPendingTests + (r.numTodoTests ?? 0);
  console.log(`vitest: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests} skipped in ${r.numTotalTestSuites} files`);
} else {
  failed += 1;
  console.log('vitest: no results (did it start?)');
}
if (compatLog && existsSync(compatLog)) {
  const log = readFileSync(compatLog, 'utf8');
  const pass = Number(/ℹ pass (\d+)/.exec(log)?.[1] ?? 0);
  const fail = Number(/ℹ fail (\d+)/.exec(log)?.[1] ?? (pass ? 0 : 1));
  passed += pass;
  failed += fail;
  console.log(`compat lane (Node 24, OpenTelemetry JS 3.x): ${pass} passed, ${fail} failed`);
}
console.log(`Tests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
