import { resolve } from 'node:path';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { DEFAULT_STALL_MS, DebbieError, LOG_LEVELS, LOG_SOURCES, parseFilter, type DebbieEvent, type EventReader } from '@debbie/model';
import { createDestination, EXPORT_FORMATS, exportEvents } from '@debbie/exporters';
import { getLibraryScript, LIBRARY_SCRIPT_NAMES, PythonExecutor, type PythonExecutorOptions } from '@debbie/python';
import { defaultTimelinePath, LogAnalyzer, renderReportJson, renderReportMarkdown, TimelineVisualizer } from '@debbie/report';
import { explainStalls } from './explainStalls.js';

export interface DebbieMcpOptions {
  /** Opens the events to debug (the store, or a collector's query API); closed when the server closes. */
  openReader: () => Promise<EventReader>;
  /** Where relative output paths (timelines, exports) go (default process.cwd()). */
  cwd?: string;
  /** The Python sandbox's options (python_execution in debbie.yaml). */
  python?: PythonExecutorOptions & { enabled?: boolean };
  /** Events returned by one get_events call at most (default 2,000). */
  maxEvents?: number;
  /** Receives each run_python run's python_exec event (the CLI records it in the store or collector). */
  recordRun?: (event: DebbieEvent) => Promise<void> | void;
}

type ToolResult = { content: { type: 'text'; text: string }[]; isError?: boolean };

const text = (value: unknown): ToolResult => ({ content: [{ type: 'text', text: typeof value === 'string' ? value : JSON.stringify(value, null, 2) }] });

/** Runs a tool body; user-facing errors become tool errors the agent can read, not protocol failures. */
async function guard(fn: () => Promise<ToolResult>): Promise<ToolResult> {
  try {
    return await fn();
  } catch (error) {
    const message = error instanceof DebbieError ? error.message : `unexpected error: ${(error as Error).message}`;
    return { content: [{ type: 'text', text: message }], isError: true };
  }
}

/**
 * Debbie as an MCP server: the tools an AI agent needs to debug an agent session.
 * Connect it to a transport (stdio for `debbie mcp`).
 */
