import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { createDebbieMcpServer } from '@debbie/mcp';
import type { Command } from '../Command.js';
import { loadCliConfig, pythonExecutorOptions } from '../configOptions.js';
import { CONFIG_FLAG, READER_FLAGS } from '../flags.js';
import { openReader } from '../readerOptions.js';
import { recordEvent } from '../recordEvent.js';

/** `debbie mcp`: Debbie as a Model Context Protocol server on stdio. */
export const mcpCommand: Command = {
  name: 'mcp',
  summary: 'Serve Debbie to an AI agent over the Model Context Protocol (stdio).',
  usage: '[--store PATH | --url URL] [--config PATH]',
  description: [
    'Tools: list_sessions, get_events, get_correlated_logs, analyze_session, write_timeline,',
    'export_session, run_python (library or custom script, sandboxed), explain_stall.',
    'The store is opened read-only for each call and never held between calls.',
    'Example client configuration: {"command": "debbie", "args": ["mcp", "--store", ".debbie/debbie.duckdb"]}',
  ].join('\n'),
  options: { ...READER_FLAGS, config: CONFIG_FLAG },
  async run(values, _positionals, io) {
    const { python } = loadCliConfig(values, io);
    const mcp = createDebbieMcpServer({
      openReader: () => openReader(values, io),
      cwd: io.cwd,
      python: pythonExecutorOptions(python),
      // Each script run's python_exec event goes to the store (opened briefly) or the collector.
      recordRun: (event) => recordEvent(event, values, io, 'mcp'),
    });
    const transport = new StdioServerTransport();
    const closed = new Promise<void>((resolve) => {
      transport.onclose = () => resolve();
    });
    await mcp.server.connect(transport);
    const stop = () => void mcp.close();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    process.stdin.once('end', stop);
    await closed;
    await mcp.close().catch(() => undefined);
    return 0;
  },
};
