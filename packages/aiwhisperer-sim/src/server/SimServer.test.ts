import { afterEach, describe, expect, it } from 'vitest';
import { createDebbie, InMemorySink, type Debbie } from '@debbie/sdk';
import { SimClock } from '../clock/SimClock.js';
import { SimClient } from '../client/SimClient.js';
import { RPC_ERROR, RpcError, SessionStatus } from '../protocol/jsonrpc.js';
import { CONTINUATION_PROMPT } from './Agent.js';
import { SimServer, type SimServerOptions } from './SimServer.js';

interface Rig {
  clock: SimClock;
  server: SimServer;
  sink: InMemorySink;
  debbie: Debbie;
  clients: SimClient[];
}

let rig: Rig | undefined;

async function start(options: Partial<SimServerOptions> = {}): Promise<Rig> {
  const clock = new SimClock();
  const sink = new InMemorySink();
  const debbie = createDebbie({ serviceName: 'sim-test', sinks: [sink], clock });
  const server = await SimServer.start({ logger: debbie.logger, clock, seed: 3, ...options });
  clock.start();
  rig = { clock, server, sink, debbie, clients: [] };
  return rig;
}

async function connect(r: Rig): Promise<SimClient> {
  const client = await SimClient.connect(r.server.url, { clock: r.clock });
  r.clients.push(client);
  return client;
}

afterEach(async () => {
  if (!rig) return;
  for (const c of rig.clients) await c.close();
  await rig.server.close();
  rig.clock.stop();
  await rig.debbie.shutdown();
  rig = undefined;
});

async function rpcError(p: Promise<unknown>): Promise<RpcError> {
  try {
    await p;
  } catch (error) {
    if (error instanceof RpcError) return error;
    throw error;
  }
  throw new Error('expected an RpcError');
}

