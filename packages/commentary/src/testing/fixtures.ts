// Test helpers (not built): a session script that emits events shaped like the simulator's.
import { createEvent, isoFromEpochMicros, type DebbieEvent, type DebbieEventInit } from '@debbie/model';
import { CommentaryProcessor, type CommentaryProcessorOptions } from '../CommentaryProcessor.js';
import { ReplayClock } from '../ReplayClock.js';

export const T0 = Date.UTC(2025, 5, 2, 21, 5, 0) * 1000;

let spanCounter = 0;
export function spanId(): string {
  spanCounter += 1;
  return spanCounter.toString(16).padStart(16, '0');
}

/** A processor on a ReplayClock that records what it says. */
export function harness(options: Omit<CommentaryProcessorOptions, 'clock' | 'onComment'> = {}) {
  const clock = new ReplayClock(T0);
  const comments: DebbieEvent[] = [];
  const processor = new CommentaryProcessor({ ...options, clock, onComment: (e) => comments.push(e) });
  const trace = 'a'.repeat(32);
  /** Emits an event at the clock's current time (a span starting `durationMs` ago). */
  const emit = (init: Partial<DebbieEventInit> & Pick<DebbieEventInit, 'source'>, durationMs?: number): DebbieEvent => {
    const now = clock.now();
    const start = durationMs !== undefined ? now - durationMs * 1000 : now;
    const id = spanId();
    const event = createEvent({
      event_summary: init.event_summary ?? init.action ?? 'event',
      session_id: 'sess-1',
      agent_id: 'p',
      ...init,
      timestamp: isoFromEpochMicros(start),
      ...(durationMs !== undefined ? { duration_ms: durationMs, kind: 'span' as const, span_id: id, event_id: id, trace_id: trace } : {}),
    });
    processor.write(event);
    return event;
  };
  const s = {
    clock,
    comments,
    processor,
    emit,
    /** Advances time by `ms`, firing timers. */
    wait: (ms: number) => clock.advanceBy(ms),
    tool: (name: string, args: unknown = {}, durationMs = 20, extra: Partial<DebbieEventInit> = {}) => {
      clock.advanceBy(durationMs);
      return emit(
        { source: 'tool', component: name, action: 'tool_execution', details: { tool_name: name, tool_arguments: JSON.stringify(args) }, ...extra },
        durationMs,
      );
    },
    chat: (durationMs = 800, details: Record<string, unknown> = {}, metrics: Record<string, number> = { input_tokens: 900, output_tokens: 40 }) => {
      clock.advanceBy(durationMs);
      return emit(
        {
          source: 'ai_service',
          component: 'openrouter_ai_service',
          action: 'chat',
          details: { model: 'openai/gpt-4o-mini', finish_reason: 'tool_calls', ...details },
          performance_metrics: metrics,
        },
        durationMs,
      );
    },
    decision: (decision: boolean, reason: string) =>
      emit({
        source: 'session',
        component: 'session_manager',
        action: 'continuation_decision',
        event_summary: `🔄 CONTINUATION DECISION: ${decision ? 'True' : 'False'}`,
        details: { decision, reason },
      }),
    user: (text: string) =>
      emit({
        source: 'agent',
        component: 'agent.patricia',
        action: 'user_message',
        event_summary: `>>> USER MESSAGE >>> ${text}`,
        details: { chars: text.length },
      }),
    /** Comments of a pattern, optionally of one action (insight, insight_update, insight_resolved). */
    of: (pattern: string, action?: string) => comments.filter((c) => c.details.pattern === pattern && (action === undefined || c.action === action)),
  };
  return s;
}
