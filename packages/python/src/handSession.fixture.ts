import { createEvent, isoFromEpochMillis, type DebbieEvent, type DebbieEventInit } from '@debbie/model';

/**
 * A small session built by hand whose true numbers are known (they are written out in
 * library.test.ts next to each assertion): two turns of agent "p" with a 45 s stall between them,
 * a burst of three similar database errors, a memory spike, an agent switch with a state change,
 * and JSON-RPC traffic over the WebSocket.
 */
export const HAND_SESSION_ID = 's-hand';
const T0 = Date.UTC(2025, 4, 29, 10, 0, 0);

function at(ms: number, init: DebbieEventInit): DebbieEvent {
  return createEvent({ session_id: HAND_SESSION_ID, ...init, timestamp: isoFromEpochMillis(T0 + ms) });
}

export function handSession(): DebbieEvent[] {
  return [
    // Turn 1 (req-1)
    at(0, { event_id: 'ws1', source: 'websocket', action: 'rpc_request', event_summary: 'sendUserMessage', duration_ms: 5000, correlation_id: 'req-1', details: { rpc_method: 'sendUserMessage', rpc_request_id: 1 } }),
    at(0, { event_id: 'pm1', source: 'session', component: 'session_manager', action: 'process_message', event_summary: 'process message 1', duration_ms: 5000, agent_id: 'p', correlation_id: 'req-1', details: { message: 'list the rfcs' } }),
    at(10, { event_id: 'ag1', source: 'agent', component: 'agent.patricia', action: 'invoke_agent', event_summary: 'invoke_agent Patricia', duration_ms: 4900, agent_id: 'p', correlation_id: 'req-1', parent_id: 'pm1' }),
    at(20, { event_id: 'ai1', source: 'ai_service', action: 'chat', event_summary: 'chat gpt-4o', duration_ms: 1500, agent_id: 'p', correlation_id: 'req-1', parent_id: 'ag1', details: { model: 'gpt-4o' }, performance_metrics: { input_tokens: 1000, output_tokens: 200 } }),
    at(100, { event_id: 'n1', source: 'websocket', action: 'notification', event_summary: 'StreamingUpdate', correlation_id: 'req-1', details: { rpc_method: 'StreamingUpdate' } }),
    at(200, { event_id: 'n2', source: 'websocket', action: 'notification', event_summary: 'StreamingUpdate', correlation_id: 'req-1', details: { rpc_method: 'StreamingUpdate' } }),
    at(1600, { event_id: 't1', source: 'tool', component: 'list_rfcs', action: 'execute_tool', event_summary: 'list_rfcs', duration_ms: 100, agent_id: 'p', correlation_id: 'req-1', parent_id: 'ag1', details: { tool_name: 'list_rfcs' } }),
    at(1700, { event_id: 't2', source: 'tool', component: 'read_rfc', action: 'execute_tool', event_summary: 'read_rfc', duration_ms: 2500, agent_id: 'p', correlation_id: 'req-1', parent_id: 'ag1', details: { tool_name: 'read_rfc' } }),
    at(1710, { event_id: 'm1', source: 'server', level: 'DEBUG', component: 'resource_monitor', action: 'resource_sample', event_summary: 'process memory 300 MB', performance_metrics: { memory_mb: 300 } }),
    at(4300, { event_id: 'ai2', source: 'ai_service', action: 'chat', event_summary: 'chat gpt-4o', duration_ms: 500, agent_id: 'p', correlation_id: 'req-1', parent_id: 'ag1', details: { model: 'gpt-4o' }, performance_metrics: { input_tokens: 1500, output_tokens: 100 } }),
    at(4900, { event_id: 'cd1', source: 'session', level: 'WARNING', component: 'session_manager', action: 'continuation_decision', event_summary: 'CONTINUATION DECISION: False', agent_id: 'p', correlation_id: 'req-1', details: { decision: false, reason: 'no_continuation_signal' } }),
    // 45 s of silence, then turn 2 (req-2): the user nudges with "ok".
    at(50000, { event_id: 'ws2', source: 'websocket', action: 'rpc_request', event_summary: 'sendUserMessage', duration_ms: 3000, correlation_id: 'req-2', details: { rpc_method: 'sendUserMessage', rpc_request_id: 2 } }),
    at(50000, { event_id: 'pm2', source: 'session', component: 'session_manager', action: 'process_message', event_summary: 'process message 2', duration_ms: 3000, agent_id: 'p', correlation_id: 'req-2', details: { message: 'ok' } }),
    at(50010, { event_id: 'ai3', source: 'ai_service', action: 'chat', event_summary: 'chat claude-3', duration_ms: 800, agent_id: 'p', correlation_id: 'req-2', details: { model: 'claude-3' }, performance_metrics: { input_tokens: 2000, output_tokens: 300 } }),
    at(50900, { event_id: 't3', source: 'tool', component: 'list_rfcs', action: 'execute_tool', event_summary: 'list_rfcs', duration_ms: 120, agent_id: 'p', correlation_id: 'req-2', details: { tool_name: 'list_rfcs' } }),
    at(51100, { event_id: 't4', source: 'tool', level: 'ERROR', component: 'list_rfcs', action: 'execute_tool', event_summary: 'Tool list_rfcs failed: timeout after 30 s', duration_ms: 140, agent_id: 'p', correlation_id: 'req-2', details: { tool_name: 'list_rfcs', error: 'timeout' } }),
    at(51200, { event_id: 'e1', source: 'server', level: 'ERROR', component: 'db', action: 'query', event_summary: 'Database timeout after 1500 ms (query 41)', correlation_id: 'req-2', stack_trace: 'Traceback…' }),
    at(51300, { event_id: 'e2', source: 'server', level: 'ERROR', component: 'db', action: 'query', event_summary: 'Database timeout after 1620 ms (query 42)' }),
    at(51400, { event_id: 'e3', source: 'server', level: 'ERROR', component: 'db', action: 'query', event_summary: 'Database timeout after 1710 ms (query 43)' }),
    at(51500, { event_id: 'm2', source: 'server', level: 'WARNING', component: 'resource_monitor', action: 'resource_sample', event_summary: 'process memory 480 MB', performance_metrics: { memory_mb: 480 } }),
    at(52900, { event_id: 'm3', source: 'server', component: 'resource_monitor', action: 'resource_sample', event_summary: 'process memory 350 MB', performance_metrics: { memory_mb: 350 } }),
    at(52950, {
      event_id: 'sw', source: 'session', component: 'session_manager', action: 'switch_agent', event_summary: 'switch p → d', agent_id: 'd',
      state_before: { agent: 'p', mode: 'plan', context: { depth: 1 }, pending: ['x'] },
      state_after: { agent: 'd', mode: 'plan', context: { depth: 2 }, debug: true },
    }),
    at(52960, { event_id: 'ag2', source: 'agent', component: 'agent.debbie', action: 'invoke_agent', event_summary: 'invoke_agent Debbie', duration_ms: 30, agent_id: 'd', correlation_id: 'req-2' }),
    at(52995, { event_id: 'st2', source: 'session', component: 'session_manager', action: 'state_checkpoint', event_summary: 'checkpoint', state_before: { agent: 'd' }, state_after: { agent: 'd' } }),
    at(53010, { event_id: 'ws3', source: 'websocket', level: 'ERROR', action: 'rpc_request', event_summary: 'session.switch_agent failed', duration_ms: 1200, correlation_id: 'req-2', details: { rpc_method: 'session.switch_agent', error_code: -32603 } }),
  ];
}
