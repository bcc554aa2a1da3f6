import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { epochMicros, type DebbieEvent, type EventSink, type LogLevel } from '@debbie/model';

export interface AiWhispererLogSinkOptions {
  /** Directory for `aiwhisperer_server.log` and `agent_<id>.log` (created if missing). */
  dir: string;
  /** The process id printed in server lines (default 1398427, as in the recorded logs). */
  pid?: number;
  /** Lines buffered before a flush is forced (default 100,000). */
  maxBufferedLines?: number;
}

/** Python logger names of the AIWhisperer server, by Debbie source. */
const LOGGER: Partial<Record<string, string>> = {
  server: 'aiwhisperer.server',
  websocket: 'aiwhisperer.server.websocket',
  session: 'aiwhisperer.server.session_manager',
  agent: 'aiwhisperer.agents.stateless_agent',
  ai_service: 'aiwhisperer.ai_service.openrouter',
  tool: 'aiwhisperer.tools.tool_registry',
};

interface Line {
  us: number;
  seq: number;
  file: string;
  text: string;
}

/** `2025-06-02 21:05:15,941`: Python logging's default asctime. */
function asctime(us: number): string {
  const iso = new Date(Math.floor(us / 1000)).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)},${iso.slice(20, 23)}`;
}

function pyLevel(level: LogLevel): string {
  return level === 'WARNING' ? 'WARNING' : level;
}

/**
 * Writes what the simulated server did in AIWhisperer's own log formats, so file ingest can be
 * tested on realistic logs: the server log (`%(asctime)s %(process)d %(threadName)s %(name)s -
 * %(levelname)s - %(message)s`, with the emoji markers and the raw JSON-RPC traffic at ERROR) and
 * one log per agent (`%(asctime)s [%(levelname)s] %(message)s` with `>>> USER MESSAGE >>>`,
 * `<<< AI RESPONSE <<<`, `=== TOOL CALL ===`, `=== TOOL RESULT ===`, `*** SWITCHING TO AGENT x ***`).
 * Spans arrive when they end, so lines are buffered and written in time order on flush.
 */
export class AiWhispererLogSink implements EventSink {
  private buffer: Line[] = [];
  private seq = 0;
  private readonly pid: number;
  private readonly maxBuffered: number;
  /** Lines written so far, per file name. */
  readonly written = new Map<string, number>();

  constructor(private readonly options: AiWhispererLogSinkOptions) {
    this.pid = options.pid ?? 1398427;
    this.maxBuffered = options.maxBufferedLines ?? 100_000;
    mkdirSync(options.dir, { recursive: true });
  }

  write(event: DebbieEvent): void {
    const logger = LOGGER[event.source];
    if (!logger) return; // client-side (user_script) and Debbie's own events are not in the server's logs
    const start = epochMicros(event.timestamp);
    const end = start + (event.duration_ms ?? 0) * 1000;
    const server = (us: number, level: string, message: string) =>
      this.add(us, 'aiwhisperer_server.log', `${asctime(us)} ${this.pid} MainThread ${logger} - ${level} - ${message}`);
    const agentLog = (us: number, level: string, message: string) => {
      if (event.agent_id) this.add(us, `agent_${event.agent_id}.log`, `${asctime(us)} [${level}] ${message}`);
    };
    const d = event.details;
    if (event.kind === 'log') {
      if (event.source === 'websocket' && event.action === 'notification') return; // too chatty for their INFO log
      server(start, pyLevel(event.level), event.event_summary);
      if (event.source === 'agent') agentLog(start, pyLevel(event.level), event.event_summary);
      return;
    }
    switch (event.source) {
      case 'websocket': {
        const id = /^\d+$/.test(String(d.rpc_request_id)) ? String(d.rpc_request_id) : JSON.stringify(d.rpc_request_id);
        const params = typeof d.rpc_params === 'string' && d.rpc_params !== '{}' ? `,"params":${d.rpc_params}` : '';
        const frame = `{"jsonrpc":"2.0","id":${id},"method":${JSON.stringify(d.rpc_method)}${params}}`;
        server(start, 'ERROR', `[websocket_endpoint] CRITICAL: Received message: ${frame}`);
        if (event.level === 'ERROR') server(end, 'ERROR', `[websocket_endpoint] ${event.event_summary}`);
        return;
      }
      case 'tool': {
        agentLog(start, 'INFO', `=== TOOL CALL === ${String(d.tool_name)} ${String(d.tool_arguments ?? '{}')}`);
        server(end, pyLevel(event.level), event.event_summary);
        agentLog(end, pyLevel(event.level), `=== TOOL RESULT === ${String(d.tool_name)}: ${event.event_summary}`);
        return;
      }
      case 'ai_service':
        server(
          end,
          'INFO',
          `Usage: model=${String(d.model)} input_tokens=${event.performance_metrics?.input_tokens ?? 0} output_tokens=${event.performance_metrics?.output_tokens ?? 0}`,
        );
        return;
      default:
        if (event.level === 'ERROR' || event.level === 'CRITICAL') server(end, event.level, event.event_summary);
    }
  }

  async forceFlush(): Promise<void> {
    const lines = this.buffer.sort((a, b) => a.us - b.us || a.seq - b.seq);
    this.buffer = [];
    const byFile = new Map<string, string[]>();
    for (const l of lines) {
      const list = byFile.get(l.file);
      if (list) list.push(l.text);
      else byFile.set(l.file, [l.text]);
    }
    for (const [file, texts] of byFile) {
      appendFileSync(join(this.options.dir, file), `${texts.join('\n')}\n`);
      this.written.set(file, (this.written.get(file) ?? 0) + texts.length);
    }
  }

  async shutdown(): Promise<void> {
    await this.forceFlush();
  }

  private add(us: number, file: string, text: string): void {
    // One record per line: newlines inside a message are escaped so the file stays line-parseable.
    this.buffer.push({ us, seq: this.seq++, file, text: text.replace(/\n/g, '\\n') });
    if (this.buffer.length >= this.maxBuffered) void this.forceFlush();
  }
}
