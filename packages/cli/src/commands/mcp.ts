import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { createDebbieMcpServer } from '@debbie/mcp';
import type { Command } from '../Command.js';
import { CONFIG_OPTION, loadCliConfig, pythonExecutorOptions } from '../configOptions.js';
import { openReader, READER_OPTIONS } from '../readerOptions.js';

/** `debbie mcp`: Debbie as a Model Context Protocol server on stdio. */
export const mcpCommand: Command = {
  name: 'mcp',
  summary: 'Serve Debbie to an AI agent over the Model Context Protocol (stdio).',
  usage: '[--store PATH | --url URL]',
  description: [
    'Tools: list_sessions, get_events, get_correlated_logs, analyze_session, write_timeline,',
    'export_session, run_python (library or custom script, sandboxed), explain_stall.',
    'Example client configuration: {"command": "debbie", "args": ["mcp", "--store", ".debbie/debbie.duckdb"]}',
  ].join('\n'),
  options: { ...READER_OPTIONS, ...CONFIG_OPTION },
  async run(values, _positionals, io) {
    const { python } = loadCliConfig(values, io);
    const mcp = createDebbieMcpServer({ openReader: () => openReader(values, io), cwd: io.cwd, python: pythonExecutorOptions(python) });
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
