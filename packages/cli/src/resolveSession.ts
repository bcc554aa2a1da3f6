import { DebbieError, type EventReader, type SessionSummary } from '@debbie/model';

/** Shortest prefix of a session id taken for the whole id. */
export const MIN_SESSION_PREFIX = 6;
/** Candidates listed for an ambiguous prefix. */
const MAX_CANDIDATES = 10;

/**
 * The stored session a typed id names: the id itself, or the one session whose id starts with it
 * (at least MIN_SESSION_PREFIX characters). A session that is not there, or a prefix that fits
 * several, is an error naming what was typed (and the candidates).
 */
export async function resolveSession(reader: EventReader, typed: string): Promise<SessionSummary> {
  // Only the sessions starting with what was typed (exact match included): one narrow query, not
  // the summary of every session.
  const sessions = await reader.listSessions({ idPrefix: typed });
  const exact = sessions.find((s) => s.session_id === typed);
  if (exact) return exact;
  const matches = typed.length >= MIN_SESSION_PREFIX ? sessions.filter((s) => s.session_id.startsWith(typed)) : [];
  if (matches.length === 1) return matches[0]!;
  if (matches.length > 1) {
    const shown = matches
      .slice(0, MAX_CANDIDATES)
      .map((s) => `  ${s.session_id}  ${s.first_timestamp.slice(0, 19).replace('T', ' ')}  ${s.event_count} events`);
    const more = matches.length > MAX_CANDIDATES ? [`  … and ${matches.length - MAX_CANDIDATES} more`] : [];
    throw new DebbieError(
      'session_ambiguous',
      `"${typed}" is the start of ${matches.length} sessions; type more of the id:\n${[...shown, ...more].join('\n')}`,
      '--session',
    );
  }
  const short =
    typed.length < MIN_SESSION_PREFIX && sessions.some((s) => s.session_id.startsWith(typed))
      ? ` (a prefix needs at least ${MIN_SESSION_PREFIX} characters)`
      : '';
  throw new DebbieError('session_not_found', `no session "${typed}"${short}; list them with \`debbie sessions\``, '--session');
}
