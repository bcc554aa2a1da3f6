import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ingestFile } from '@debbie/collector';
import type { DebbieEvent, EventSink } from '@debbie/model';
import { runScenario } from '../runScenario.js';
import { AiWhispererLogSink } from './AiWhispererLogSink.js';

const SERVER_LINE = /^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) (\d+) MainThread ([\w.]+) - (DEBUG|INFO|WARNING|ERROR|CRITICAL) - (.+)$/;
const AGENT_LINE = /^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) \[(DEBUG|INFO|WARNING|ERROR|CRITICAL)\] (.+)$/;

let dir = '';
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = '';
});

describe('AiWhispererLogSink', () => {
  it("writes the stall scenario in AIWhisperer's server and per-agent log formats, in time order", async () => {
    dir = mkdtempSync(join(tmpdir(), 'aiw-logs-'));
    const sink = new AiWhispererLogSink({ dir });
    await runScenario('continuation-stall', { seed: 2, sinks: [sink] });
    await sink.shutdown();

    const server = readFileSync(join(dir, 'aiwhisperer_server.log'), 'utf8').trimEnd().split('\n');
    const parsed = server.map((l) => SERVER_LINE.exec(l));
    expect(parsed.every(Boolean)).toBe(true);
    const times = parsed.map((m) => m![1]!);
    expect([...times].sort()).toEqual(times);
    const messages = parsed.map((m) => m![5]!);
    // Seven declined after a tool (the bug), one after the final answer.
    expect(messages.filter((m) => m === '🔄 CONTINUATION DECISION: False')).toHaveLength(8);
    expect(messages.some((m) => /^✅ Tool list_rfcs completed in 0\.0\d\ds$/.test(m))).toBe(true);
    expect(messages.some((m) => m.startsWith('🔧 EXECUTING TOOL 1/1: list_rfcs (ID: toolu_'))).toBe(true);
    expect(messages.some((m) => m.startsWith('[websocket_endpoint] CRITICAL: Received message: {"jsonrpc":"2.0","id":2,"method":"sendUserMessage"'))).toBe(
      true,
    );

    const agent = readFileSync(join(dir, 'agent_p.log'), 'utf8').trimEnd().split('\n');
    expect(agent.every((l) => AGENT_LINE.test(l))).toBe(true);
    expect(agent.filter((l) => l.endsWith('>>> USER MESSAGE >>> ok'))).toHaveLength(6);
    expect(agent.filter((l) => l.includes('=== TOOL CALL ==='))).toHaveLength(7);
    expect(agent.filter((l) => l.includes('=== TOOL RESULT ==='))).toHaveLength(7);
  });

  it("is read back by the collector's file ingest with every line parsed and the sources recovered", async () => {
    dir = mkdtempSync(join(tmpdir(), 'aiw-logs-'));
    const sink = new AiWhispererLogSink({ dir });
    await runScenario('error-burst', { seed: 3, sinks: [sink] });
    await sink.shutdown();
    const got: DebbieEvent[] = [];
    const collect: EventSink = {
      write: (e) => {
        got.push(e);
      },
      forceFlush: async () => {},
      shutdown: async () => {},
    };
    const result = await ingestFile(join(dir, 'aiwhisperer_server.log'), { sink: collect });
    const lines = readFileSync(join(dir, 'aiwhisperer_server.log'), 'utf8').trimEnd().split('\n').length;
    expect(got.length).toBe(lines);
    expect(result.format).not.toBe('raw');
    const sources = new Set(got.map((e) => e.source));
    for (const s of ['server', 'websocket', 'session', 'agent', 'ai_service', 'tool']) expect(sources).toContain(s);
    expect(got.filter((e) => e.source === 'tool' && e.level === 'ERROR')).toHaveLength(5);
  });
});
