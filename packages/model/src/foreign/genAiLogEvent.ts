import type { DebbieEvent } from '../DebbieEvent.js';

/*
 * GenAI events (semantic conventions: gen_ai.system.message, gen_ai.user.message,
 * gen_ai.assistant.message, gen_ai.tool.message, gen_ai.choice; as log records from
 * @opentelemetry/instrumentation-openai) → a readable AI-service event with structured details.
 */

const ROLE_OF_EVENT: Record<string, string> = {
  'gen_ai.system.message': 'system',
  'gen_ai.user.message': 'user',
  'gen_ai.assistant.message': 'assistant',
  'gen_ai.tool.message': 'tool',
  'gen_ai.choice': 'assistant',
};

function record(v: unknown): Record<string, unknown> | undefined {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

function text(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content))
    return content
      .map((p) => (typeof p === 'string' ? p : typeof record(p)?.text === 'string' ? (record(p)!.text as string) : ''))
      .filter(Boolean)
      .join(' ');
  return content === undefined || content === null ? '' : JSON.stringify(content);
}

function toolCallNames(calls: unknown): string[] {
  if (!Array.isArray(calls)) return [];
  return calls.map((c) => {
    const fn = record(record(c)?.function);
    return typeof fn?.name === 'string' ? fn.name : typeof record(c)?.name === 'string' ? (record(c)!.name as string) : '?';
  });
}

/** The GenAI event name of a log record, when it has one. */
export function genAiEventName(event: DebbieEvent): string | undefined {
  const name = event.action || event.details['event.name'];
  return typeof name === 'string' && name.startsWith('gen_ai.') ? name : undefined;
}

/** Rewrites a GenAI log event in place: role, content, tool calls, finish reason. */
export function convertGenAiLogEvent(event: DebbieEvent, name: string): void {
  const d = event.details;
  const body = record(d.body) ?? (typeof d.body === 'string' ? { content: d.body } : {});
  const message = record(body.message) ?? {};
  const role = (typeof body.role === 'string' ? body.role : undefined) ?? (typeof message.role === 'string' ? message.role : undefined) ?? ROLE_OF_EVENT[name];
  const content = body.content ?? message.content;
  const toolCalls = body.tool_calls ?? message.tool_calls;
  if (role !== undefined) d.role = role;
  if (content !== undefined) d.content = content;
  if (toolCalls !== undefined) d.tool_calls = toolCalls;
  if (body.finish_reason !== undefined) d.finish_reason = body.finish_reason;
  if (body.index !== undefined) d.choice_index = body.index;
  if (typeof body.id === 'string') d.tool_call_id = body.id;
  if (d.body !== undefined) delete d.body;
  delete d['event.name'];
  event.source = 'ai_service';
  event.action = name;
  if (typeof d.provider === 'string' && (event.component === '' || event.component === 'server')) event.component = d.provider;
  const names = toolCallNames(toolCalls);
  const said = text(content);
  const parts = [said && said.length > 300 ? `${said.slice(0, 300)}…` : said, names.length ? `tool calls: ${names.join(', ')}` : ''].filter(Boolean);
  const finish = body.finish_reason !== undefined ? ` [${String(body.finish_reason)}]` : '';
  event.event_summary = `${role ?? name}: ${parts.join('; ') || '(no content)'}${finish}`;
}
