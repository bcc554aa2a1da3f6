import type { DebbieEvent } from '@debbie/model';
import { Category } from './Observation.js';

const USER_MARKER = '>>> USER MESSAGE >>>';

/** Decides what an event is to the detectors (see Category). Cheap: a few field reads. */
export function classify(event: DebbieEvent): Category {
  const source = event.source;
  const action = event.action;
  if (action === 'user_message') return Category.USER_MESSAGE;
  switch (source) {
    case 'tool':
      return event.kind === 'span' ? Category.TOOL_CALL : Category.AGENT_ACTIVITY;
    case 'ai_service':
      return event.kind === 'span' ? Category.MODEL_CALL : Category.AGENT_ACTIVITY;
    case 'agent':
      return event.kind === 'log' ? Category.AGENT_ACTIVITY : Category.OTHER;
    case 'session':
      if (typeof event.details.decision === 'boolean') return Category.DECISION;
      if (action === 'continuation_injected') return Category.AGENT_ACTIVITY;
      return Category.OTHER;
    case 'websocket':
      return event.kind === 'span' && event.details.rpc_method !== undefined ? Category.RPC : Category.OTHER;
    case 'user_script':
      // A user_script log carrying the message text (spans of a user turn arrive when the turn ends).
      return event.kind === 'log' && typeof event.details.message === 'string' ? Category.USER_MESSAGE : Category.OTHER;
    default:
      if (typeof event.details.decision === 'boolean') return Category.DECISION;
      return Category.OTHER;
  }
}

/** The text of a user message event (details.message, or the summary without AIWhisperer's marker). */
export function userMessageText(event: DebbieEvent): string {
  const m = event.details.message;
  if (typeof m === 'string') return m;
  const s = event.event_summary;
  return s.startsWith(USER_MARKER) ? s.slice(USER_MARKER.length).trim() : s.trim();
}

/** Tool name of a tool event: details.tool_name (GenAI gen_ai.tool.name is decoded into it), else the component. */
export function toolNameOf(event: DebbieEvent): string {
  const n = event.details.tool_name;
  return typeof n === 'string' ? n : event.component;
}

/** Model of an AI event: details.model (gen_ai.request.model), else the component. */
export function modelOf(event: DebbieEvent): string {
  const m = event.details.model;
  return typeof m === 'string' ? m : event.component;
}
