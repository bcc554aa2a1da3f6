/**
 * An application that already has its own OpenTelemetry setup (NodeSDK, its own exporters) and
 * adds Debbie. The three marked lines are all it takes; nothing else in the app changes.
 *
 * Usage: node dist/app.js OUT.jsonl   (Debbie's events go to OUT.jsonl; the app's own exporter
 * prints how many spans and log records it exported, to show it still gets everything.)
 */
import { context, type ProxyTracerProvider, SpanStatusCode, trace } from '@opentelemetry/api';
import { logs, SeverityNumber } from '@opentelemetry/api-logs';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemoryLogRecordExporter, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { debbieProcessors, JsonlFileSink } from '@debbie/sdk'; // Debbie, line 1 of 3

const out = process.argv[2] ?? 'debbie-events.jsonl';

// The app's own pipeline (in real life an OTLP exporter to Jaeger or Tempo).
const appSpans = new InMemorySpanExporter();
const appLogs = new InMemoryLogRecordExporter();

const debbie = debbieProcessors({ sinks: [new JsonlFileSink(out, { append: false })] }); // Debbie, line 2 of 3
const sdk = new NodeSDK({
  resource: resourceFromAttributes({ 'service.name': 'existing-app' }),
  spanProcessors: [new SimpleSpanProcessor(appSpans), debbie.spanProcessor], // Debbie, line 3 of 3: add the processors
  logRecordProcessors: [new SimpleLogRecordProcessor({ exporter: appLogs }), debbie.logRecordProcessor],
});
sdk.start();

// The app's own instrumentation, written with the plain OpenTelemetry API and the GenAI conventions.
const tracer = trace.getTracer('existing-app');
const logger = logs.getLogger('existing-app');

async function handleTurn(sessionId: string, turn: number): Promise<void> {
  await tracer.startActiveSpan(
    'invoke_agent planner',
    { attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.id': 'p', 'session.id': sessionId } },
    async (agentSpan) => {
      await tracer.startActiveSpan(
        'chat gpt-4o-mini',
        { attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o-mini', 'session.id': sessionId } },
        async (llm) => {
          llm.setAttributes({ 'gen_ai.usage.input_tokens': 120 + turn, 'gen_ai.usage.output_tokens': 40 });
          llm.end();
        },
      );
      await tracer.startActiveSpan(
        'execute_tool list_rfcs',
        { attributes: { 'gen_ai.tool.name': 'list_rfcs', 'gen_ai.tool.call.id': `toolu_${turn}`, 'session.id': sessionId } },
        async (tool) => {
          if (turn === 2) {
            tool.recordException(new Error('RFC directory not found: /rfcs/2'));
            tool.setStatus({ code: SpanStatusCode.ERROR, message: 'RFC directory not found' });
          }
          tool.end();
        },
      );
      logger.emit({
        body: `turn ${turn} done`,
        severityNumber: SeverityNumber.INFO,
        severityText: 'INFO',
        attributes: { 'session.id': sessionId, 'gen_ai.agent.id': 'p' },
        context: context.active(),
      });
      agentSpan.end();
    },
  );
}

for (let turn = 1; turn <= 3; turn++) await handleTurn('existing-session-1', turn);
// The in-memory exporters forget on shutdown: flush (resource detection makes exports wait for
// it), then count what the app's own pipeline got.
await ((trace.getTracerProvider() as ProxyTracerProvider).getDelegate() as { forceFlush?: () => Promise<void> }).forceFlush?.();
await (logs.getLoggerProvider() as { forceFlush?: () => Promise<void> }).forceFlush?.();
const counts = { app_spans: appSpans.getFinishedSpans().length, app_logs: appLogs.getFinishedLogRecords().length };
await sdk.shutdown(); // also flushes Debbie's processors and closes its sinks
console.log(JSON.stringify({ ...counts, debbie_events: out }));
