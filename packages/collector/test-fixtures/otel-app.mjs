// An app that knows nothing about Debbie: the stock OpenTelemetry JS SDK and OTLP/HTTP protobuf
// exporters, configured only by the standard OTEL_EXPORTER_OTLP_ENDPOINT variable.
import { ROOT_CONTEXT, SpanStatusCode, trace } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';

const sessionId = process.env.APP_SESSION_ID ?? 'stock-session';
const resource = resourceFromAttributes({ 'service.name': 'stock-otel-app', 'service.version': '1.2.3', 'session.id': sessionId });
const tracerProvider = new BasicTracerProvider({ resource, spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())] });
const loggerProvider = new LoggerProvider({ resource, processors: [new BatchLogRecordProcessor({ exporter: new OTLPLogExporter() })] });
const tracer = tracerProvider.getTracer('stock-app', '1.0.0');
const logger = loggerProvider.getLogger('stock-app');

const turn = tracer.startSpan('invoke_agent planner', {
  attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'planner', 'gen_ai.agent.id': 'p', 'app.turn': 1 },
});
const inTurn = trace.setSpan(ROOT_CONTEXT, turn);
const chat = tracer.startSpan(
  'chat gpt-4o',
  {
    attributes: {
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'gpt-4o',
      'gen_ai.usage.input_tokens': 321,
      'gen_ai.usage.output_tokens': 54,
      'gen_ai.response.finish_reasons': ['tool_calls'],
    },
  },
  inTurn,
);
chat.end();
const tool = tracer.startSpan(
  'execute_tool list_rfcs',
  {
    attributes: {
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': 'list_rfcs',
      'gen_ai.tool.call.id': 'toolu_01',
      'gen_ai.tool.call.arguments': '{"status":"in_progress"}',
      'app.cache_hit': false,
      'app.items': [1, 2, 3],
    },
  },
  inTurn,
);
logger.emit({
  severityNumber: 9,
  severityText: 'INFO',
  body: 'listing rfcs',
  attributes: { 'app.dir': '.WHISPER/rfc' },
  context: trace.setSpan(ROOT_CONTEXT, tool),
});
tool.end();
const failing = tracer.startSpan('execute_tool read_file', { attributes: { 'gen_ai.tool.name': 'read_file' } }, inTurn);
failing.recordException(new Error('ENOENT: no such file'));
failing.setStatus({ code: SpanStatusCode.ERROR, message: 'ENOENT' });
failing.end();
turn.end();

await tracerProvider.forceFlush();
await loggerProvider.forceFlush();
await tracerProvider.shutdown();
await loggerProvider.shutdown();
