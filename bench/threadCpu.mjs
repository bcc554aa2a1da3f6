// CPU time of the main (JS) thread alone, for benches that separate the event loop's share from
// DuckDB's and V8's helper threads. Linux only: utime + stime of /proc/self/task/<pid>/stat, in
// clock ticks of 10 ms (USER_HZ 100); null where /proc is missing.
import { readFileSync } from 'node:fs';

const STAT = `/proc/self/task/${process.pid}/stat`;

/** Seconds of CPU the main thread has used so far, or null. */
export function mainThreadCpuSeconds() {
  try {
    const stat = readFileSync(STAT, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields from #3 (state) on
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}
