import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ExportResultCode } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, type ReadableSpan, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { openStore } from '@debbie/store';

// Helpers of the backpressure and durability fault tests: the official OTel exporter as the
// sender, the real `debbie collect` (built CLI) as the receiver, and a count of what was stored.

export const BIN = fileURLToPath(new URL('../../packages/cli/dist/bin.js', import.meta.url));

/** Ended spans, made by the real SDK (so the exporter serializes them as it would an app's). */
export function makeSpans(count: number, tag: string, pad = 0): ReadableSpan[] {
  const ended: ReadableSpan[] = [];
  const collect: SpanProcessor = {
    onStart: () => undefined,
    onEnd: (s) => {
      ended.push(s);
    },
    forceFlush: async () => undefined,
    shutdown: async () => undefined,
  };
  const provider = new BasicTracerProvider({ resource: resourceFromAttributes({ 'service.name': 'fault-sender' }), spanProcessors: [collect] });
  const tracer = provider.getTracer('faults');
  for (let i = 0; i < count; i++) {
    const span = tracer.startSpan(`work ${tag}-${i}`, { attributes: { 'session.id': `fault-${tag}`, pad: 'x'.repeat(pad) } });
    span.end();
  }
  return ended;
}

/** Sends batches with the official OTLP/HTTP exporter; returns the span ids the collector acknowledged (2xx). */
export class OtelSender {
  readonly exporter: OTLPTraceExporter;
  readonly acknowledged = new Set<string>();
  failed = 0;
  constructor(url: string, timeoutMillis = 10_000) {
    this.exporter = new OTLPTraceExporter({ url: `${url}/v1/traces`, timeoutMillis });
  }
  send(spans: ReadableSpan[]): Promise<boolean> {
    return new Promise((resolve) => {
      this.exporter.export(spans, (result) => {
        if (result.code === ExportResultCode.SUCCESS) {
          for (const s of spans) this.acknowledged.add(s.spanContext().spanId);
          resolve(true);
        } else {
          this.failed += 1;
          resolve(false);
        }
      });
    });
  }
}

export interface CollectChild {
  child: ChildProcess;
  url: string;
  output: () => string;
  exited: Promise<number | null>;
}

/** Starts `debbie collect` on a store; resolves once it listens. */
export async function startCollect(cwd: string, store: string, extra: string[] = []): Promise<CollectChild> {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: build first (pnpm build)`);
  const child = spawn(process.execPath, [BIN, 'collect', '--otlp-port', '0', '--stream-port', '0', '--store', store, '--no-commentary', ...extra], {
    cwd,
    env: { ...process.env, DEBBIE_TOKEN: '', NO_COLOR: '1' },
  });
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => {
    out += d;
  });
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    out += d;
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const deadline = Date.now() + 30_000;
  let m: RegExpExecArray | null;
  while (!(m = /OTLP\/HTTP on (http:\/\/\S+)\/v1\/traces[\s\S]*live stream on/.exec(out))) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`debbie collect did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 25));
  }
  return { child, url: m[1]!, output: () => out, exited };
}

/** The span ids in the store file (opened read-only, after the collector let go of it). */
export async function storedSpanIds(path: string): Promise<Set<string>> {
  const store = await openStore(path, { readOnly: true });
  try {
    const ids = new Set<string>();
    for await (const page of store.streamEvents({})) for (const e of page) if (e.span_id) ids.add(e.span_id);
    return ids;
  } finally {
    await store.close();
  }
}
