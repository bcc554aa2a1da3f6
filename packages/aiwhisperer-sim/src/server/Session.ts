import type { Context } from '@opentelemetry/api';
import { withDebbieContext } from '@debbie/sdk';
import { SessionStatus } from '../protocol/jsonrpc.js';
import type { ModelScript, ModelStep } from '../script.js';
import type { Agent, AgentHost, TurnResult } from './Agent.js';
import type { SimRuntime } from './SimRuntime.js';

/** A message waiting for its turn. */
export interface IncomingMessage {
  text: string;
  correlationId: string;
  /** The context to nest the turn under (the websocket request span). */
  parentContext: Context;
  /** False when the message came from a connection that does not own the session (an intervention). */
  fromOwner: boolean;
}

export interface MessageReply {
  messageId: string;
  /** 0 = OK, 1 = Error (AIWhisperer's MessageStatus). */
  status: 0 | 1;
}

/** Silence after a declined continuation that counts as a stall (the real detector's 30 s). */
export const STALL_THRESHOLD_MS = 30_000;
const NUDGE = /^(ok|okay|k|continue|go on|go ahead|yes|proceed|next|please continue)[.!]*$/i;
/** History entries kept per session (oldest dropped and counted). */
const HISTORY_LIMIT = 500;
/** Messages queued behind a running turn before new ones are refused. */
export const QUEUE_LIMIT = 16;

const FALLBACK_STEP: ModelStep = { text: 'I have completed the requested work. Let me know if you need anything else.' };

/** One AIWhisperer session: its agent, its model script, its message queue and its state. */
export class Session implements AgentHost {
  status: SessionStatus = SessionStatus.Starting;
  historyChars = 0;
  historyDropped = 0;
  readonly memoryBaselineMb: number;
  private readonly history: { role: string; chars: number }[] = [];
  private stepIndex = 0;
  private turns = 0;
  private queued = 0;
  private tail: Promise<unknown> = Promise.resolve();
  /** Set when the last turn ended on a declined continuation after tools (the bug). */
  private missed: { atUs: number; tool: string | undefined } | undefined;
  private nudgeRun: { count: number; group: string } | undefined;

  constructor(
    private readonly rt: SimRuntime,
    readonly sessionId: string,
    readonly userId: string,
    readonly language: string,
    public agent: Agent,
    private readonly script: ModelScript,
  ) {
    this.memoryBaselineMb = 180 + rt.rng.int(0, 40);
  }

  get agentId(): string {
    return this.agent.info.agentId;
  }

  nextStep(): ModelStep {
    const step = this.script.steps[this.stepIndex];
    if (step) this.stepIndex += 1;
    return step ?? FALLBACK_STEP;
  }

  remember(role: 'user' | 'assistant' | 'tool', text: string): void {
    if (this.history.length >= HISTORY_LIMIT) {
      const dropped = this.history.shift()!;
      this.historyChars -= dropped.chars;
      this.historyDropped += 1;
    }
    this.history.push({ role, chars: text.length });
    this.historyChars += text.length;
  }

  /** A correlation id for a turn whose sender gave none. */
  nextCorrelationId(): string {
    return `${this.sessionId.slice(0, 8)}-srv-${this.turns + this.queued + 1}`;
  }

  /** Queues a message; resolves with the reply once its whole turn (with continuations) is done. */
  enqueue(message: IncomingMessage): Promise<MessageReply> | undefined {
    if (this.queued >= QUEUE_LIMIT) return undefined;
    this.queued += 1;
    const run = this.tail
      .then(() => this.processTurn(message))
      .finally(() => {
        this.queued -= 1;
      });
    this.tail = run.catch(() => undefined);
    return run;
  }

  /** Ends the session; an open nudge run goes into the ground truth. */
  stop(): void {
    this.status = SessionStatus.Stopped;
    this.closeNudgeRun();
  }

  private async processTurn(message: IncomingMessage): Promise<MessageReply> {
    const { rt } = this;
    this.turns += 1;
    const messageId = rt.rng.uuid4();
    const arrivedUs = rt.clock.now();
    this.recordArrival(message, arrivedUs);
    const parent = withDebbieContext({ sessionId: this.sessionId, agentId: this.agentId, correlationId: message.correlationId }, message.parentContext);
    return rt.logger.span(
      {
        source: 'session',
        component: 'session_manager',
        action: 'process_message',
        message: `process message ${this.turns} from ${message.fromOwner ? 'user' : 'another connection'}`,
        details: { message_id: messageId, message: message.text, turn: this.turns, from_owner: message.fromOwner },
      },
      async (span): Promise<MessageReply> => {
        let result: TurnResult;
        try {
          result = await this.agent.runTurn(this, message.text);
        } catch (error) {
          span.recordError(error);
          span.setState({ status: 'Active' }, { status: 'Error' });
          this.status = SessionStatus.Error;
          rt.notify(this.sessionId, 'SessionStatusNotification', {
            sessionId: this.sessionId,
            status: SessionStatus.Error,
            reason: String((error as Error).message ?? error),
          });
          return { messageId, status: 1 };
        }
        span.setDetails({ stop_reason: result.decision.reason, tools: result.tools, iterations: result.iterations });
        const endUs = rt.clock.now();
        if (result.decision.reason === 'no_continuation_signal') this.missed = { atUs: endUs, tool: result.tools.at(-1) };
        if (this.nudgeRun && this.isNudge(message.text)) {
          rt.truth.fault('nudge_pattern', this.sessionId, arrivedUs, endUs, { group: this.nudgeRun.group, details: { nudge: message.text } });
        }
        return { messageId, status: 0 };
      },
      parent,
    );
  }

  /** Ground truth at the moment a message arrives: a stall ends, a nudge run grows or ends, an intervention lands. */
  private recordArrival(message: IncomingMessage, nowUs: number): void {
    const { truth } = this.rt;
    const missed = this.missed;
    this.missed = undefined;
    if (!message.fromOwner) truth.intervention(this.sessionId, nowUs, message.text);
    if (missed && nowUs - missed.atUs >= STALL_THRESHOLD_MS * 1000) {
      truth.fault('continuation_stall', this.sessionId, missed.atUs, nowUs, {
        group: `stall-${missed.atUs}`,
        ...(missed.tool ? { tool: missed.tool } : {}),
        details: { silence_ms: (nowUs - missed.atUs) / 1000, ended_by: message.fromOwner ? 'user' : 'intervention' },
      });
    }
    if (message.fromOwner && missed && this.isNudge(message.text)) {
      this.nudgeRun ??= { count: 0, group: `nudges-${nowUs}` };
      this.nudgeRun.count += 1;
    } else if (message.fromOwner) {
      this.closeNudgeRun();
    }
  }

  private closeNudgeRun(): void {
    this.nudgeRun = undefined;
  }

  private isNudge(text: string): boolean {
    return NUDGE.test(text.trim());
  }
}
