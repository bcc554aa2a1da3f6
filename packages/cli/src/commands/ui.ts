import { spawn } from 'node:child_process';
import { startConsoleServer } from '@debbie/console';
import { DebbieError, type EventReader } from '@debbie/model';
import type { Command } from '../Command.js';
import { loadCliConfig } from '../configOptions.js';
import { CONFIG_FLAG, collectorToken, collectorUrl, READER_FLAGS, str } from '../flags.js';
import { openReader } from '../readerOptions.js';
import { untilSignal } from '../untilSignal.js';

function port(value: unknown): number {
  const n = Number(value);
  if (!/^\d+$/.test(String(value)) || n > 65535)
    throw new DebbieError('invalid_port', `"${String(value)}" is not a port (0–65535; 0 picks a free one)`, '--port');
  return n;
}

/** Opens the URL in the desktop's browser, when there is one; says so when there is not. */
function openBrowser(url: string, io: Parameters<Command['run']>[2]): void {
  const opener = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  const child = spawn(opener, [url], { stdio: 'ignore', detached: true });
  child.on('error', () => io.stderr.write(`debbie ui: could not start ${opener}; open ${url} yourself\n`));
  child.unref();
}

/** `debbie ui`: the web console over a store on disk, or in front of a running collector. */
export const uiCommand: Command = {
  name: 'ui',
  summary: 'Open the web console (sessions, waterfall, live tail, comparison) on a store or a running collector.',
  usage: '[--store PATH | --url URL] [--port 4319] [--host 127.0.0.1] [--token T] [--open]',
  description: [
    "Serves Debbie's console: every session with its status, the trace waterfall with Debbie's comments",
    'pinned to their steps, the timeline and report, a live tail, and side-by-side comparison of two runs.',
    'With --store it reads a store on disk; with --url it forwards to a running `debbie collect` (live,',
    "with the collector's --token). `debbie collect` serves the same console at its own address.",
    'Everything is served from this machine: no request leaves it.',
    '',
    'Example: debbie ui --open',
  ].join('\n'),
  options: {
    ...READER_FLAGS,
    port: { type: 'string', default: '4319', value: 'N', description: 'Port to serve on (default 4319; 0 = a free port).' },
    host: {
      type: 'string',
      default: '127.0.0.1',
      value: 'HOST',
      description: 'Address to bind (default 127.0.0.1; any other needs --token, which browsers then sign in with).',
    },
    open: { type: 'boolean', description: "Open the console in the desktop's browser." },
    config: CONFIG_FLAG,
  },
  async run(values, _positionals, io) {
    const host = str(values.host) ?? '127.0.0.1';
    const token = collectorToken(values, io);
    const url = collectorUrl(values);
    if (url && str(values.store)) throw new DebbieError('invalid_option', 'pass either --store or --url, not both', '--url');
    const cli = loadCliConfig(values, io);
    let reader: EventReader | undefined;
    if (!url) reader = await openReader(values, io);
    let server;
    try {
      server = await startConsoleServer({
        ...(reader ? { reader } : { upstream: { url: url!, token } }),
        host,
        port: port(values.port ?? '4319'),
        token: host === '127.0.0.1' || host === 'localhost' ? undefined : token,
        stallMs: cli.commentary.thresholds.stall_seconds * 1000,
      });
    } catch (error) {
      await reader?.close();
      if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE')
        throw new DebbieError('port_in_use', `port ${String(values.port)} on ${host} is already in use; pick another with --port`, '--port');
      throw error;
    }
    const signalled = untilSignal();
    io.stdout.write(`debbie ui: console on ${server.url}/ (${url ? `live from ${url}` : 'the store, not live'}); Ctrl-C stops it\n`);
    if (values.open) openBrowser(`${server.url}/`, io);
    await signalled;
    await server.close();
    await reader?.close();
    return 0;
  },
};
