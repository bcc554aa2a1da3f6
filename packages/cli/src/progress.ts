import type { CommandIO } from './Command.js';

/** Nothing is shown for work that ends sooner than this. */
export const PROGRESS_AFTER_MS = 1_000;

export interface Progress {
  /** Clears the line; call when the work ends (also on failure). */
  stop(): void;
}

/**
 * A progress line on stderr for work that takes more than a second: on a terminal only (as git
 * and curl do), rewritten in place once a second, cleared at the end. `describe` says how far.
 */
export function startProgress(io: CommandIO, command: string, describe: () => string): Progress {
  const tty = (io.stderr as { isTTY?: boolean }).isTTY === true;
  if (!tty) return { stop() {} };
  const started = Date.now();
  let shown = false;
  const timer = setInterval(() => {
    shown = true;
    io.stderr.write(`\r\x1b[Kdebbie ${command}: ${describe()} (${Math.round((Date.now() - started) / 1000)} s)`);
  }, PROGRESS_AFTER_MS);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      if (shown) io.stderr.write('\r\x1b[K');
    },
  };
}
