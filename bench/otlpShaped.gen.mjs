// The collector bench's spans (2,000 sessions; per turn an invoke_agent span with a chat call and two
// tool calls, each with its own arguments) as the collector turns them into events: span parts →
// eventsFromSpanParts → learnSessions per request → convertForeignEvent (→ redactEvent when asked).
// Children come before their parent, as the SDK exports them (they end first). One generator for the
// benches that measure a stage on these events (commentary, redaction).
import { convertForeignEvent, eventsFromSpanParts, learnSessions, redactEvent, TraceSessionIndex } from '@debbie/model';

const TOOLS = ['list_rfcs', 'read_file', 'write_file', 'search_code', 'run_tests', 'list_plans', 'create_plan', 'git_diff'];
const RESOURCE = {
  'service.name': 'unknown_service:node',
  'telemetry.sdk.language': 'nodejs',
  'telemetry.sdk.name': 'opentelemetry',
  'telemetry.sdk.version': '2.12.0',
};

/** `total` events in requests of `perRequest` spans; `redacted: false` stops before the redactor. */
export function otlpShapedEvents(total, { perRequest = 1000, redacted = true } = {}) {
  const foreign = { traces: new TraceSessionIndex(), sessionKeys: [] };
  const t0us = Date.now() * 1000 - 3_600_000_000; // sent an hour after they happened, as the collector bench's
  let id = 0;
  const hex = (width) => (++id).toString(16).padStart(width, '0');
  const out = [];
  for (let done = 0; done < total; done += perRequest) {
    const raw = [];
    for (let i = 0; i < perRequest; i += 4) {
      const n = done + i;
      const session = `sess-${n % 2000}`;
      const start = t0us + n * 2000;
      const traceId = hex(32);
      const turnId = hex(16);
      const span = (name, s, e, attributes, spanId, parentSpanId) =>
        eventsFromSpanParts(
          { name, traceId, spanId, parentSpanId, startMicros: s, endMicros: e, statusCode: 0, attributes, resource: RESOURCE, events: [] },
          raw,
        );
      const a = TOOLS[n % TOOLS.length];
      const b = TOOLS[(n * 7 + 3) % TOOLS.length];
      const usage = { 'gen_ai.usage.input_tokens': 700 + (n % 300), 'gen_ai.usage.output_tokens': 50 + (n % 90) };
      span('chat gpt-4o', start + 100, start + 900, { 'session.id': session, 'gen_ai.request.model': 'gpt-4o', ...usage }, hex(16), turnId);
      const args = (tool, v) => ({ 'session.id': session, 'gen_ai.tool.name': tool, 'gen_ai.tool.call.arguments': v });
      span(`execute_tool ${a}`, start + 1000, start + 1200, args(a, `{"path":"docs/rfc-${n}.md"}`), hex(16), turnId);
      span(`execute_tool ${b}`, start + 1300, start + 1500, args(b, `{"query":"q${n}"}`), hex(16), turnId);
      span(
        'invoke_agent planner',
        start,
        start + 1600,
        { 'session.id': session, 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.id': 'p' },
        turnId,
        undefined,
      );
    }
    learnSessions(raw, foreign);
    for (const e of raw) {
      const event = convertForeignEvent(e, foreign);
      out.push(redacted ? redactEvent(event) : event);
    }
  }
  return out;
}
