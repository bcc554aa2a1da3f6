import { readdir, readFile } from 'node:fs/promises';

/**
 * Tasks (threads included) the kernel counts against a uid's RLIMIT_NPROC, from /proc.
 * A run that cannot have a uid of its own (Node is not root) gets --nproc = this + its budget,
 * since the limit counts every task of the user, not only the sandbox's.
 */
export async function countTasksOfUid(uid: number): Promise<number> {
  let total = 0;
  let entries: string[];
  try {
    entries = await readdir('/proc');
  } catch {
    return Number.NaN;
  }
  const uidLine = new RegExp(`^Uid:\\s+${uid}\\s`, 'm');
  await Promise.all(
    entries
      .filter((e) => /^\d+$/.test(e))
      .map(async (pid) => {
        try {
          const status = await readFile(`/proc/${pid}/status`, 'utf8');
          if (!uidLine.test(status)) return;
          const threads = /^Threads:\s+(\d+)/m.exec(status);
          total += threads ? Number(threads[1]) : 1;
        } catch {
          // the process ended while we looked
        }
      }),
  );
  return total;
}

/** Live (not zombie) processes of a uid, from /proc. */
export async function processesOfUid(uid: number): Promise<number[]> {
  let entries: string[];
  try {
    entries = await readdir('/proc');
  } catch {
    return [];
  }
  const uidLine = new RegExp(`^Uid:\\s+${uid}\\s`, 'm');
  const found: number[] = [];
  await Promise.all(
    entries
      .filter((e) => /^\d+$/.test(e))
      .map(async (pid) => {
        try {
          const status = await readFile(`/proc/${pid}/status`, 'utf8');
          if (uidLine.test(status) && !/^State:\s+Z/m.test(status)) found.push(Number(pid));
        } catch {
          // the process ended while we looked
        }
      }),
  );
  return found;
}

/**
 * Waits until no process of a run's own uid is left (the sandbox's inner processes die a moment
 * after its outer bubblewrap, by PR_SET_PDEATHSIG), killing stragglers; bounded by `timeoutMs`.
 * Only for a uid that belongs to this run alone.
 */
export async function reapUid(uid: number, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = await processesOfUid(uid);
    if (left.length === 0 || Date.now() > deadline) return;
    for (const pid of left) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone already */
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
