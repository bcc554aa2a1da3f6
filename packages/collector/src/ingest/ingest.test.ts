import { appendFileSync, mkdtempSync, renameSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { createEvent, formatDebbieLine, type DebbieEvent, type EventSink } from '@debbie/model';
import { ingestFile, parserForFile } from './ingestFile.js';
import { FileFollower } from './FileFollower.js';
import { compileLogFormat } from './pythonLogFormat.js';
import { CommentaryProcessor } from '@debbie/commentary';
import { createPipeline } from '@debbie/pipeline';
import { OTLP_EXAMPLES } from '../../../../test/sharedData.js';

class CollectingSink implements EventSink {
  events: DebbieEvent[] = [];
  write(e: DebbieEvent): void {
    this.events.push(e);
  }
  async forceFlush(): Promise<void> {}
  async shutdown(): Promise<void> {}
}

let dir: string;
let sink: CollectingSink;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'debbie-ingest-'));
  sink = new CollectingSink();
});
const file = (name: string, text: string | Buffer) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

const SERVER_LOG = [
  '2025-06-02 21:05:15,941 1398427 MainThread aiwhisperer.server - INFO - Server logging configured.',
  '2025-06-02 21:05:16,002 1398427 MainThread aiwhisperer.ai_loop.stateless_ai_loop - INFO - 🔄 STREAM FINISHED: finish_reason=tool_calls',
  '2025-06-02 21:05:16,010 1398427 MainThread aiwhisperer.agents.stateless_agent - INFO - 🔧 EXECUTING TOOL 1/1: list_rfcs (ID: toolu_01ABC)',
  '2025-06-02 21:05:16,020 1398427 MainThread aiwhisperer.tools.tool_registry - INFO - ✅ Tool list_rfcs completed in 0.010s',
  '2025-06-02 21:05:16,030 1398427 MainThread aiwhisperer.stateless_session_manager - INFO - 🔄 CONTINUATION DECISION: False',
  '2025-06-02 21:05:17,100 1398427 MainThread aiwhisperer.server - ERROR - Failed to handle message for session 3f2a8c1e-1b2c-4d5e-8f90-123456789abc',
  'Traceback (most recent call last):',
  '  File "/app/server.py", line 12, in handle',
  '    raise ValueError("bad")',
  'ValueError: bad',
  '2025-06-02 21:05:18,000 1398427 MainThread aiwhisperer.server - ERROR - [websocket_endpoint] CRITICAL: Received message: {"jsonrpc":"2.0","id":7,"method":"sendUserMessage","params":{"sessionId":"s-1","message":"ok"}}',
].join('\n');