export function createDebbieMcpServer(options: DebbieMcpOptions): { server: McpServer; close(): Promise<void> } {
  const cwd = options.cwd ?? process.cwd();
  const maxEvents = options.maxEvents ?? 2_000;
  // Opened per tool call and closed after it, so the server never holds the store between calls:
  // other debbie commands (and the run_python record) can open it meanwhile.
  const withReader = async <T>(fn: (reader: EventReader) => Promise<T>): Promise<T> => {
    const reader = await options.openReader();
    try {
      return await fn(reader);
    } finally {
      await reader.close();
    }
  };
  const server = new McpServer(
    { name: 'debbie', version: '0.1.0' },
    {
      instructions:
        'Debbie debugs AI-agent sessions (AIWhisperer and any OpenTelemetry-instrumented agent). Start with list_sessions, then analyze_session; explain_stall finds silences after tool calls; run_python runs library or custom analysis scripts in a sandbox.',
    },
  );

  server.registerTool(
    'list_sessions',
    {
      title: 'List sessions',
      description: 'Every stored session: id, first/last timestamp, duration, event and error counts, events per source, agents.',
      inputSchema: {},
    },
    () => guard(() => withReader(async (r) => text(await r.listSessions()))),
  );

  server.registerTool(
    'get_events',
    {
      title: 'Get events',
      description: `A session's events in time order (DebbieEvents: source, level, component, action, event_summary, ids, duration_ms, details…), filtered. At most ${maxEvents} per call; use offset to page.`,
      inputSchema: {
        session_id: z.string().describe('The session id'),
        sources: z
          .array(z.enum(LOG_SOURCES as [string, ...string[]]))
          .optional()
          .describe('Only these sources'),
        min_level: z
          .enum(LOG_LEVELS as [string, ...string[]])
          .optional()
          .describe('This level and above'),
        text: z.string().optional().describe('Case-insensitive text in summary, component, action or details'),
        limit: z.number().int().min(1).max(maxEvents).optional().describe(`Default 200, at most ${maxEvents}`),
        offset: z.number().int().min(0).optional(),
      },
    },
    (args) =>
      guard(async () => {
        const filter = parseFilter({ session: args.session_id, source: args.sources, minLevel: args.min_level, text: args.text });
        return withReader(async (r) => text(await r.queryEvents(filter, { limit: args.limit ?? 200, offset: args.offset ?? 0 })));
      }),
  );

  server.registerTool(
    'get_correlated_logs',
    {
      title: 'Get correlated logs',
      description: 'Every event sharing one correlation id (one user turn, one JSON-RPC request), across sources, in time order.',
      inputSchema: { correlation_id: z.string() },
    },
    (args) => guard(() => withReader(async (r) => text(await r.correlationGroup(args.correlation_id)))),
  );

  server.registerTool(
    'analyze_session',
    {
      title: 'Analyze a session',
      description:
        "The analysis report: Performance (latency per tool and model: p50/p95/max, slowest operations, time per source), Errors (grouped by template), Patterns (Debbie's findings), Recommendations with evidence.",
      inputSchema: { session_id: z.string(), format: z.enum(['markdown', 'json']).optional().describe('Default markdown') },
    },
    (args) =>
      guard(async () => {
        const report = await withReader((r) => new LogAnalyzer({ reader: r }).analyze(args.session_id));
        return text(args.format === 'json' ? renderReportJson(report) : renderReportMarkdown(report));
      }),
  );

  server.registerTool(
    'write_timeline',
    {
      title: 'Write the HTML timeline',
      description: 'Writes the interactive, self-contained HTML timeline of a session (swimlanes, spans, commentary, stalls) and returns its path.',
      inputSchema: { session_id: z.string(), out: z.string().optional().describe('Default debug_timelines/session_<id>.html') },
    },
    (args) =>
      guard(async () => {
        const out = resolve(cwd, args.out ?? defaultTimelinePath(args.session_id));
        return text({ path: await withReader((r) => new TimelineVisualizer({ reader: r }).generate(args.session_id, out)) });
      }),
  );

  server.registerTool(
    'export_session',
    {
      title: 'Export a session',
      description: `Exports a session's events as ${EXPORT_FORMATS.join(', ')}; files need out, Elasticsearch and Splunk need url (and token, index).`,
      inputSchema: {
        session_id: z.string(),
        format: z.enum(EXPORT_FORMATS as unknown as [string, ...string[]]),
        out: z.string().optional(),
        url: z.string().optional(),
        token: z.string().optional(),
        index: z.string().optional(),
      },
    },
    (args) =>
      guard(async () => {
        const destination = createDestination({
          format: args.format,
          ...(args.out ? { output: resolve(cwd, args.out) } : {}),
          ...(args.url ? { url: args.url } : {}),
          ...(args.token ? { token: args.token } : {}),
          ...(args.index ? { index: args.index } : {}),
        });
        return text(await withReader((r) => exportEvents(r.streamEvents({ sessionId: args.session_id }), destination)));
      }),
  );

  server.registerTool(
    'run_python',
    {
      title: 'Run a Python script over a session',
      description: `Runs a library script (${LIBRARY_SCRIPT_NAMES.join(', ')}) or your own script in Debbie's sandbox (no network, read-only system, memory and time limits). The script sees logs (attribute access), df (pandas), session and LogSource; returns output, error and top-level variables.`,
      inputSchema: {
        session_id: z.string(),
        library: z.enum(LIBRARY_SCRIPT_NAMES as unknown as [string, ...string[]]).optional(),
        script: z.string().optional().describe('Python source, when not running a library script'),
        timeout_s: z.number().min(1).max(300).optional(),
      },
    },
    (args) =>
      guard(async () => {
        if (options.python?.enabled === false)
          throw new DebbieError('python_disabled', 'python_execution is disabled in the configuration (debbie_config.python_execution.enabled)');
        if (!!args.library === !!args.script) throw new DebbieError('invalid_arguments', 'give exactly one of library or script');
        const source = args.library ? getLibraryScript(args.library).source : args.script!;
        const [events, sessions] = await withReader(async (r) => [await r.queryEvents({ sessionId: args.session_id }), await r.listSessions()] as const);
        if (events.length === 0) throw new DebbieError('session_not_found', `no events for session "${args.session_id}"`);
        let runEvent: DebbieEvent | undefined;
        const executor = new PythonExecutor({
          ...options.python,
          ...(args.timeout_s ? { timeoutMs: args.timeout_s * 1000 } : {}),
          sink: {
            write: (e) => {
              runEvent = e;
            },
            forceFlush: async () => {},
            shutdown: async () => {},
          },
        });
        const result = await executor.execute(source, {
          logs: events,
          session: (sessions.find((s) => s.session_id === args.session_id) ?? { session_id: args.session_id }) as unknown as Record<string, unknown>,
          sessionId: args.session_id,
          ...(args.library ? { scriptName: args.library } : {}),
        });
        if (runEvent && options.recordRun) await options.recordRun(runEvent);
        return {
          ...text({
            output: result.output,
            error: result.error,
            traceback: result.traceback,
            execution_time: result.execution_time,
            variables: result.variables,
          }),
          ...(result.error ? { isError: true } : {}),
        };
      }),
  );

  server.registerTool(
    'explain_stall',
    {
      title: 'Explain stalls',
      description:
        'Finds silences longer than the threshold in a session and explains each (likely_cause continuation_required → suggested_action inject_continuation_prompt, or a user who simply had not written).',
      inputSchema: {
        session_id: z.string(),
        threshold_s: z
          .number()
          .min(1)
          .optional()
          .describe(`Default ${DEFAULT_STALL_MS / 1000}`),
      },
    },
    (args) =>
      guard(async () => {
        const stalls = await withReader((r) => explainStalls(r, args.session_id, args.threshold_s !== undefined ? args.threshold_s * 1000 : DEFAULT_STALL_MS));
        return text(stalls.length ? stalls : `No silence of ${args.threshold_s ?? DEFAULT_STALL_MS / 1000}s or more in session ${args.session_id}.`);
      }),
  );

  return {
    server,
    async close() {
      await server.close();
    },
  };
}
