/**
 * Waits for SIGINT or SIGTERM (the graceful-shutdown trigger) and resolves with its name. Both
 * listeners are removed once one fires, so a second signal gets Node's default (exit).
 */
export function untilSignal(): Promise<string> {
  return new Promise((resolve) => {
    const done = (signal: string) => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      resolve(signal);
    };
    const onInt = () => done('SIGINT');
    const onTerm = () => done('SIGTERM');
    process.once('SIGINT', onInt);
    process.once('SIGTERM', onTerm);
  });
}
