import type { Detector, DetectorContext } from '../Detector.js';
import { Interest, Category, refOf, type Observation } from '../Observation.js';
import type { SessionState } from '../SessionState.js';
import { BASE_CONFIDENCE } from '../patterns.js';

/**
 * Messages that get lost: an empty model reply (no text and no tool calls, which leaves two user
 * messages in a row), and a request the server ignored (a sendUserMessage without an id is a
 * JSON-RPC notification, so the user's message is silently dropped).
 */
export class LostMessageDetector implements Detector {
  readonly name = 'lost_message';
  readonly patterns = ['empty_reply', 'ignored_request'] as const;
  readonly interest = Interest.of(Category.MODEL_CALL, Category.OTHER);

  constructor(private readonly index: number) {}

  private counts(session: SessionState): { empty: number; ignored: number } {
    let c = session.slots[this.index] as { empty: number; ignored: number } | undefined;
    if (!c) {
      c = { empty: 0, ignored: 0 };
      session.slots[this.index] = c;
    }
    return c;
  }

  observe(obs: Observation, session: SessionState, ctx: DetectorContext): void {
    const e = obs.event;
    if (obs.category === Category.MODEL_CALL) {
      const d = e.details;
      const empty = d.empty_reply === true || (d.content_chars === 0 && d.finish_reason === 'stop');
      if (!empty) return;
      const n = ++this.counts(session).empty;
      ctx.raise(session, {
        pattern: 'empty_reply',
        key: '',
        severity: n,
        level: 'WARNING',
        confidence: BASE_CONFIDENCE.empty_reply,
        message: `Empty AI reply: the model returned no text and no tool calls${n > 1 ? ` (${n} times in this session)` : ''}.`,
        explanation: 'An empty reply ends the turn with nothing for the user, who then sends another message: two user messages in a row.',
        recommendations: ['Retry the model call when the reply is empty', 'Check the prompt size and the provider response'],
        trigger: refOf(e),
        evidenceEventIds: [e.event_id],
        evidenceSpanIds: e.span_id ? [e.span_id] : [],
        facts: { session_id: session.id, model: d.model ?? e.component, empty_replies: n },
      });
      return;
    }
    if (e.action !== 'notification_ignored' || e.details.rpc_method !== 'sendUserMessage') return;
    const n = ++this.counts(session).ignored;
    ctx.raise(session, {
      pattern: 'ignored_request',
      key: '',
      severity: n,
      level: 'WARNING',
      confidence: BASE_CONFIDENCE.ignored_request,
      message: `Ignored request: a sendUserMessage without an id was treated as a notification; the user's message was dropped${n > 1 ? ` (${n} times)` : ''}.`,
      explanation:
        "JSON-RPC 2.0 treats a request without an id as a notification that gets no response; AIWhisperer's server ignores it, so the user waits for an answer that never comes.",
      recommendations: ['Send every request with an id (JsonRpcService.sendRequest)', 'Resend the message'],
      trigger: refOf(e),
      evidenceEventIds: [e.event_id],
      evidenceSpanIds: e.span_id ? [e.span_id] : [],
      facts: { session_id: session.id, rpc_method: 'sendUserMessage', ignored: n },
    });
  }
}
