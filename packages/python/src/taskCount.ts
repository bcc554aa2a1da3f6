import { readdir, readFile } from 'node:fs/promises';

/**
 * Tasks (threads included) the kernel counts against a uid's RLIMIT_NPROC, from /proc.
 * A run that cannot have a uid of its own (Node is not root) gets --nproc = this + its budget,
 * since the limit counts every task of the user, not only the sandbox's.
 */
export async function countTasksOfUid(uid: number): Promise<number> {
  const statuses = await statusesOfUid(uid);
  if (!statuses) return Number.NaN;
  let total = 0;
  for (const { status } of statuses) {
    const threads = /^Threads:\s+(\d+)/m.exec(status);
    total += threads ? Number(threads[1]) : 1;
  }
  return total;
}

/** Live (not zombie) processes of a uid, from /proc. */
export async function processesOfUid(uid: number): Promise<number[]> {
  const statuses = (await statusesOfUid(uid)) ?? [];
  return statuses.filter(({ status }) => !/^State:\s+Z/m.test(status)).map(({ pid }) => pid);
}

/** The /proc/<pid>/status text of each process of a uid; null when /proc cannot be read. */
async function statusesOfUid(uid: number): Promise<{ pid: number; status: string }[] | null> {
  let entries: string[];
  try {
    entries = await readdir('/proc');
  } catch {
    return null;
  }
  const uidLine = new RegExp(`^Uid:\\s+${uid}\\s`, 'm');
  const found: { pid: number; status: string }[] = [];
  await Promise.all(
    entries
      .filter((e) => /^\d+$/.test(e))
      .map(async (pid) => {
        try {
          const status = await readFile(`/proc/${pid}/status`, 'utf8');
          if (uidLine.test(status)) found.push({ pid: Number(pid), status });
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
