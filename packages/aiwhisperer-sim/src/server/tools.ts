/**
 * The tools the simulated agents call, with the durations AIWhisperer's logs show
 * (`✅ Tool list_rfcs completed in 0.010s`) and deterministic results derived from the arguments.
 */
export interface ToolSpec {
  name: string;
  description: string;
  /** Usual execution time in simulated ms. */
  usualMs: number;
  /** Builds the (text) result from the arguments. */
  result(args: Record<string, unknown>): string;
}

const str = (v: unknown, fallback: string): string => (typeof v === 'string' && v !== '' ? v : fallback);

const LEVELS = ['INFO', 'DEBUG', 'WARN', 'INFO', 'TRACE'];
const COMPONENTS = ['session', 'websocket', 'patricia', 'tessa', 'tool_registry', 'ai_service', 'rfc_store'];
const EVENTS = ['started', 'connected', 'flushed', 'loaded', 'reconnected', 'saved', 'scheduled', 'cancelled', 'indexed', 'rotated', 'compacted'];
const OBJECTS = [
  'heartbeat',
  'prompt cache',
  'agent config',
  'rfc index',
  'token budget',
  'user settings',
  'metrics batch',
  'theme tokens',
  'export queue',
  'retry timer',
  'context window',
  'search index',
  'audit trail',
];

/** One page of a long log file: lines that differ from page to page, as a real file's do. */
function pageOf(path: string, offset: number, limit: number): string {
  const lines: string[] = [];
  for (let i = offset; i < offset + Math.min(limit, 6); i++)
    lines.push(`${LEVELS[i % 5]} ${COMPONENTS[(i * 3) % 7]} ${EVENTS[(i * 5) % 11]} ${OBJECTS[(i * 7) % 13]}`);
  return `Lines ${offset + 1}-${offset + limit} of ${path}:\n${lines.join('\n')}\n...`;
}

export const TOOLS: readonly ToolSpec[] = [
  {
    name: 'list_rfcs',
    description: 'List RFCs in the workspace',
    usualMs: 10,
    result: (a) =>
      `Found 3 RFCs in ${str(a.status, 'in_progress')}: RFC-2025-05-29-0001 dark-mode, RFC-2025-05-30-0002 export-csv, RFC-2025-06-01-0003 websocket-retry`,
  },
  {
    name: 'read_file',
    description: 'Read a file from the workspace',
    usualMs: 8,
    result: (a) =>
      typeof a.offset === 'number'
        ? pageOf(str(a.path, 'README.md'), a.offset, typeof a.limit === 'number' ? a.limit : 200)
        : `Contents of ${str(a.path, 'README.md')} (42 lines):\n# ${str(a.path, 'README.md')}\n...`,
  },
  {
    name: 'search_code',
    description: 'Search the codebase for a pattern',
    usualMs: 120,
    result: (a) => `3 matches for "${str(a.query, '')}" in ${str(a.path, 'src/')}: src/theme.ts:12, src/app.tsx:88, src/settings.ts:40`,
  },
  {
    name: 'write_file',
    description: 'Write a file in the workspace',
    usualMs: 15,
    result: (a) => `Wrote ${String(str(a.content, '').length)} characters to ${str(a.path, 'out.md')}`,
  },
  {
    name: 'create_rfc',
    description: 'Create a new RFC document',
    usualMs: 25,
    result: (a) => `Created RFC-2025-06-02-0004 "${str(a.title, 'untitled')}" in .WHISPER/rfc/in_progress/`,
  },
  {
    name: 'analyze_dependencies',
    description: 'Analyze the project dependency graph',
    usualMs: 800,
    result: () => 'Dependency graph: 14 modules, 0 cycles, 2 unused exports',
  },
  {
    name: 'run_tests',
    description: 'Run the test suite',
    usualMs: 4_000,
    result: (a) => `Test suite ${str(a.suite, 'all')}: 48 passed, 0 failed`,
  },
];

export function findTool(name: string): ToolSpec | undefined {
  return TOOLS.find((t) => t.name === name);
}
