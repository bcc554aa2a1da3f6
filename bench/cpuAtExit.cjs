// Preloaded into a bench's child process (node --require): prints the process's CPU time (all
// threads, DuckDB's included) on exit, so a child's cost can be compared without GNU time.
const { writeSync } = require('node:fs');
process.on('exit', () => {
  const { user, system } = process.cpuUsage();
  try {
    writeSync(2, `\nBENCH_CPU_MS ${((user + system) / 1000).toFixed(0)}\n`);
  } catch {
    /* stderr closed */
  }
});
