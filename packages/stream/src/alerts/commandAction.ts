import { spawn } from 'node:child_process';
import { DebbieError } from '@debbie/model';
import type { AlertAction } from './Alert.js';

export interface CommandActionOptions {
  /** The program to run (no shell: arguments are passed as they are). */
  command: string;
  args?: string[];
  /** Kill the process (SIGKILL) after this long (default 10,000 ms). */
  timeoutMs?: number;
  /** Processes of this action allowed at once, across every alert that shares it (default 2). */
  maxConcurrent?: number;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

const STDERR_TAIL = 2048;

/**
 * An alert action that runs a command with the event as one line of JSON on stdin, and the
 * alert's name and suppressed count in the environment (DEBBIE_ALERT, DEBBIE_ALERT_SUPPRESSED).
 * A non-zero exit, a timeout or a spawn error rejects (counted by the alert); beyond
 * `maxConcurrent` running processes the firing is refused (also counted), never queued.
 * @example commandAction({ command: 'sh', args: ['-c', 'jq -r .event_summary | notify-send "$DEBBIE_ALERT"'] })
 */
export function commandAction(options: CommandActionOptions): AlertAction {
  if (!options.command) throw new DebbieError('invalid_alert', 'command action needs a command');
  const timeoutMs = options.timeoutMs ?? 10_000;
  const maxConcurrent = options.maxConcurrent ?? 2;
  if (!Number.isInteger(maxConcurrent) || maxConcurrent < 1) {
    throw new DebbieError('invalid_alert', `command action maxConcurrent must be a positive integer, got ${maxConcurrent}`);
  }
  let running = 0;
  return (event, context) => {
    if (running >= maxConcurrent) {
      return Promise.reject(new Error(`command ${options.command}: ${running} already running (maxConcurrent ${maxConcurrent}); firing skipped`));
    }
    running += 1;
    return new Promise<void>((resolve, reject) => {
      const child = spawn(options.command, options.args ?? [], {
        stdio: ['pipe', 'ignore', 'pipe'],
        timeout: timeoutMs,
        killSignal: 'SIGKILL',
        cwd: options.cwd,
        env: { ...(options.env ?? process.env), DEBBIE_ALERT: context.name, DEBBIE_ALERT_SUPPRESSED: String(context.suppressed) },
      });
      let stderr = '';
      let settled = false;
      const settle = (error?: Error) => {
        if (settled) return;
        settled = true;
        running -= 1;
        if (error) reject(error);
        else resolve();
      };
      child.stderr?.setEncoding('utf8');
      child.stderr?.on('data', (chunk: string) => {
        stderr = (stderr + chunk).slice(-STDERR_TAIL);
      });
      // A command that exits without reading stdin makes the write fail with EPIPE: not our error.
      child.stdin?.on('error', () => undefined);
      child.stdin?.end(`${JSON.stringify(event)}\n`);
      child.on('error', (error) => settle(new Error(`command ${options.command}: ${error.message}`)));
      child.on('close', (code, signal) => {
        if (code === 0) return settle();
        const why = signal ? `killed by ${signal}${signal === 'SIGKILL' ? ` (timeout ${timeoutMs} ms)` : ''}` : `exited with ${code}`;
        settle(new Error(`command ${options.command} ${why}${stderr ? `: ${stderr.trim()}` : ''}`));
      });
    });
  };
}
