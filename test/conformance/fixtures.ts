import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OTLP_EXAMPLES, PUBLIC_DATA } from '../sharedData.js';

/*
 * The conformance inputs as OTLP/JSON export requests: the fixtures recorded from the real
 * libraries by record.sh, and the public data nobody here wrote (../shared/data/public), adapted
 * from the shapes it was published in (Python span dumps, JS ReadableSpans, attribute maps).
 */

const HERE = fileURLToPath(new URL('.', import.meta.url));
export const PUBLIC = join(PUBLIC_DATA, 'otel_sdk_json');
export { OTLP_EXAMPLES };

export interface OtlpInput {
  traces: Record<string, unknown>;
  logs: Record<string, unknown> | null;
}

export interface RecordedFixture extends OtlpInput {
  packages: Record<string, string>;
  node: string;
  notes: string;
}

export function recorded(name: string): RecordedFixture {
  return JSON.parse(readFileSync(join(HERE, 'fixtures', `${name}.json`), 'utf8')) as RecordedFixture;
}

function anyValue(v: unknown): Record<string, unknown> {
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  if (typeof v === 'number') return Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v };
  if (Array.isArray(v)) return { arrayValue: { values: v.map(anyValue) } };
  if (v === null || v === undefined) return {};
  return { stringValue: JSON.stringify(v) };
}

const keyValues = (attrs: Record<string, unknown>) => Object.entries(attrs).map(([key, value]) => ({ key, value: anyValue(value) }));

interface PlainSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string | undefined;
  name: string;
  startNanos: bigint;
  endNanos: bigint;
  status: { code: number; message?: string | undefined };
  attributes: Record<string, unknown>;
  events?: { name: string; timeNanos: bigint; attributes: Record<string, unknown> }[];
}

function request(resource: Record<string, unknown>, spans: PlainSpan[]): Record<string, unknown> {
  return {
    resourceSpans: [
      {
        resource: { attributes: keyValues(resource) },
        scopeSpans: [
          {
            scope: { name: 'conformance-adapter' },
            spans: spans.map((s) => ({
              traceId: s.traceId,
              spanId: s.spanId,
              ...(s.parentSpanId ? { parentSpanId: s.parentSpanId } : {}),
              name: s.name,
              kind: 1,
              startTimeUnixNano: String(s.startNanos),
              endTimeUnixNano: String(s.endNanos),
              attributes: keyValues(s.attributes),
              status: s.status,
              events: (s.events ?? []).map((e) => ({ name: e.name, timeUnixNano: String(e.timeNanos), attributes: keyValues(e.attributes) })),
            })),
          },
        ],
      },
    ],
  };
}

const hex = (n: bigint | number | string, width: number) => BigInt(n).toString(16).padStart(width, '0');

/** mozilla-ai/any-agent's Python span dumps (ints for ids, nanosecond times) → OTLP/JSON. */
export function anyAgent(framework: string): OtlpInput {
  const raw = readFileSync(join(PUBLIC, 'any-agent/tests/assets', `${framework}_trace.json`), 'utf8');
  // Python ints beyond 2^53: keep their digits exact by quoting them before JSON.parse.
  const doc = JSON.parse(raw.replace(/("(?:trace_id|span_id)":\s*)(\d+)/g, '$1"$2"')) as { spans: Record<string, any>[] };
  const status = (s: Record<string, any>) => ({
    code: s.status.status_code === 'error' ? 2 : s.status.status_code === 'ok' ? 1 : 0,
    message: s.status.description ?? undefined,
  });
  const spans: PlainSpan[] = doc.spans.map((s) => ({
    traceId: hex(s.context.trace_id, 32),
    spanId: hex(s.context.span_id, 16),
    parentSpanId: s.parent?.span_id ? hex(s.parent.span_id, 16) : undefined,
    name: s.name,
    startNanos: BigInt(s.start_time),
    endNanos: BigInt(s.end_time),
    status: status(s),
    attributes: s.attributes ?? {},
    events: (s.events ?? []).map((e: Record<string, any>) => ({ name: e.name, timeNanos: BigInt(e.timestamp), attributes: e.attributes ?? {} })),
  }));
  return { traces: request(doc.spans[0]?.resource?.attributes ?? { 'service.name': 'any-agent' }, spans), logs: null };
}

/** Arize's captured Vercel AI SDK v6 spans (JS ReadableSpan JSON) → OTLP/JSON. */
export function vercelV6(file = 'all-spans.json'): OtlpInput {
  const doc = JSON.parse(readFileSync(join(PUBLIC, 'openinference/js/packages/openinference-vercel/test/__fixtures__/v6-spans', file), 'utf8')) as Record<
    string,
    any
  >[];
  const nanos = (t: [number, number]) => BigInt(t[0]) * 1_000_000_000n + BigInt(t[1]);
  const spans: PlainSpan[] = doc.map((s) => ({
    traceId: s.spanContext.traceId,
    spanId: s.spanContext.spanId,
    parentSpanId: s.parentSpanId ?? s.parentSpanContext?.spanId,
    name: s.name,
    startNanos: nanos(s.startTime),
    endNanos: nanos(s.endTime),
    status: s.status,
    attributes: s.attributes ?? {},
  }));
  return { traces: request({ 'service.name': 'vercel-v6-fixture' }, spans), logs: null };
}

/** Arize's GenAI attribute maps (current and deprecated names) → one span each. */
export function genAiAttributeMap(file: string, index: number): OtlpInput {
  const attributes = JSON.parse(readFileSync(join(PUBLIC, 'openinference/js/packages/openinference-genai/test/__fixtures__', file), 'utf8')) as Record<
    string,
    unknown
  >;
  const start = 1_767_225_600_000_000_000n + BigInt(index) * 1_000_000_000n;
  return {
    traces: request({ 'service.name': 'genai-fixture' }, [
      {
        traceId: hex(index + 1, 32),
        spanId: hex(index + 1, 16),
        name: file.replace(/\.json$/, ''),
        startNanos: start,
        endNanos: start + 500_000_000n,
        status: { code: 0 },
        attributes,
      },
    ]),
    logs: null,
  };
}
