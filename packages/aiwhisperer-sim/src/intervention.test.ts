import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { DebbieEvent, EventSink } from '@debbie/model';
import type { SimClock } from './clock/SimClock.js';
import { runScenario } from './runScenario.js';
import { CONTINUATION_PROMPT } from './server/Agent.js';

/**
 * A stand-in for the commentary's intervention, built only from the public hooks: it watches
 * events through a sink, runs its stall timer on the simulator's clock, and injects a continuation
 * over its own plain WebSocket (no SimClient, no clock hold), as an external component would.
 */
class StallIntervention implements EventSink {
  url = '';
  clock!: SimClock;
  replies: unknown[] = [];
  private armedFor: string | undefined;
  private cancel: (() => void) | undefined;

  write(event: DebbieEvent): void {
    if (!event.session_id) return;
    // A new message reached the agent: the session moved on by itself.
    if (event.action === 'user_message') this.cancel?.();
    const declined = event.action === 'continuation_decision' && event.details.reason === 'no_continuation_signal';
    if (!declined || this.armedFor) return;
    const sessionId = event.session_id;
    this.armedFor = sessionId;
    this.cancel = this.clock.setTimer(30_000, () => {
      const ws = new WebSocket(this.url);
      ws.on('open', () =>
        ws.send(JSON.stringify({ jsonrpc: '2.0', id: 'debbie-1', method: 'sendUserMessage', params: { sessionId, message: CONTINUATION_PROMPT } })),
      );
      ws.on('message', (data) => {
        this.replies.push(JSON.parse(data.toString()));
        ws.close();
      });
    });
  }

  async forceFlush(): Promise<void> {}
  async shutdown(): Promise<void> {}
}

describe('intervention hook', () => {
  it('resumes a stalled agent when a continuation arrives on another connection', async () => {
    const intervention = new StallIntervention();
    const run = await runScenario('continuation-stall', {
      seed: 12,
      sinks: [intervention],
      onServerReady: ({ url, clock }) => {
        intervention.url = url;
        intervention.clock = clock;
      },
    });
    const session = run.sessionIds[0]!;
    expect(intervention.replies).toEqual([{ jsonrpc: '2.0', id: 'debbie-1', result: { messageId: expect.any(String), status: 0 } }]);
    expect(run.truth.interventions).toEqual([expect.objectContaining({ session_id: session, message: CONTINUATION_PROMPT })]);
    const injectedAt = run.truth.interventions[0]!.at_us;

    // The stall ended at the injection, 30 s after the decision, before the user's 45 s patience ran out.
    const stall = run.truth.faults.find((f) => f.pattern === 'continuation_stall')!;
    expect(stall.details).toMatchObject({ ended_by: 'intervention' });
    expect(stall.end_us).toBe(injectedAt);
    expect(stall.end_us - stall.start_us).toBe(30_000_000);

    // The injected message ran a normal turn: one more tool call, then a continuation decision.
    const injectedTurn = run.events.find((e) => e.source === 'session' && e.action === 'process_message' && e.details.from_owner === false)!;
    const toolsInTurn = run.events.filter((e) => e.source === 'tool' && e.kind === 'span' && e.correlation_id === injectedTurn.correlation_id);
    expect(toolsInTurn.map((e) => e.details.tool_name)).toEqual(['read_file']);
    expect(run.events.some((e) => e.action === 'continuation_decision' && e.correlation_id === injectedTurn.correlation_id)).toBe(true);

    // The user's first "ok" came after the intervention's turn.
    const firstNudge = run.events.find((e) => e.action === 'user_turn' && e.details.message === 'ok')!;
    expect(Date.parse(firstNudge.timestamp) * 1000).toBeGreaterThan(injectedAt);
  });
});
