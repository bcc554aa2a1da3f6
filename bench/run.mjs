// Runs every bench/*.bench.mjs in its own process (so one bench's heap does not skew the next).
// `pnpm bench` runs all; `pnpm bench -- NAME` runs those whose file name contains NAME.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2).filter((a) => a !== '--');
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.mjs'))
  .sort()
  .filter((f) => wanted.length === 0 || wanted.some((w) => f.includes(w)));
let failed = 0;
for (const file of files) {
  console.log(`\n=== ${file} ===`);
  const r = spawnSync(process.execPath, ['--expose-gc', join(here, file)], { stdio: 'inherit', cwd: here });
  if (r.status !== 0) {
    failed += 1;
    console.log(`!!! ${file} exited with ${r.status}`);
  }
}
console.log(`\n${files.length - failed} benches ran, ${failed} failed`);
process.exitCode = failed ? 1 : 0;
