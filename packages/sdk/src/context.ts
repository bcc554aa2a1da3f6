import { context, createContextKey, type Context } from '@opentelemetry/api';

/** Session, agent and correlation ids that follow async code through the OTel context. */
export interface DebbieContext {
  sessionId?: string | undefined;
  agentId?: string | undefined;
  correlationId?: string | undefined;
}

const DEBBIE_CONTEXT_KEY = createContextKey('debbie.context');
/** Marks log records DebbieLogger has already delivered to sinks, so the processor skips them. */
export const DEBBIE_DIRECT_KEY = createContextKey('debbie.direct');

export function getDebbieContext(ctx: Context = context.active()): DebbieContext {
  return (ctx.getValue(DEBBIE_CONTEXT_KEY) as DebbieContext | undefined) ?? {};
}

/** A context carrying the given ids on top of those already active. */
export function withDebbieContext(ids: DebbieContext, ctx: Context = context.active()): Context {
  const current = getDebbieContext(ctx);
  const merged: DebbieContext = { ...current };
  if (ids.sessionId !== undefined) merged.sessionId = ids.sessionId;
  if (ids.agentId !== undefined) merged.agentId = ids.agentId;
  if (ids.correlationId !== undefined) merged.correlationId = ids.correlationId;
  return ctx.setValue(DEBBIE_CONTEXT_KEY, merged);
}
