/**
 * Where other instrumentations put the session, in the order Debbie reads them (after the keys
 * the user names in debbie.yaml, and after `session.id`, which the generic decoder reads).
 * Documented in docs/conventions.md.
 */
export const SESSION_KEYS: readonly string[] = [
  'session.id',
  'gen_ai.conversation.id',
  'ai.telemetry.metadata.sessionId',
  'ai.telemetry.metadata.session_id',
  'ai.telemetry.metadata.conversationId',
  'ai.telemetry.metadata.threadId',
  'ai.telemetry.metadata.chatId',
  'ai.settings.context.sessionId',
  'ai.settings.context.session_id',
  'ai.settings.context.conversationId',
  'traceloop.association.properties.session_id',
  'traceloop.association.properties.sessionId',
  'traceloop.association.properties.conversation_id',
  'traceloop.association.properties.thread_id',
  'langfuse.session.id',
  'session_id',
];

/** Keys inside LangChain's run metadata (OpenInference `metadata`, a JSON object). */
const METADATA_KEYS = ['session_id', 'thread_id', 'conversation_id', 'sessionId', 'threadId'];

function asId(v: unknown): string | undefined {
  if (typeof v === 'string' && v.trim() !== '') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

/** LangChain run metadata from OpenInference's `metadata` attribute (a JSON string, or decoded). */
export function langchainMetadata(d: Record<string, unknown>): Record<string, unknown> | undefined {
  const m = d.metadata;
  if (m && typeof m === 'object' && !Array.isArray(m)) return m as Record<string, unknown>;
  if (typeof m !== 'string' || !m.startsWith('{')) return undefined;
  try {
    const parsed: unknown = JSON.parse(m);
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The session a foreign event names itself, or undefined. `userKeys` come first. */
export function sessionFromDetails(d: Record<string, unknown>, userKeys: readonly string[]): string | undefined {
  for (const key of userKeys) {
    const id = asId(d[key]);
    if (id) return id;
  }
  for (const key of SESSION_KEYS) {
    const id = asId(d[key]);
    if (id) return id;
  }
  const meta = langchainMetadata(d);
  if (meta) {
    for (const key of [...userKeys, ...METADATA_KEYS]) {
      const id = asId(meta[key]);
      if (id) return id;
    }
  }
  return undefined;
}
