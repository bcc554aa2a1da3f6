import type { LogLevel, LogSource } from '@debbie/model';

/** What a recognized marker line means: it overrides what the logger name alone would say. */
export interface MarkerMeaning {
  source: LogSource;
  action: string;
  component?: string;
  details: Record<string, unknown>;
  duration_ms?: number;
  /** A level to use instead of the logged one (raw traffic logged at ERROR is not an error). */
  level?: LogLevel;
}

type Rule = (message: string) => MarkerMeaning | undefined;

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A JSON-RPC message logged as text → its meaning (method, id). */
function rpcMeaning(direction: 'received' | 'sent', text: string): MarkerMeaning {
  const msg = parseJson(text) as Record<string, unknown> | undefined;
  const method = msg && typeof msg.method === 'string' ? msg.method : undefined;
  const details: Record<string, unknown> = { direction, jsonrpc: msg ?? text };
  if (method) details.rpc_method = method;
  if (msg && (typeof msg.id === 'number' || typeof msg.id === 'string')) details.rpc_request_id = msg.id;
  const params = msg?.params as Record<string, unknown> | undefined;
  if (method === 'sendUserMessage' && params && typeof params.message === 'string') details.message = params.message;
  // A received sendUserMessage is the user speaking: the commentary's nudge and stall detectors key on `user_message`.
  const action =
    method === 'sendUserMessage' && direction === 'received'
      ? 'user_message'
      : method
        ? method
            .replace(/([a-z])([A-Z])/g, '$1_$2')
            .replace(/\./g, '_')
            .toLowerCase()
        : `jsonrpc_${direction}`;
  return { source: 'websocket', action, component: 'websocket_endpoint', details, level: 'DEBUG' };
}

// Ordered: the first rule that recognizes the message wins. Actions match the simulator's.
const RULES: readonly Rule[] = [
  (m) => {
    const x = /STREAM FINISHED:\s*finish_reason=([\w-]+)/.exec(m);
    return x ? { source: 'ai_service', action: 'stream_finished', details: { finish_reason: x[1] } } : undefined;
  },
  (m) => {
    const x = /EXECUTING TOOL\s+(\d+)\s*\/\s*(\d+):\s*([\w.:-]+)(?:\s*\(ID:\s*([^)\s]+)\))?/.exec(m);
    if (!x) return undefined;
    const details: Record<string, unknown> = { tool_name: x[3], index: Number(x[1]), of: Number(x[2]) };
    if (x[4]) details.tool_call_id = x[4];
    return { source: 'tool', action: 'tool_start', component: x[3]!, details };
  },
  (m) => {
    const x = /Tool\s+([\w.:-]+)\s+completed in\s+([\d.]+)\s*(ms|s)\b/.exec(m);
    if (!x) return undefined;
    const ms = Number(x[2]) * (x[3] === 's' ? 1000 : 1);
    return { source: 'tool', action: 'tool_execution', component: x[1]!, details: { tool_name: x[1], duration_ms: ms }, duration_ms: ms };
  },
  (m) => {
    const x = /CONTINUATION DECISION:\s*(True|False)\b/i.exec(m);
    return x
      ? { source: 'session', action: 'continuation_decision', component: 'session_manager', details: { decision: x[1]!.toLowerCase() === 'true' } }
      : undefined;
  },
  (m) => {
    const x = /Received message:\s*(\{.*\})\s*$/s.exec(m);
    return x ? rpcMeaning('received', x[1]!) : undefined;
  },
  (m) => {
    const x = /(?:Sending|Sent) (?:message|response|notification):\s*(\{.*\})\s*$/s.exec(m);
    return x ? rpcMeaning('sent', x[1]!) : undefined;
  },
  (m) => (/>>>\s*USER MESSAGE\s*>>>/.test(m) ? { source: 'agent', action: 'user_message', details: {} } : undefined),
  (m) => (/<<<\s*AI RESPONSE\s*<<</.test(m) ? { source: 'agent', action: 'ai_response', details: {} } : undefined),
  (m) => (/===\s*TOOL CALL\s*===/.test(m) ? { source: 'tool', action: 'tool_call', details: {} } : undefined),
  (m) => (/===\s*TOOL RESULT\s*===/.test(m) ? { source: 'tool', action: 'tool_result', details: {} } : undefined),
  (m) => {
    const x = /\*\*\*\s*SWITCHING TO AGENT\s+(\S+?)\s*\*\*\*/.exec(m);
    return x ? { source: 'agent', action: 'agent_switched', component: 'agent_registry', details: { to: x[1] } } : undefined;
  },
];

/**
 * Recognizes AIWhisperer's log markers (🔄 STREAM FINISHED, 🔧 EXECUTING TOOL, ✅ Tool X completed
 * in Ns, 🔄 CONTINUATION DECISION, logged JSON-RPC traffic, the per-agent >>> / <<< / === / *** markers)
 * so that ingested logs carry the source, action and details the commentary looks for.
 */
export function recognizeMarker(message: string): MarkerMeaning | undefined {
  for (const rule of RULES) {
    const meaning = rule(message);
    if (meaning) return meaning;
  }
  return undefined;
}