describe('ingestFile: Python logging lines', () => {
  it("parses AIWhisperer's server format, maps loggers to sources and understands the emoji markers", async () => {
    const result = await ingestFile(file('server.log', `${SERVER_LOG}\n`), { sink });
    expect(result).toMatchObject({ format: 'python-log', events: 7, unparseable: 0 });
    const [configured, stream, start, done, decision, failed, rpc] = sink.events;
    expect(configured).toMatchObject({ source: 'server', component: 'aiwhisperer.server', timestamp: '2025-06-02T21:05:15.941000Z', level: 'INFO' });
    expect(configured!.details).toMatchObject({ logger: 'aiwhisperer.server', process: 1398427, threadName: 'MainThread' });
    expect(stream).toMatchObject({ source: 'ai_service', action: 'stream_finished' });
    expect(stream!.details.finish_reason).toBe('tool_calls');
    expect(start).toMatchObject({ source: 'tool', action: 'tool_start', component: 'list_rfcs' });
    expect(start!.details).toMatchObject({ tool_name: 'list_rfcs', tool_call_id: 'toolu_01ABC', index: 1, of: 1 });
    // A completed tool is an operation: a span that started its duration before the line.
    expect(done).toMatchObject({ source: 'tool', action: 'tool_execution', duration_ms: 10, kind: 'span', timestamp: '2025-06-02T21:05:16.010000Z' });
    expect(done!.details).toMatchObject({ tool_name: 'list_rfcs', duration_ms: 10 });
    expect(decision).toMatchObject({ source: 'session', action: 'continuation_decision' });
    expect(decision!.details.decision).toBe(false);
    // The traceback stays one event with its log line.
    expect(failed).toMatchObject({ level: 'ERROR', session_id: '3f2a8c1e-1b2c-4d5e-8f90-123456789abc' });
    expect(failed!.event_summary).toBe('Failed to handle message for session 3f2a8c1e-1b2c-4d5e-8f90-123456789abc');
    expect(failed!.stack_trace).toMatch(/^Traceback[\s\S]*ValueError: bad$/);
    // Raw JSON-RPC traffic logged at ERROR is traffic, not an error.
    expect(rpc).toMatchObject({ source: 'websocket', level: 'DEBUG', action: 'user_message', session_id: 's-1' });
    expect(rpc!.details).toMatchObject({ rpc_method: 'sendUserMessage', rpc_request_id: 7, message: 'ok', logged_level: 'ERROR' });
  });

  it("parses Python's default LEVEL:name:message lines", async () => {
    const text = [
      'INFO:aiwhisperer.ai_loop:🔄 STREAM FINISHED: finish_reason=stop',
      'WARNING:aiwhisperer.session_manager:🔄 CONTINUATION DECISION: True',
      'DEBUG:uvicorn.error:hello',
    ].join('\n');
    const result = await ingestFile(file('basic.log', text), { sink });
    expect(result.format).toBe('python-log');
    expect(sink.events.map((e) => [e.level, e.source, e.action])).toEqual([
      ['INFO', 'ai_service', 'stream_finished'],
      ['WARNING', 'session', 'continuation_decision'],
      ['DEBUG', 'server', ''],
    ]);
    expect(sink.events[1]!.details.decision).toBe(true);
    // No timestamps in the file: events keep the file's order.
    expect(sink.events[0]!.timestamp < sink.events[1]!.timestamp).toBe(true);
  });

  it('parses per-agent logs with their markers', async () => {
    const text = [
      '2025-06-02 21:05:15,000 [INFO] >>> USER MESSAGE >>> list the rfcs',
      '2025-06-02 21:05:16,000 [INFO] === TOOL CALL ===',
      '2025-06-02 21:05:17,000 [INFO] <<< AI RESPONSE <<< here they are',
      '2025-06-02 21:05:18,000 [INFO] *** SWITCHING TO AGENT d ***',
    ].join('\n');
    await ingestFile(file('agent_p.log', text), { sink });
    expect(sink.events.map((e) => [e.source, e.action])).toEqual([
      ['agent', 'user_message'],
      ['tool', 'tool_call'],
      ['agent', 'ai_response'],
      ['agent', 'agent_switched'],
    ]);
    expect(sink.events[3]!.details.to).toBe('d');
  });

  it('compiles any %(...)s format string given, with width modifiers, and configurable logger sources', async () => {
    const fmt = '%(asctime)s | %(levelname)-8s | %(name)s:%(lineno)d | %(message)s';
    expect(compileLogFormat(fmt).fields).toEqual(['asctime', 'levelname', 'name', 'lineno', 'message']);
    const text = '2025-06-02 21:05:15.941 | WARNING  | myapp.planner:42 | slow step\n';
    await ingestFile(file('custom.log', text), { sink, format: 'python-log', logFormat: fmt, loggerSources: [{ pattern: 'myapp.planner*', source: 'agent' }] });
    expect(sink.events[0]).toMatchObject({ level: 'WARNING', source: 'agent', event_summary: 'slow step', component: 'myapp.planner' });
    expect(sink.events[0]!.details.lineno).toBe(42);
    expect(() => compileLogFormat('%(asctime)s nothing')).toThrow(/has no %\(message\)s/);
  });

  it('keeps binary garbage and unparseable lines as counted raw events, losing nothing else', async () => {
    const garbage = Buffer.concat([
      Buffer.from('INFO:aiwhisperer.server:before\n'),
      Buffer.from([0x00, 0xff, 0xfe, 0x13, 0x88, 0x0a]),
      Buffer.from('this line has no format at all\n'),
      Buffer.from('ERROR:aiwhisperer.server:after\n'),
    ]);
    const result = await ingestFile(file('garbage.log', garbage), { sink, format: 'python-log', logFormat: '%(levelname)s:%(name)s:%(message)s' });
    // The plain text line after the garbage is not a record start and has no record to continue: raw too.
    expect(result).toMatchObject({ events: 4, unparseable: 2 });
    expect(sink.events.map((e) => e.event_summary)).toEqual(['before', expect.stringContaining('\\x00'), 'this line has no format at all', 'after']);
    expect(sink.events[1]).toMatchObject({ source: 'server', action: 'unparsed_line', tags: ['unparsed'] });
    expect(sink.events[1]!.details).toMatchObject({ log_line: 2, reason: 'binary or control characters' });
  });
});

