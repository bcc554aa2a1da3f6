import { createEvent, isoFromEpochMicros, type DebbieEvent, type LogLevel, type LogSource } from '@debbie/model';

export interface SyntheticEventsOptions {
  /** Session id of every event. Default 'sess-synthetic'. */
  sessionId?: string;
  /** Epoch microseconds of the first event. Default 2025-06-02T21:05:15Z. */
  startMicros?: number;
  /** Events per batch yielded. Default 5,000. */
  batchSize?: number;
}

const TOOLS = ['list_rfcs', 'read_file', 'write_file', 'search_code', 'run_tests'];
const SOURCES: LogSource[] = ['websocket', 'session', 'agent', 'ai_service', 'tool', 'server', 'debbie_comment'];
const LEVELS: LogLevel[] = ['INFO', 'INFO', 'INFO', 'DEBUG', 'WARNING', 'INFO', 'ERROR'];

/**
 * The i-th event of a deterministic AIWhisperer-like session: every field populated in turn,
 * nested details, tags, metrics, and text with quotes, commas, newlines and non-ASCII, so that
 * flat formats are exercised. Pure: the same index always gives the same event.
 */
export function syntheticEvent(i: number, options: SyntheticEventsOptions = {}): DebbieEvent {
  const sessionId = options.sessionId ?? 'sess-synthetic';
  const start = options.startMicros ?? Date.UTC(2025, 5, 2, 21, 5, 15) * 1000;
  const source = SOURCES[i % SOURCES.length]!;
  const tool = TOOLS[i % TOOLS.length]!;
  const turn = Math.floor(i / 20);
  const traceId = (turn + 1).toString(16).padStart(32, '0');
  const spanId = (i + 1).toString(16).padStart(16, '0');
  const isSpan = source === 'tool' || source === 'ai_service' || source === 'agent';
  const level = LEVELS[i % LEVELS.length]!;
  return createEvent({
    timestamp: isoFromEpochMicros(start + i * 1_250 + (i % 7)),
    level,
    source,
    component: source === 'tool' ? tool : `aiwhisperer.${source}`,
    action: source === 'tool' ? 'tool_execution' : source === 'ai_service' ? 'chat_completion' : `step_${i % 5}`,
    event_summary: i % 11 === 0 ? `Tool "${tool}" said: a, b, and "c"\nsecond line — ✅ done` : `${source} event ${i} for turn ${turn}`,
    event_id: `evt-${String(i).padStart(8, '0')}`,
    duration_ms: isSpan ? (i % 97) * 3.5 + 0.25 : null,
    details: {
      turn,
      tool_name: tool,
      arguments: { path: `docs/rfc-${i % 13}.md`, note: 'quote " comma , newline \n end' },
      ok: i % 9 !== 0,
    },
    state_before: i % 4 === 0 ? { status: 'Active', depth: i % 3 } : null,
    state_after: i % 4 === 0 ? { status: i % 8 === 0 ? 'Stopped' : 'Active' } : null,
    session_id: sessionId,
    agent_id: i % 3 === 0 ? 'p' : 'd',
    correlation_id: `corr-${turn}`,
    parent_id: i % 20 === 0 ? null : `evt-${String(turn * 20).padStart(8, '0')}`,
    tags: i % 2 === 0 ? ['turn', `tool:${tool}`] : [],
    performance_metrics: isSpan ? { tokens: 100 + (i % 50), latency_ms: (i % 97) * 3.5 } : null,
    stack_trace: level === 'ERROR' ? `Traceback (most recent call last):\n  File "server.py", line ${i % 300}, in run\nValueError: bad, "value"` : null,
    context_snapshot: i % 10 === 0 ? { memory_mb: 210 + (i % 40), open_tools: [tool] } : null,
    trace_id: traceId,
    span_id: spanId,
    parent_span_id: i % 20 === 0 ? null : (turn * 20 + 1).toString(16).padStart(16, '0'),
    kind: isSpan ? 'span' : 'log',
    service_name: source === 'websocket' ? 'aiwhisperer-frontend' : 'aiwhisperer-server',
  });
}

/** `count` synthetic events in batches: the shape `EventReader.streamEvents` yields. */
export function* syntheticBatches(count: number, options: SyntheticEventsOptions = {}): Generator<DebbieEvent[]> {
  const size = options.batchSize ?? 5_000;
  for (let start = 0; start < count; start += size) {
    const batch: DebbieEvent[] = [];
    for (let i = start; i < Math.min(count, start + size); i++) batch.push(syntheticEvent(i, options));
    yield batch;
  }
}
