import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimServer } from '@debbie/aiwhisperer-sim';
import { createDebbie, InMemorySink } from '@debbie/sdk';
import { debbieJsonRpcObserver } from './debbieJsonRpcObserver.js';
import { JsonRpcError, JsonRpcService, JsonRpcTimeoutError } from './JsonRpcService.js';

describe('examples/frontend-jsonrpc: a JsonRpcService instrumented with Debbie', () => {
  let sim: Awaited<ReturnType<typeof startSimServer>>;
  beforeAll(async () => {
    sim = await startSimServer();
  });
  afterAll(async () => {
    await sim.server.close();
    await sim.debbie.shutdown();
  });

  it('makes one span per request, correlated by request id and sessionId, with notifications nested in the turn', async () => {
    const sink = new InMemorySink();
    const debbie = createDebbie({ serviceName: 'frontend', sinks: [sink] });
    const rpc = new JsonRpcService(sim.url, { observer: debbieJsonRpcObserver(debbie.logger) });
    await rpc.connect();
    const { sessionId } = await rpc.sendRequest<{ sessionId: string }>('startSession', { userId: 'u1', sessionParams: { language: 'en' } });
    await rpc.sendRequest('sendUserMessage', { sessionId, message: 'List the RFCs' });
    await expect(rpc.sendRequest('no.such.method', { sessionId })).rejects.toBeInstanceOf(JsonRpcError);
    await rpc.sendRequest('stopSession', { sessionId });
    rpc.close();
    await debbie.shutdown();

    const spans = sink.events.filter((e) => e.kind === 'span');
    expect(spans.map((s) => s.details.rpc_method)).toEqual(['startSession', 'sendUserMessage', 'no.such.method', 'stopSession']);
    expect(spans.map((s) => s.details.rpc_request_id)).toEqual([1, 2, 3, 4]);
    for (const s of spans) expect(s).toMatchObject({ source: 'websocket', session_id: sessionId });
    expect(spans[0]!.correlation_id).toBe('rpc-1'); // no session yet when it was sent
    expect(spans[1]!.correlation_id).toBe(`${sessionId}-rpc-2`);
    expect(spans[2]).toMatchObject({ level: 'ERROR', details: { rpc_error_code: -32601 } });
    const turn = spans[1]!;
    const notifications = sink.events.filter((e) => e.action === 'notification');
    const inTurn = notifications.filter((n) => n.parent_id === turn.span_id);
    expect(inTurn.length).toBeGreaterThan(3);
    for (const n of inTurn) expect(n).toMatchObject({ correlation_id: turn.correlation_id, trace_id: turn.trace_id, session_id: sessionId });
    expect(new Set(inTurn.map((n) => n.details.rpc_method))).toContain('StreamingUpdate');
    expect(notifications.some((n) => n.details.rpc_method === 'SessionStatusNotification')).toBe(true);
  });

  it('records a request timeout as an error span and counts the late response', async () => {
    const sink = new InMemorySink();
    const debbie = createDebbie({ sinks: [sink] });
    const rpc = new JsonRpcService(sim.url, { observer: debbieJsonRpcObserver(debbie.logger) });
    await rpc.connect();
    const { sessionId } = await rpc.sendRequest<{ sessionId: string }>('startSession', { userId: 'u2', sessionParams: { language: 'en' } });
    await expect(rpc.sendRequest('sendUserMessage', { sessionId, message: 'List the RFCs' }, 50)).rejects.toBeInstanceOf(JsonRpcTimeoutError);
    await new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        if (rpc.lateResponses > 0) {
          clearInterval(poll);
          resolve();
        }
      }, 20);
    });
    rpc.close();
    await debbie.shutdown();
    const timedOut = sink.events.find((e) => e.details.rpc_method === 'sendUserMessage' && e.kind === 'span');
    expect(timedOut).toMatchObject({ level: 'ERROR', details: { timed_out: true, timeout_ms: 50 } });
    expect(timedOut!.event_summary).toMatch(/timed out after 50 ms/);
    expect(rpc.lateResponses).toBe(1);
  });
});
