import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScenario } from '@debbie/aiwhisperer-sim';

interface OtlpValue {
  stringValue?: string;
  intValue?: string;
  doubleValue?: number;
  boolValue?: boolean;
  arrayValue?: { values: OtlpValue[] };
}
interface OtlpSpan {
  name: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  attributes: { key: string; value: OtlpValue }[];
}

/** A plain HTTP server standing in for a Collector: keeps every OTLP/JSON trace request body. */
function startCollectorStandIn() {
  const bodies: unknown[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      expect(req.url).toBe('/v1/traces');
      expect(req.headers['content-type']).toContain('application/json');
      bodies.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  return { server, bodies };
}

function attrs(span: OtlpSpan): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const { key, value } of span.attributes) {
    out[key] =
      value.stringValue ??
      (value.intValue !== undefined ? Number(value.intValue) : undefined) ??
      value.doubleValue ??
      value.boolValue ??
      value.arrayValue?.values.map((v) => v.stringValue);
  }
  return out;
}

describe("the official OTLP/HTTP exporter sending the demo's spans", () => {
  const standIn = startCollectorStandIn();
  let url = '';
  beforeAll(async () => {
    await new Promise<void>((resolve) => standIn.server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(standIn.server.address() as AddressInfo).port}/v1/traces`;
  });
  afterAll(() => new Promise<void>((resolve) => standIn.server.close(() => resolve())));

  it("carries the conventions' attributes, GenAI names and parent links", async () => {
    const run = await runScenario('slow-tool', { seed: 2, debbie: { spanExporters: [new OTLPTraceExporter({ url })] } });
    const spans = standIn.bodies
      .flatMap((b) => (b as { resourceSpans: { scopeSpans: { spans: OtlpSpan[] }[] }[] }).resourceSpans)
      .flatMap((rs) => rs.scopeSpans)
      .flatMap((ss) => ss.spans);
    const spanEvents = run.events.filter((e) => e.kind === 'span');
    expect(spans).toHaveLength(spanEvents.length);
    const byId = new Map(spans.map((s) => [s.spanId, s]));
    for (const event of spanEvents) {
      const span = byId.get(event.span_id!);
      expect(span, `span ${event.span_id}`).toBeDefined();
      const a = attrs(span!);
      expect(a['debbie.source']).toBe(event.source);
      expect(a['session.id'] ?? null).toBe(event.session_id);
      if (event.agent_id) expect(a['gen_ai.agent.id']).toBe(event.agent_id);
      if (event.correlation_id) expect(a['debbie.correlation_id']).toBe(event.correlation_id);
      expect(a['debbie.component']).toBe(event.component);
      expect(span!.parentSpanId || null).toBe(event.parent_span_id);
      expect(span!.traceId).toBe(event.trace_id);
    }
    const tool = spans.find((s) => s.name.startsWith('execute_tool '));
    expect(tool && attrs(tool)['gen_ai.tool.name']).toBe(tool?.name.slice('execute_tool '.length));
    const chat = spans.find((s) => s.name.startsWith('chat '));
    expect(chat && attrs(chat)).toMatchObject({ 'gen_ai.request.model': expect.any(String), 'gen_ai.usage.input_tokens': expect.any(Number) });
  });
});
