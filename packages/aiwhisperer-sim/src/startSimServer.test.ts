import { describe, expect, it } from 'vitest';
import { systemClock } from '@debbie/model';
import { InMemorySink } from '@debbie/sdk';
import { SimClient } from './client/SimClient.js';
import { startSimServer } from './startSimServer.js';

describe('startSimServer', () => {
  it('serves live JSON-RPC on 127.0.0.1 on the wall clock and instruments it', async () => {
    const sink = new InMemorySink();
    const { server, debbie, url } = await startSimServer({ seed: 9, debbie: { sinks: [sink] } });
    try {
      expect(url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/ws$/);
      const client = await SimClient.connect(url, { clock: systemClock });
      const started = await client.request<{ sessionId: string; status: number }>('startSession', { userId: 'live', sessionParams: { language: 'en' } });
      const agent = await client.request<{ agent_id: string }>('session.current_agent', { sessionId: started.sessionId });
      expect(agent.agent_id).toBe('p');
      await client.close();
    } finally {
      await server.close();
      await debbie.shutdown();
    }
    const rpc = sink.events.filter((e) => e.source === 'websocket' && e.kind === 'span').map((e) => e.action);
    expect(rpc).toEqual(['startSession', 'session.current_agent']);
    expect(sink.events.find((e) => e.action === 'startSession')?.session_id).toMatch(/^[0-9a-f-]{36}$/);
  });
});