describe('SimServer JSON-RPC', () => {
  it('starts a session with a uuid4 id and Active status, and answers agent.list and session.current_agent', async () => {
    const r = await start();
    const client = await connect(r);
    const started = await client.request<{ sessionId: string; status: number }>('startSession', { userId: 'u1', sessionParams: { language: 'en' } });
    expect(started.sessionId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(started.status).toBe(SessionStatus.Active);
    const agents = await client.request<{ agents: { agent_id: string; name: string }[] }>('agent.list');
    expect(agents.agents.find((a) => a.agent_id === 'p')?.name).toBe('Patricia');
    const current = await client.request<{ agent_id: string }>('session.current_agent', { sessionId: started.sessionId });
    expect(current.agent_id).toBe('p');
    const stopped = await client.request<{ status: number }>('stopSession', { sessionId: started.sessionId });
    expect(stopped.status).toBe(SessionStatus.Stopped);
  });

  it('answers malformed JSON with -32700 and id null', async () => {
    const r = await start();
    const client = await connect(r);
    const reply = await client.sendRawExpectingError('{"jsonrpc":"2.0","id":1,"method":');
    expect(reply.id).toBeNull();
    expect(reply.error?.code).toBe(RPC_ERROR.PARSE_ERROR);
  });

  it('answers an invalid request with -32600 naming what was wrong', async () => {
    const r = await start();
    const client = await connect(r);
    const wrongVersion = await client.sendRawExpectingError('{"jsonrpc":"1.0","id":5,"method":"agent.list"}');
    expect(wrongVersion.error?.code).toBe(RPC_ERROR.INVALID_REQUEST);
    expect(wrongVersion.error?.message).toContain('jsonrpc');
    expect(wrongVersion.id).toBe(5);
    const noMethod = await client.sendRawExpectingError('{"jsonrpc":"2.0","id":6}');
    expect(noMethod.error?.code).toBe(RPC_ERROR.INVALID_REQUEST);
    const array = await client.sendRawExpectingError('[1,2]');
    expect(array.error?.code).toBe(RPC_ERROR.INVALID_REQUEST);
  });

  it('answers an unknown method with -32601, bad params with -32602, and a full session table with -32603', async () => {
    const r = await start({ maxSessions: 1 });
    const client = await connect(r);
    expect((await rpcError(client.request('session.teleport'))).code).toBe(RPC_ERROR.METHOD_NOT_FOUND);
    const missing = await rpcError(client.request('sendUserMessage', { message: 'hi' }));
    expect(missing.code).toBe(RPC_ERROR.INVALID_PARAMS);
    expect(missing.message).toContain('sessionId');
    expect((await rpcError(client.request('sendUserMessage', { sessionId: 'nope', message: 'hi' }))).code).toBe(RPC_ERROR.INVALID_PARAMS);
    await client.request('startSession', { userId: 'u1', sessionParams: { language: 'en' } });
    expect((await rpcError(client.request('startSession', { userId: 'u2', sessionParams: { language: 'en' } }))).code).toBe(RPC_ERROR.INTERNAL_ERROR);
    // The connection survives every error.
    expect((await client.request<{ agents: unknown[] }>('agent.list')).agents.length).toBeGreaterThan(0);
  });

  it('ignores a sendUserMessage without an id (a notification), as the real server does', async () => {
    const r = await start();
    const client = await connect(r);
    const { sessionId } = await client.request<{ sessionId: string }>('startSession', { userId: 'u1', sessionParams: { language: 'en' } });
    let unmatched = 0;
    client.onUnmatchedResponse(() => {
      unmatched += 1;
    });
    client.notify('sendUserMessage', { sessionId, message: 'hello?' });
    // A request after it is answered; the notification never is, and no turn ran.
    await client.request('agent.list');
    expect(unmatched).toBe(0);
    const events = r.sink.events;
    expect(events.some((e) => e.action === 'notification_ignored' && e.session_id === sessionId && e.details.rpc_method === 'sendUserMessage')).toBe(true);
    expect(events.some((e) => e.source === 'agent' && e.action === 'invoke_agent')).toBe(false);
    expect(r.server.truth.build({ scenario: 't', seed: 0, jitter: 0, variant: 'default' }).faults.map((f) => f.pattern)).toEqual(['ignored_request']);
  });

  it('replies to sendUserMessage only after the whole turn, streaming notifications to the owner meanwhile', async () => {
    const r = await start();
    const client = await connect(r);
    const methods: string[] = [];
    client.onNotification((method) => methods.push(method));
    const { sessionId } = await client.request<{ sessionId: string }>('startSession', { userId: 'u1', sessionParams: { language: 'en' } });
    const reply = await client.request<{ messageId: string; status: number }>('sendUserMessage', { sessionId, message: 'What RFCs are there?' });
    expect(reply.status).toBe(0);
    expect(methods).toContain('StreamingUpdate');
    expect(methods).toContain('AIMessageChunkNotification');
    expect(methods).toContain('ChannelMessageNotification');
    expect(methods).toContain('continuation.progress');
    const turnEvents = r.sink.events.filter((e) => e.session_id === sessionId && e.source === 'tool' && e.kind === 'span');
    expect(turnEvents.map((e) => e.details.tool_name)).toEqual(['list_rfcs']);
  });

  it('accepts a sendUserMessage from another connection and sends notifications only to the owner', async () => {
    const r = await start({
      scriptFor: () => ({
        model: 'm',
        steps: [
          { text: 'Listing.', toolCalls: [{ name: 'list_rfcs', args: {} }], continuation: null },
          { text: 'Reading.', toolCalls: [{ name: 'read_file', args: { path: 'a.md' } }], continuation: null },
        ],
      }),
    });
    const owner = await connect(r);
    const other = await connect(r);
    let ownerNotes = 0;
    let otherNotes = 0;
    owner.onNotification(() => {
      ownerNotes += 1;
    });
    other.onNotification(() => {
      otherNotes += 1;
    });
    const { sessionId } = await owner.request<{ sessionId: string }>('startSession', { userId: 'u1', sessionParams: { language: 'en' } });
    await owner.request('sendUserMessage', { sessionId, message: 'Plan it' });
    const before = ownerNotes;
    const reply = await other.request<{ status: number }>('sendUserMessage', { sessionId, message: CONTINUATION_PROMPT });
    expect(reply.status).toBe(0);
    expect(ownerNotes).toBeGreaterThan(before);
    expect(otherNotes).toBe(0);
    const tools = r.sink.events.filter((e) => e.source === 'tool' && e.kind === 'span').map((e) => e.details.tool_name);
    expect(tools).toEqual(['list_rfcs', 'read_file']);
    const truth = r.server.truth.build({ scenario: 't', seed: 0, jitter: 0, variant: 'default' });
    expect(truth.interventions.map((i) => i.message)).toEqual([CONTINUATION_PROMPT]);
  });
});
