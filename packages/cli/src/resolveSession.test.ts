import { describe, expect, it } from 'vitest';
import type { EventReader, SessionSummary } from '@debbie/model';
import { resolveSession } from './resolveSession.js';

const summary = (session_id: string): SessionSummary => ({
  session_id,
  first_timestamp: '2025-06-02T21:05:00.000000Z',
  last_timestamp: '2025-06-02T21:06:00.000000Z',
  duration_ms: 60_000,
  event_count: 3,
  error_count: 0,
  events_per_source: {},
  agents: [],
});
const reader = (...ids: string[]) => ({ listSessions: async () => ids.map(summary) }) as unknown as EventReader;

describe('resolveSession', () => {
  const store = reader('b7d9a88c-e7e5-42e4', 'b7d9a8ff-0000-0000', '94988082-8c98-4840', 'short');
  it('takes the whole id, or a unique prefix of 6+ characters', async () => {
    expect((await resolveSession(store, '94988082-8c98-4840')).session_id).toBe('94988082-8c98-4840');
    expect((await resolveSession(store, '949880')).session_id).toBe('94988082-8c98-4840');
    expect((await resolveSession(store, 'short')).session_id).toBe('short'); // an exact id of any length
  });
  it('lists the candidates of an ambiguous prefix', async () => {
    await expect(resolveSession(store, 'b7d9a8')).rejects.toMatchObject({
      code: 'session_ambiguous',
      message: expect.stringMatching(/"b7d9a8" is the start of 2 sessions[\s\S]*b7d9a88c-e7e5-42e4[\s\S]*b7d9a8ff-0000-0000/),
    });
  });
  it('names a missing session, and a prefix too short to take', async () => {
    await expect(resolveSession(store, 'nope-nope')).rejects.toMatchObject({
      code: 'session_not_found',
      message: '--session: no session "nope-nope"; list them with `debbie sessions`',
    });
    await expect(resolveSession(store, '9498')).rejects.toThrow(/at least 6 characters/);
  });
});
