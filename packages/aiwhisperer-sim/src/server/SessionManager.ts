import { SessionStatus } from '../protocol/jsonrpc.js';
import type { ModelScript } from '../script.js';
import { Agent } from './Agent.js';
import { AGENTS, findAgent } from './agents.js';
import { AiService } from './AiService.js';
import { Session } from './Session.js';
import type { SimRuntime } from './SimRuntime.js';
import { ToolRunner } from './ToolRunner.js';

export interface SessionManagerOptions {
  /** The model script for a user (default: a short healthy exchange). */
  scriptFor?: (userId: string) => ModelScript | undefined;
  /** The agent new sessions start with (default 'p', Patricia). */
  defaultAgent?: string;
  /** Continuation depth limit (default 10). */
  maxDepth?: number;
  /** Live sessions kept (default 1,000); startSession beyond it fails with -32603. */
  maxSessions?: number;
}

export const DEFAULT_MODEL = 'openai/gpt-4o-mini';

const DEFAULT_SCRIPT: ModelScript = {
  model: DEFAULT_MODEL,
  steps: [
    { text: 'Let me look at the existing RFCs first.', toolCalls: [{ name: 'list_rfcs', args: { status: 'in_progress' } }] },
    { text: 'There are three RFCs in progress. What would you like to do next?' },
  ],
};

/** Creates, finds and stops sessions; each gets its agent, AI service and tools. */
export class SessionManager {
  private readonly sessions = new Map<string, Session>();
  private readonly tools: ToolRunner;
  readonly maxDepth: number;
  private readonly maxSessions: number;

  constructor(
    private readonly rt: SimRuntime,
    private readonly options: SessionManagerOptions = {},
  ) {
    this.tools = new ToolRunner(rt);
    this.maxDepth = options.maxDepth ?? 10;
    this.maxSessions = options.maxSessions ?? 1_000;
  }

  get size(): number {
    return this.sessions.size;
  }

  get(sessionId: string): Session | undefined {
    return this.sessions.get(sessionId);
  }

  /** Returns undefined when the session limit is reached. */
  create(userId: string, language: string): Session | undefined {
    this.evictStopped();
    if (this.sessions.size >= this.maxSessions) return undefined;
    const script = this.options.scriptFor?.(userId) ?? DEFAULT_SCRIPT;
    const sessionId = this.rt.rng.uuid4();
    const agent = this.makeAgent(this.options.defaultAgent ?? 'p', script.model);
    const session = new Session(this.rt, sessionId, userId, language, agent, script);
    this.sessions.set(sessionId, session);
    session.status = SessionStatus.Active;
    return session;
  }

  /** Switches a session's agent; returns the previous agent id. */
  switchAgent(session: Session, agentId: string): string | undefined {
    if (!findAgent(agentId)) return undefined;
    const previous = session.agentId;
    session.agent = this.makeAgent(agentId, session.agent.model);
    return previous;
  }

  stop(session: Session): void {
    session.stop();
  }

  private makeAgent(agentId: string, model: string): Agent {
    const info = findAgent(agentId) ?? AGENTS[1]!;
    return new Agent(this.rt, info, new AiService(this.rt, model), this.tools, this.maxDepth);
  }

  /** Stopped sessions are forgotten first when the table is full. */
  private evictStopped(): void {
    if (this.sessions.size < this.maxSessions) return;
    for (const [id, s] of this.sessions) if (s.status === SessionStatus.Stopped) this.sessions.delete(id);
  }
}
