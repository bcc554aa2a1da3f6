/** Where an event came from: the seed design's ten sources. */
export const LogSource = {
  DEBBIE: 'debbie',
  DEBBIE_COMMENT: 'debbie_comment',
  SERVER: 'server',
  AGENT: 'agent',
  AI_SERVICE: 'ai_service',
  TOOL: 'tool',
  SESSION: 'session',
  WEBSOCKET: 'websocket',
  USER_SCRIPT: 'user_script',
  PYTHON_EXEC: 'python_exec',
} as const;

export type LogSource = (typeof LogSource)[keyof typeof LogSource];

export const LOG_SOURCES: readonly LogSource[] = Object.values(LogSource);

const SOURCE_SET: ReadonlySet<string> = new Set(LOG_SOURCES);

export function isLogSource(value: unknown): value is LogSource {
  return typeof value === 'string' && SOURCE_SET.has(value);
}