describe('ingestFile: JSON files', () => {
  it('reads JSONL of DebbieEvents, rejecting a bad line alone', async () => {
    const good = createEvent({ source: 'tool', event_summary: 'ran', session_id: 's9', details: { tool_name: 'x' } });
    const text = `${JSON.stringify(good)}\n{"source":"nope","timestamp":"x"}\n{not json\n`;
    const result = await ingestFile(file('events.jsonl', text), { sink });
    expect(result).toMatchObject({ format: 'jsonl', events: 3, unparseable: 2 });
    expect(sink.events[0]).toEqual(good);
    expect(sink.events[1]!.details.reason).toMatch(/field "timestamp"/);
  });

  it('reads the OTLP JSON examples of the specification, pretty-printed', async () => {
    const base = `${OTLP_EXAMPLES}/opentelemetry-proto/examples`;
    const t = await ingestFile(`${base}/trace.json`, { sink });
    const l = await ingestFile(`${base}/logs.json`, { sink, format: 'otlp-json' });
    expect(t).toMatchObject({ format: 'otlp-json', events: 1, rejected: 0 });
    expect(l).toMatchObject({ format: 'otlp-json', events: 1 });
    expect(sink.events[0]).toMatchObject({ span_id: 'eee19b7ec3c1b174', service_name: 'my.service', duration_ms: 1000 });
    expect(sink.events[1]).toMatchObject({ event_summary: 'Example log record', trace_id: '5b8efff798038103d269b633813fc60c' });
  });

  it('reads OTLP JSON lines (the OTel Collector file exporter) and says no to metrics', async () => {
    const req = {
      resourceSpans: [
        {
          scopeSpans: [{ spans: [{ traceId: 'ab'.repeat(16), spanId: 'cd'.repeat(8), name: 'x', startTimeUnixNano: '1000000', endTimeUnixNano: '3000000' }] }],
        },
      ],
    };
    const metrics = { resourceMetrics: [] };
    const result = await ingestFile(file('otel.jsonl', `${JSON.stringify(req)}\n${JSON.stringify(metrics)}\n`), { sink });
    expect(result).toMatchObject({ events: 2, unparseable: 1 });
    expect(sink.events[0]).toMatchObject({ duration_ms: 2 });
    expect(sink.events[1]!.details.reason).toMatch(/metrics are not ingested/);
  });
});

