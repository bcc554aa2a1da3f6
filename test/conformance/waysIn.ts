import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DebbieEvent, SessionSummary } from '@debbie/model';
import { openStore } from '@debbie/store';
import { ingestFile, startCollector } from '@debbie/collector';
import { createPipeline } from '@debbie/pipeline';
import { decodeJsonTraces } from '../../packages/collector/src/otlp/decodeTraces.js';
import { decodeJsonLogs } from '../../packages/collector/src/otlp/decodeLogs.js';
import { otlpJsonToProto } from '../../packages/collector/src/otlp/otlpJsonToProto.js';
import type { OtlpInput } from './fixtures.js';

/** What a way in left in a fresh store: its events and its session list. */
export interface Stored {
  events: DebbieEvent[];
  sessions: SessionSummary[];
}

export type Way = 'otlp-http-json' | 'otlp-http-protobuf' | 'ingest-otlp-json' | 'post-api-events';
export const WAYS: readonly Way[] = ['otlp-http-json', 'otlp-http-protobuf', 'ingest-otlp-json', 'post-api-events'];

async function post(url: string, type: string, body: string | Uint8Array): Promise<void> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': type }, body });
  if (res.status !== 200) throw new Error(`${url} answered ${res.status}: ${await res.text()}`);
}

/** Sends the input through one way in to a new store, and reads back everything stored. */
export async function throughWay(way: Way, input: OtlpInput): Promise<Stored> {
  const dir = mkdtempSync(join(tmpdir(), 'debbie-conformance-'));
  const store = await openStore(join(dir, 'events.duckdb'));
  try {
    if (way === 'ingest-otlp-json') {
      const file = join(dir, 'export.jsonl');
      writeFileSync(
        file,
        `${[input.traces, input.logs]
          .filter(Boolean)
          .map((r) => JSON.stringify(r))
          .join('\n')}\n`,
      );
      const pipeline = createPipeline({ store });
      await ingestFile(file, { sink: pipeline, format: 'otlp-json' });
      await pipeline.forceFlush();
    } else {
      const collector = await startCollector({ port: 0, store, token: undefined });
      try {
        if (way === 'otlp-http-json') {
          await post(`${collector.url}/v1/traces`, 'application/json', JSON.stringify(input.traces));
          if (input.logs) await post(`${collector.url}/v1/logs`, 'application/json', JSON.stringify(input.logs));
        } else if (way === 'otlp-http-protobuf') {
          await post(`${collector.url}/v1/traces`, 'application/x-protobuf', otlpJsonToProto('traces', input.traces));
          if (input.logs) await post(`${collector.url}/v1/logs`, 'application/x-protobuf', otlpJsonToProto('logs', input.logs));
        } else {
          // What a sender that decodes OTLP itself (no foreign conversion) would POST.
          const raw = [...decodeJsonTraces(input.traces).events, ...(input.logs ? decodeJsonLogs(input.logs).events : [])];
          await post(`${collector.url}/api/events`, 'application/json', JSON.stringify(raw));
        }
        await collector.pipeline.forceFlush();
        return { events: await store.queryEvents({}), sessions: await store.listSessions() };
      } finally {
        await collector.close();
      }
    }
    return { events: await store.queryEvents({}), sessions: await store.listSessions() };
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Events in a comparable form: log records get random ids on each way in, so those are left out. */
export function canonical(events: DebbieEvent[]): string[] {
  return events.map((e) => JSON.stringify({ ...e, event_id: e.kind === 'log' && !e.event_id.includes('.e') ? '' : e.event_id })).sort();
}

/** What a user sees of the events: sessions, tools, models with tokens, agents, error causes, parents. */
export function summarize(events: DebbieEvent[]) {
  const spans = events.filter((e) => e.kind === 'span');
  const ids = new Set(spans.map((e) => e.span_id));
  const models: Record<string, { calls: number; input_tokens: number; output_tokens: number }> = {};
  for (const e of spans.filter((s) => s.source === 'ai_service')) {
    const m = (models[e.component] ??= { calls: 0, input_tokens: 0, output_tokens: 0 });
    m.calls += 1;
    m.input_tokens += e.performance_metrics?.input_tokens ?? 0;
    m.output_tokens += e.performance_metrics?.output_tokens ?? 0;
  }
  const uniq = (xs: (string | null)[]) => [...new Set(xs.filter((x): x is string => x !== null))].sort();
  return {
    sessions: uniq(events.map((e) => e.session_id)),
    inferred_sessions: uniq(events.filter((e) => e.details.session_inferred === true).map((e) => e.session_id)),
    unsessioned: events.filter((e) => e.session_id === null).length,
    tools: uniq(spans.filter((e) => e.source === 'tool').map((e) => e.component)),
    models,
    agents: uniq(events.map((e) => e.agent_id)),
    agent_steps: spans.filter((e) => e.action === 'agent_step').length,
    chains: spans.filter((e) => e.action === 'chain').length,
    errors: events
      .filter((e) => e.level === 'ERROR' || e.level === 'CRITICAL')
      .map((e) => `${e.source}:${e.component}:${String(e.details.error_cause)}`)
      .sort(),
    dangling_parents: spans.filter((e) => e.parent_span_id !== null && !ids.has(e.parent_span_id)).length,
    messages: events
      .filter((e) => e.kind === 'log' && e.source === 'ai_service')
      .map((e) => e.action)
      .sort(),
  };
}
