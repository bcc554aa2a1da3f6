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
  await Promise.all(entries.filter((e) => /^\d+$/.test(e)).map(async (pid) => {
    try {
      const status = await readFile(`/proc/${pid}/status`, 'utf8');
      if (!uidLine.test(status)) return;
      const threads = /^Threads:\s+(\d+)/m.exec(status);
      total += threads ? Number(threads[1]) : 1;
    } catch {
      // the process ended while we looked
    }
  }));
  return total;
}