describe("ingestFile: Debbie's own line format", () => {
  it('reads back what formatDebbieLine wrote', async () => {
    const events = [
      createEvent({
        timestamp: '2025-05-29T10:15:32.123000Z',
        source: 'tool',
        component: 'list_rfcs',
        event_summary: 'Tool list_rfcs completed',
        duration_ms: 10,
        session_id: 's1',
        details: { tool_name: 'list_rfcs' },
      }),
      createEvent({
        timestamp: '2025-05-29T10:15:33.000000Z',
        source: 'debbie_comment',
        level: 'WARNING',
        component: 'debugging',
        event_summary: 'stall detected | really',
        agent_id: 'p',
      }),
    ];
    const result = await ingestFile(file('debbie.log', events.map(formatDebbieLine).join('\n')), { sink });
    expect(result.format).toBe('debbie-line');
    expect(sink.events[0]).toMatchObject({
      timestamp: '2025-05-29T10:15:32.123000Z',
      source: 'tool',
      component: 'list_rfcs',
      duration_ms: 10,
      session_id: 's1',
    });
    expect(sink.events[0]!.details.tool_name).toBe('list_rfcs');
    expect(sink.events[1]).toMatchObject({ source: 'debbie_comment', level: 'WARNING', event_summary: 'stall detected | really', agent_id: 'p' });
  });
});

describe("ingestFile: lines written by the SDK's LineFormatter with the seed's format", () => {
  it('reads back every field the format carries', async () => {
    const { LineFormatter, SEED_FORMAT, SEED_DATEFMT } = await import('@debbie/sdk');
    const full =
      '%(asctime)s %(levelname)s [%(source)s] [%(component)s] %(message)s | session=%(session_id)s agent=%(agent_id)s trace=%(trace_id)s span=%(span_id)s dur=%(duration_ms)s tags=%(tags)s | %(details)s';
    const events = [
      createEvent({
        timestamp: '2025-05-29T10:15:32.123456Z',
        source: 'tool',
        component: 'list_rfcs',
        action: 'tool_execution',
        event_summary: 'Tool list_rfcs completed',
        duration_ms: 10.5,
        session_id: 's1',
        agent_id: 'p',
        trace_id: 'ab'.repeat(16),
        span_id: 'cd'.repeat(8),
        tags: ['a', 'b'],
        details: { tool_name: 'list_rfcs', n: 3 },
      }),
      createEvent({
        timestamp: '2025-05-29T10:15:33.000001Z',
        source: 'agent',
        level: 'ERROR',
        component: 'agent.p',
        event_summary: 'failed',
        stack_trace: 'Error: failed\n    at run (agent.ts:1:1)',
        details: {},
      }),
    ];
    const seed = new LineFormatter(SEED_FORMAT, SEED_DATEFMT);
    await ingestFile(file('seed.log', events.map((e) => seed.formatEvent(e)).join('\n')), { sink, format: 'python-log', logFormat: SEED_FORMAT });
    const rich = new LineFormatter(full, SEED_DATEFMT);
    await ingestFile(file('rich.log', events.map((e) => rich.formatEvent(e)).join('\n')), { sink, format: 'python-log', logFormat: full });
    const [seed1, seed2, rich1, rich2] = sink.events;
    for (const e of [seed1!, rich1!]) {
      expect(e).toMatchObject({ timestamp: '2025-05-29T10:15:32.123456Z', source: 'tool', component: 'list_rfcs', event_summary: 'Tool list_rfcs completed' });
      expect(e.details).toMatchObject({ tool_name: 'list_rfcs', n: 3 });
    }
    for (const e of [seed2!, rich2!])
      expect(e).toMatchObject({ level: 'ERROR', source: 'agent', event_summary: 'failed', stack_trace: 'Error: failed\n    at run (agent.ts:1:1)' });
    expect(rich1).toMatchObject({
      session_id: 's1',
      agent_id: 'p',
      trace_id: 'ab'.repeat(16),
      span_id: 'cd'.repeat(8),
      duration_ms: 10.5,
      kind: 'span',
      tags: ['a', 'b'],
    });
  });
});

