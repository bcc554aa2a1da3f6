import { DebbieError, type DebbieErrorCode } from '@debbie/model';

/*
 * The one exit-code policy of `debbie` (docs/cli.md): 0 success, 1 failure (one line on stderr
 * saying what failed and where), 2 usage error (the command line itself is wrong).
 */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** Error codes that mean the command line was wrong (a flag missing, a value that cannot be right). */
const USAGE_CODES: ReadonlySet<DebbieErrorCode> = new Set<DebbieErrorCode>([
  'invalid_arguments',
  'invalid_filter',
  'invalid_focus',
  'invalid_format',
  'invalid_grep',
  'invalid_log_format',
  'invalid_logger_source',
  'invalid_option',
  'invalid_port',
  'invalid_time_range',
  'missing_option',
  'no_files',
  'no_format',
  'unknown_scenario',
  'unknown_script',
]);

/** Exit status for an error a command threw. */
export function exitCodeFor(error: unknown): number {
  return error instanceof DebbieError && USAGE_CODES.has(error.code) ? EXIT_USAGE : EXIT_FAILURE;
}

const SYSTEM_ERRORS: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'is a directory',
  ENOTDIR: 'a parent is not a directory',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
  EEXIST: 'already exists',
  ECONNREFUSED: 'connection refused',
  EADDRINUSE: 'address already in use',
};

/**
 * One line for an error that is not a DebbieError but still expected (a file that cannot be
 * written, a refused connection): what failed and where, without a stack trace. Undefined for a
 * real bug.
 */
export function describeSystemError(error: unknown): string | undefined {
  const e = error as NodeJS.ErrnoException & { address?: string; port?: number };
  if (!e || typeof e.code !== 'string' || !(e.code in SYSTEM_ERRORS)) return undefined;
  if (e.code === 'EEXIST' && e.syscall === 'mkdir') return `${e.path}: cannot create the folder: a file of that name is in the way`;
  const where = e.path ?? (e.address ? `${e.address}${e.port ? `:${e.port}` : ''}` : undefined);
  const verb =
    e.syscall === 'open' || e.syscall === 'mkdir' || e.syscall === 'rename' || e.syscall === 'unlink'
      ? `cannot ${e.syscall === 'open' ? 'open' : e.syscall}`
      : e.syscall
        ? `${e.syscall} failed`
        : 'failed';
  return `${where ? `${where}: ` : ''}${verb}: ${SYSTEM_ERRORS[e.code]}`;
}
