/** JSON-RPC 2.0 as AIWhisperer speaks it over its WebSocket. */

export const RPC_ERROR = {
  PARSE_ERROR: -32700,
  INVALID_REQUEST: -32600,
  METHOD_NOT_FOUND: -32601,
  INVALID_PARAMS: -32602,
  INTERNAL_ERROR: -32603,
} as const;

export type RpcId = string | number;

export interface RpcRequest {
  jsonrpc: '2.0';
  id?: RpcId | null;
  method: string;
  params?: Record<string, unknown> | unknown[];
}

export interface RpcErrorObject {
  code: number;
  message: string;
  data?: unknown;
}

export interface RpcResponse {
  jsonrpc: '2.0';
  id: RpcId | null;
  result?: unknown;
  error?: RpcErrorObject;
}

export interface RpcNotification {
  jsonrpc: '2.0';
  method: string;
  params: Record<string, unknown>;
}

/** An error a handler throws to answer with a specific JSON-RPC error code. */
export class RpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
    this.name = 'RpcError';
  }
}

/** The outcome of reading one WebSocket text frame. */
export type ParsedMessage =
  | { kind: 'request'; request: RpcRequest & { id: RpcId } }
  | { kind: 'notification'; request: RpcRequest }
  | { kind: 'response'; response: RpcResponse }
  | { kind: 'invalid'; error: RpcErrorObject; id: RpcId | null };

function isId(value: unknown): value is RpcId {
  return typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value));
}

/** Parses and validates one message; never throws. */
export function parseRpcMessage(text: string): ParsedMessage {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { kind: 'invalid', id: null, error: { code: RPC_ERROR.PARSE_ERROR, message: `Parse error: ${(error as Error).message}` } };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return {
      kind: 'invalid',
      id: null,
      error: { code: RPC_ERROR.INVALID_REQUEST, message: 'Invalid Request: expected a JSON object (batches are not supported)' },
    };
  }
  const msg = value as Record<string, unknown>;
  const id = isId(msg.id) ? msg.id : null;
  if (msg.jsonrpc !== '2.0') {
    return { kind: 'invalid', id, error: { code: RPC_ERROR.INVALID_REQUEST, message: 'Invalid Request: "jsonrpc" must be "2.0"' } };
  }
  if (msg.method === undefined && ('result' in msg || 'error' in msg)) {
    return { kind: 'response', response: msg as unknown as RpcResponse };
  }
  if (typeof msg.method !== 'string' || msg.method === '') {
    return { kind: 'invalid', id, error: { code: RPC_ERROR.INVALID_REQUEST, message: 'Invalid Request: "method" must be a non-empty string' } };
  }
  if (msg.params !== undefined && (typeof msg.params !== 'object' || msg.params === null)) {
    return { kind: 'invalid', id, error: { code: RPC_ERROR.INVALID_REQUEST, message: 'Invalid Request: "params" must be an object or an array' } };
  }
  if (msg.id !== undefined && msg.id !== null && !isId(msg.id)) {
    return { kind: 'invalid', id: null, error: { code: RPC_ERROR.INVALID_REQUEST, message: 'Invalid Request: "id" must be a string or a number' } };
  }
  const request = msg as unknown as RpcRequest;
  if (id === null) return { kind: 'notification', request };
  return { kind: 'request', request: request as RpcRequest & { id: RpcId } };
}

/** Reads a required string param or throws -32602 naming it. */
export function stringParam(params: Record<string, unknown>, name: string): string {
  const v = params[name];
  if (typeof v !== 'string' || v === '') throw new RpcError(RPC_ERROR.INVALID_PARAMS, `Invalid params: "${name}" must be a non-empty string`);
  return v;
}

/** The params object of a request, or throws -32602 (positional params are not accepted). */
export function objectParams(request: RpcRequest): Record<string, unknown> {
  if (request.params === undefined) return {};
  if (Array.isArray(request.params)) throw new RpcError(RPC_ERROR.INVALID_PARAMS, 'Invalid params: expected named params (an object)');
  return request.params;
}

/** Session status codes (AIWhisperer's SessionStatus enum). */
export const SessionStatus = { Starting: 0, Active: 1, Stopped: 2, Error: 3 } as const;
export type SessionStatus = (typeof SessionStatus)[keyof typeof SessionStatus];
