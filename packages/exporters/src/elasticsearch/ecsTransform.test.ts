import { describe, expect, it } from 'vitest';
import { createEvent } from '@debbie/model';
import { bulkCreateLines } from './bulkTransform.js';
import { eventToEcs } from './ecsTransform.js';

const event = createEvent({
  timestamp: '2025-06-02T21:05:15.941003Z',
  level: 'ERROR',
  source: 'tool',
  component: 'list_rfcs',
  action: 'execute_tool',
  event_summary: 'Tool failed',
  event_id: 'e-1',
  duration_ms: 10.25,
  session_id: 's',
  agent_id: 'p',
  correlation_id: 'turn-1',
  trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
  span_id: '00f067aa0ba902b7',
  tags: ['tool'],
  stack_trace: 'Traceback…',
  details: { tool_name: 'list_rfcs' },
  performance_metrics: { tokens: 3 },
  service_name: 'aiwhisperer-server',
});

describe('eventToEcs', () => {
  it('maps DebbieEvent fields to ECS names, durations in nanoseconds', () => {
    expect(eventToEcs(event)).toEqual({
      '@timestamp': '2025-06-02T21:05:15.941003Z',
      message: 'Tool failed',
      log: { level: 'error', logger: 'list_rfcs' },
      event: { id: 'e-1', action: 'execute_tool', dataset: 'debbie.tool', kind: 'event', duration: 10_250_000, outcome: 'failure' },
      service: { name: 'aiwhisperer-server' },
      trace: { id: '4bf92f3577b34da6a3ce929d0e0e4736' },
      span: { id: '00f067aa0ba902b7' },
      tags: ['tool'],
      labels: { session_id: 's', agent_id: 'p', correlation_id: 'turn-1' },
      error: { stack_trace: 'Traceback…' },
      debbie: { source: 'tool', component: 'list_rfcs', kind: 'span', metrics: { tokens: 3 }, details: '{"tool_name":"list_rfcs"}' },
    });
  });

  it('keeps details as objects only when asked (for flattened mappings)', () => {
    expect((eventToEcs(event, { structuredDetails: true }).debbie as { details: unknown }).details).toEqual({ tool_name: 'list_rfcs' });
  });

  it('omits what the event does not have', () => {
    const doc = eventToEcs(createEvent({ source: 'session', event_summary: 'x' }));
    expect(Object.keys(doc).sort()).toEqual(['@timestamp', 'debbie', 'event', 'log', 'message']);
  });
});

describe('bulkCreateLines', () => {
  it('writes a create action with the event id, then the document, each line ending in a newline', () => {
    const [action, doc, end] = bulkCreateLines(event, 'logs-debbie-default').split('\n');
    expect(JSON.parse(action!)).toEqual({ create: { _index: 'logs-debbie-default', _id: 'e-1' } });
    expect(JSON.parse(doc!).message).toBe('Tool failed');
    expect(end).toBe('');
  });
});