describe('FileFollower', () => {
  it('follows appends, a rotation (rename + new file) and a truncation, keeping multi-line records whole', async () => {
    const path = file('follow.log', 'INFO:aiwhisperer.server:one\n');
    const { parser } = await parserForFile(path, {});
    const follower = new FileFollower(path, { parser, sink, pollMs: 1_000_000, idleFlushMs: 0 });
    await follower.start();
    appendFileSync(path, 'ERROR:aiwhisperer.server:two\nTraceback (most recent call last):\n  File "x", line 1\nKeyError: k\n');
    await follower.poll();
    appendFileSync(path, 'INFO:aiwhisperer.server:three before rotation\n');
    renameSync(path, `${path}.1`);
    writeFileSync(path, 'INFO:aiwhisperer.server:four in the new file\n');
    await follower.poll();
    await follower.poll();
    truncateSync(path, 0);
    await follower.poll();
    appendFileSync(path, 'INFO:aiwhisperer.server:five after truncation\n');
    await follower.poll();
    await follower.stop();
    expect(sink.events.map((e) => e.event_summary)).toEqual(['one', 'two', 'three before rotation', 'four in the new file', 'five after truncation']);
    expect(sink.events[1]!.stack_trace).toMatch(/KeyError: k$/);
    expect(follower.stats).toMatchObject({ rotations: 1, truncations: 1, unparseable: 0 });
  });
});

describe('commentary on ingested AIWhisperer logs', () => {
  it('notices the continuation stall and the "ok" nudges in a server log, as it does live', async () => {
    const rpc = (t: string, msg: string) =>
      `2025-06-02 21:${t} 1398427 MainThread aiwhisperer.server - ERROR - [websocket_endpoint] CRITICAL: Received message: {"jsonrpc":"2.0","id":1,"method":"sendUserMessage","params":{"sessionId":"3f2a8c1e-1b2c-4d5e-8f90-123456789abc","message":"${msg}"}}`;
    const lines: string[] = [rpc('05:00,000', 'list the rfcs')];
    // Six times: one tool call, continuation declined, silence, the user nudges with "ok".
    for (let i = 0; i < 6; i++) {
      const m = String(5 + i).padStart(2, '0');
      lines.push(
        `2025-06-02 21:${m}:01,000 1398427 MainThread aiwhisperer.ai_loop - INFO - 🔄 STREAM FINISHED: finish_reason=tool_calls`,
        `2025-06-02 21:${m}:01,100 1398427 MainThread aiwhisperer.agents.agent - INFO - 🔧 EXECUTING TOOL 1/1: list_rfcs (ID: toolu_0${i})`,
        `2025-06-02 21:${m}:01,300 1398427 MainThread aiwhisperer.tools.tool_registry - INFO - ✅ Tool list_rfcs completed in 0.200s`,
        `2025-06-02 21:${m}:01,400 1398427 MainThread aiwhisperer.stateless_session_manager - INFO - 🔄 CONTINUATION DECISION: False`,
        rpc(`${m}:50,000`, 'ok'),
      );
    }
    const pipeline = createPipeline({ sinks: [sink], commentary: (onComment) => new CommentaryProcessor({ onComment }) });
    await ingestFile(file('stall.log', lines.join('\n')), { sink: pipeline });
    await pipeline.forceFlush();
    const comments = sink.events.filter((e) => e.source === 'debbie_comment');
    expect(comments.length).toBeGreaterThan(0);
    const text = comments.map((c) => `${c.action} ${c.event_summary}`).join('\n');
    expect(text).toMatch(/stall pattern[^\n]*48\.7s[^\n]*continuation decision after the tool was False/);
    expect(text).toMatch(/Nudge pattern: the user sent \d short nudges/);
    expect(comments.every((c) => c.session_id === '3f2a8c1e-1b2c-4d5e-8f90-123456789abc')).toBe(true);
    await pipeline.shutdown();
  });
});
