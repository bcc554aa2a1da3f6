import { displayTimestamp, formatDebbieLine, type DebbieEvent, type LogLevel, type LogSource } from '@debbie/model';

const RESET = '\x1b[0m';
const LEVEL_COLORS: Record<LogLevel, string> = {
  DEBUG: '\x1b[2m', // dim
  INFO: '\x1b[32m', // green
  WARNING: '\x1b[33m', // yellow
  ERROR: '\x1b[31m', // red
  CRITICAL: '\x1b[1;41;97m', // bold white on red
};
const SOURCE_COLORS: Record<LogSource, string> = {
  debbie: '\x1b[1;35m',
  debbie_comment: '\x1b[95m',
  server: '\x1b[34m',
  agent: '\x1b[36m',
  ai_service: '\x1b[94m',
  tool: '\x1b[96m',
  session: '\x1b[37m',
  websocket: '\x1b[90m',
  user_script: '\x1b[93m',
  python_exec: '\x1b[92m',
};

/**
 * The seed line of an event, with the source and level tags colored (and the message of
 * warnings and worse in the level's color). Without `color`, exactly formatDebbieLine.
 */
export function formatColoredLine(event: DebbieEvent, color: boolean): string {
  const plain = formatDebbieLine(event);
  if (!color) return plain;
  const prefix = `[${displayTimestamp(event.timestamp)}] `;
  const tags = `[${event.source}] [${event.level}] `;
  const levelColor = LEVEL_COLORS[event.level] ?? '';
  if (!plain.startsWith(prefix + tags)) return `${levelColor}${plain}${RESET}`;
  const rest = plain.slice(prefix.length + tags.length);
  const loud = event.level === 'WARNING' || event.level === 'ERROR' || event.level === 'CRITICAL';
  return (
    `\x1b[2m${prefix}${RESET}${SOURCE_COLORS[event.source] ?? ''}[${event.source}]${RESET} ` +
    `${levelColor}[${event.level}]${RESET} ${loud ? `${levelColor}${rest}${RESET}` : rest}`
  );
}

/**
 * Whether to color output: NO_COLOR (any non-empty value) wins, then FORCE_COLOR
 * (anything but "0"/"false"), then whether the output is a terminal.
 */
export function shouldUseColor(env: NodeJS.ProcessEnv, isTTY: boolean | undefined): boolean {
  if (env.NO_COLOR) return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== '') return force !== '0' && force.toLowerCase() !== 'false';
  return isTTY === true;
}
