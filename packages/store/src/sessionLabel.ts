import type { DebbieEvent } from '@debbie/model';

/** What tells a session from the others in a listing, and whether Debbie made the session up. */
export interface SessionLabel {
  /** Its scenario, else its first user message, else its service ('' when none says). */
  label: string;
  /** No event read named the session: Debbie made its trace (or service) one (docs/conventions.md). */
  inferred: boolean;
}

/** Events read from the start of a session to label it: the label is in the first few. */
export const LABEL_LOOKAHEAD = 50;

/**
 * The four things a label is made of, each from the first of the session's first LABEL_LOOKAHEAD
 * events (time order) that has it. A store may find them in SQL (one row per session, not 50);
 * USER_MESSAGE says which events are user messages, for JavaScript and SQL alike.
 */
export interface LabelFields {
  /** `details.scenario`, when a non-empty string. */
  scenario: string | null;
  /** The summary of the first user message. */
  user_message: string | null;
  /** The first non-empty service name. */
  service_name: string | null;
  /** Every event read carries `details.session_inferred: true` (and there was one). */
  inferred: boolean;
}

/**
 * A user message: action user_message, or "USER MESSAGE" in the summary in any ASCII case
 * (spelled out in a character class so the SQL regex (RE2) matches exactly what JavaScript's
 * non-unicode /i matches: no Unicode case folding).
 */
export const USER_MESSAGE_PATTERN = '[Uu][Ss][Ee][Rr] [Mm][Ee][Ss][Ss][Aa][Gg][Ee]';
const USER_MESSAGE = new RegExp(USER_MESSAGE_PATTERN);
const USER_MESSAGE_PREFIX = /^.*USER MESSAGE\s*>*\s*/i;

export const isUserMessage = (action: string, summary: string): boolean => action === 'user_message' || USER_MESSAGE.test(summary);

/** The fields of a session's first events, read whole (a collector's query API, ClickHouse). */
export function labelFieldsOf(events: readonly Pick<DebbieEvent, 'action' | 'event_summary' | 'service_name' | 'details'>[]): LabelFields {
  const fields: LabelFields = { scenario: null, user_message: null, service_name: null, inferred: false };
  const first = events.slice(0, LABEL_LOOKAHEAD);
  for (const e of first) {
    const scenario = e.details?.scenario;
    if (fields.scenario === null && typeof scenario === 'string' && scenario !== '') fields.scenario = scenario;
    if (fields.user_message === null && isUserMessage(e.action, e.event_summary)) fields.user_message = e.event_summary;
    if (fields.service_name === null && e.service_name) fields.service_name = e.service_name;
  }
  fields.inferred = first.length > 0 && first.every((e) => e.details?.session_inferred === true);
  return fields;
}

/** The label the fields make: the scenario, else the user message (without its "USER MESSAGE >" lead), else the service. */
export function labelFromFields(fields: LabelFields): SessionLabel {
  let label = fields.scenario ?? '';
  if (!label && fields.user_message !== null) label = fields.user_message.replace(USER_MESSAGE_PREFIX, '').trim() || fields.user_message;
  if (!label) label = fields.service_name ?? '';
  return { label, inferred: fields.inferred };
}
