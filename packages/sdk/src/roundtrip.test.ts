import { describe, expect, it } from 'vitest';
import { ROOT_CONTEXT } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { createEvent, eventFromReadableLogRecord, eventToLogRecord, type DebbieEvent } from '@debbie/model';
import { createDebbie } from './createDebbie.js';
import { InMemorySink } from './InMemorySink.js';

function fullEvent(): DebbieEvent {
  return createEvent({
    timestamp: '2025-05-29T10:15:32.123456Z',
    level: 'WARNING',
    source: 'tool',
    component: 'list_rfcs',
    action: 'tool_execution',
    event_summary: 'Tool list_rfcs completed',
    event_id: 'evt-1',
    duration_ms: 10.5,
    details: { tool_name: 'list_rfcs', tool_call_id: 'toolu_01', nested: { a: [1, 2, { b: 'c' }] }, model: 'gpt-x' },
    state_before: { step: 1 },
    state_after: ['done', 2],
    session_id: 'sess-1',
    agent_id: 'p',
    correlation_id: 'turn-1',
    parent_id: 'abcdefabcdefabcd',
    tags: ['rfc', 'slow'],
    performance_metrics: { input_tokens: 12, output_tokens: 30, memory_mb: 123.5 },
    stack_trace: 'Traceback (most recent call last):\n  File "x.py", line 1\nValueError: bad',
    context_snapshot: { cwd: '/work' },
    trace_id: '0123456789abcdef0123456789abcdef',
    span_id: 'abcdefabcdefabcd',
    parent_span_id: '1111111111111111',
    kind: 'span',
    service_name: 'aiwhisperer',
  });
}

describe('DebbieEvent ↔ OTel log record', () => {
  it('loses no field through a real LoggerProvider', async () => {
    const exporter = new InMemoryLogRecordExporter();
    const provider = new LoggerProvider({
      resource: resourceFromAttributes({ 'service.name': 'aiwhisperer' }),
      processors: [new SimpleLogRecordProcessor({ exporter })],
    });
    const original = fullEvent();
    provider.getLogger('t').emit(eventToLogRecord(original));
    await provider.forceFlush();
    const [record] = exporter.getFinishedLogRecords();
    expect(record).toBeDefined();
    expect(eventFromReadableLogRecord(record!)).toEqual(original);
  });

  it('keeps a point event without trace ids as it was', async () => {
    const exporter = new InMemoryLogRecordExporter();
    const provider = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter })] });
    const original = createEvent({ source: 'session', event_summary: 'started', timestamp: '2025-01-01T00:00:00.000001Z', service_name: null });
    provider.getLogger('t').emit({ ...eventToLogRecord(original), context: ROOT_CONTEXT });
    const [record] = exporter.getFinishedLogRecords();
    const back = eventFromReadableLogRecord(record!);
    expect({ ...back, service_name: null }).toEqual(original);
  });
});

describe('DebbieLogger', () => {
  it('nests log events and child spans under the active span, with context ids', async () => {
    const sink = new InMemorySink();
    let now = Date.parse('2025-05-29T10:00:00Z') * 1000;
    const debbie = createDebbie({ sinks: [sink], clock: { now: () => now, setTimer: () => () => {} } });
    const { logger } = debbie;
    await logger.withContext({ sessionId: 's1', agentId: 'p', correlationId: 'c1' }, () =>
      logger.span({ source: 'agent', action: 'turn' }, async (turn) => {
        turn.log({ source: 'agent', message: 'thinking' });
        now += 2_000_000;
        await logger.span({ source: 'tool', details: { tool_name: 'list_rfcs' } }, async () => {
          now += 10_000;
        });
      }),
    );
    await debbie.forceFlush();
    const [log, tool, turn] = sink.events;
    expect(turn?.kind).toBe('span');
    expect(turn?.duration_ms).toBe(2010);
    expect(tool?.event_summary).toBe('execute_tool list_rfcs');
    expect(tool?.parent_id).toBe(turn?.event_id);
    expect(log?.parent_id).toBe(turn?.event_id);
    for (const e of sink.events) {
      expect(e).toMatchObject({ session_id: 's1', agent_id: 'p', correlation_id: 'c1', trace_id: turn?.trace_id });
    }
    await debbie.shutdown();
  });

  it('masks api keys and Authorization headers before any sink sees them', async () => {
    const sink = new InMemorySink();
    const debbie = createDebbie({ sinks: [sink] });
    debbie.logger.log({
      source: 'ai_service',
      message: 'call',
      details: { api_key: 'sk-or-v1-abcdefghijklmnopqrstuvwxyz', headers: { Authorization: 'Bearer abc.def.ghi.jkl' }, input_tokens: 5 },
    });
    await debbie.logger.span({ source: 'tool', details: { tool_name: 't', password: 'hunter2' } }, () => undefined);
    await debbie.forceFlush();
    const text = JSON.stringify(sink.events);
    expect(text).not.toContain('sk-or-v1');
    expect(text).not.toContain('abc.def');
    expect(text).not.toContain('hunter2');
    expect(sink.events[0]?.details).toMatchObject({ api_key: '[REDACTED]', input_tokens: 5 });
    await debbie.shutdown();
  });
});
