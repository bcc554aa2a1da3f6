import { describe, expect, it } from 'vitest';
import { createEvent } from '@debbie/model';
import { EXPORT_COLUMNS } from '../columns.js';
import { describeHecError } from './hecErrors.js';
import { eventToHec, hecBatchBody } from './hecTransform.js';

describe('eventToHec', () => {
  const event = createEvent({
    timestamp: '2025-06-02T21:05:15.941003Z',
    source: 'tool',
    event_summary: 'done',
    session_id: 's',
    tags: ['a'],
    service_name: 'svc',
  });

  it('builds the envelope: epoch seconds with µs, host, source, sourcetype, the event, flat indexed fields', () => {
    const env = eventToHec(event, { index: 'debbie' });
    expect(env.time).toBe(1748898315.941003);
    expect(env).toMatchObject({ host: 'svc', source: 'debbie:tool', sourcetype: '_json', index: 'debbie' });
    expect(Object.keys(env.event)).toEqual([...EXPORT_COLUMNS]);
    expect(env.fields).toEqual({ event_id: event.event_id, level: 'INFO', debbie_source: 'tool', kind: 'log', session_id: 's', tags: ['a'] });
    expect(Object.values(env.fields).every((v) => typeof v === 'string' || Array.isArray(v))).toBe(true);
  });

  it('leaves index out unless given, so the token default applies', () => {
    expect('index' in eventToHec(event)).toBe(false);
  });

  it('batches envelopes as JSON objects one after another', () => {
    const body = hecBatchBody([eventToHec(event), eventToHec(event)]);
    expect(
      body
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l).source),
    ).toEqual(['debbie:tool', 'debbie:tool']);
  });
});

describe('describeHecError', () => {
  it('quotes Splunk, names the code and says what to do', () => {
    expect(describeHecError(403, { text: 'Invalid token', code: 4 })).toBe(
      'Splunk HEC answered 403: "Invalid token" (code 4) — the HEC token is not valid: check --to-token (Settings > Data inputs > HTTP Event Collector)',
    );
    expect(describeHecError(400, { text: 'Invalid data format', code: 6, 'invalid-event-number': 3 })).toMatch(/\(event #3 of the batch\)$/);
    expect(describeHecError(502, undefined)).toBe('Splunk HEC answered 502');
  });
});
