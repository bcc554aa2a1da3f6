import { sleep } from '../clock/sleep.js';
import type { ModelStep } from '../script.js';
import type { AgentInfo } from './agents.js';
import type { AiService } from './AiService.js';
import { decideContinuation, type ContinuationDecision } from './ContinuationPolicy.js';
import type { SimRuntime } from './SimRuntime.js';
import type { ToolRunner } from './ToolRunner.js';

/** What the agent needs from its session. */
export interface AgentHost {
  readonly sessionId: string;
  nextStep(): ModelStep;
  /** Characters of conversation so far (drives input tokens). */
  historyChars: number;
  /** Records a message in the (bounded) history. */
  remember(role: 'user' | 'assistant' | 'tool', text: string): void;
  /** Baseline resident memory of the server process, for resource samples. */
  memoryBaselineMb: number;
}

export interface TurnResult {
  /** The last decision of the turn (why the agent stopped). */
  decision: ContinuationDecision;
  /** Tool calls run in the turn, in order. */
  tools: string[];
  iterations: number;
  finalText: string;
}

/** Short pause before the session sends itself "Please continue with the next step." */
const CONTINUATION_PAUSE_MS = 500;
export const CONTINUATION_PROMPT = 'Please continue with the next step.';

/**
 * One of AIWhisperer's agents running its AI loop for a turn: stream a reply, run the accumulated
 * tool calls one by one, then let the session manager decide whether to continue (depth-limited).
 */
export class Agent {
  constructor(
    private readonly rt: SimRuntime,
    readonly info: AgentInfo,
    private readonly ai: AiService,
    private readonly tools: ToolRunner,
    private readonly maxDepth: number,
  ) {}

  get model(): string {
    return this.ai.model;
  }

  async runTurn(host: AgentHost, message: string): Promise<TurnResult> {
    const { rt, info } = this;
    return rt.logger.span(
      {
        source: 'agent',
        component: `agent.${info.name.toLowerCase()}`,
        action: 'invoke_agent',
        agent_id: info.agentId,
        details: { agent_name: info.name, agent_id: info.agentId, operation: 'invoke_agent' },
      },
      async (span) => {
        rt.logger.log({
          source: 'agent',
          component: `agent.${info.name.toLowerCase()}`,
          action: 'user_message',
          message: `>>> USER MESSAGE >>> ${message}`,
          details: { chars: message.length },
        });
        host.remember('user', message);
        const tools: string[] = [];
        let depth = 0;
        let iterations = 0;
        let finalText = '';
        let inputTokens = 0;
        let outputTokens = 0;
        for (;;) {
          iterations += 1;
          const step = host.nextStep();
          this.sampleMemory(host, step.memoryMb ?? host.memoryBaselineMb + this.rt.rng.int(0, 12), step.fault === 'memory_spike');
          const chat = await this.ai.chat({
            sessionId: host.sessionId,
            agentId: info.agentId,
            step,
            historyChars: host.historyChars,
            depth,
            sequence: iterations,
          });
          inputTokens += chat.usage.input_tokens;
          outputTokens += chat.usage.output_tokens;
          host.remember('assistant', chat.content);
          finalText = chat.content;
          rt.logger.log({
            source: 'agent',
            component: `agent.${info.name.toLowerCase()}`,
            action: 'ai_response',
            message: `<<< AI RESPONSE <<< ${chat.content === '' ? '(empty)' : chat.content}`,
            details: { finish_reason: chat.finishReason, tool_calls: chat.toolCalls.length },
          });
          rt.notify(host.sessionId, 'ChannelMessageNotification', {
            channel: 'final',
            content: chat.content,
            metadata: {
              sequence: iterations,
              agentId: info.agentId,
              sessionId: host.sessionId,
              toolCalls: chat.toolCalls,
              continuationDepth: depth,
              isPartial: false,
            },
          });
          for (const [i, call] of chat.toolCalls.entries()) {
            const outcome = await this.tools.execute(host.sessionId, info.agentId, call, chat.scripted[i]!, i, chat.toolCalls.length);
            host.remember('tool', outcome.text);
            tools.push(call.function.name);
            const memory = chat.scripted[i]!.memoryMb;
            // A tool-level spike is recorded in the ground truth by the ToolRunner.
            if (memory !== undefined) this.sampleMemory(host, memory, false);
          }
          const decision = decideContinuation({ toolsRan: chat.toolCalls.length, signal: chat.continuation, depth, maxDepth: this.maxDepth });
          rt.logger.log({
            source: 'session',
            component: 'session_manager',
            action: 'continuation_decision',
            level: decision.reason === 'no_continuation_signal' ? 'WARNING' : 'INFO',
            message: `🔄 CONTINUATION DECISION: ${decision.decision ? 'True' : 'False'}`,
            details: { ...decision, tools_called: chat.toolCalls.map((c) => c.function.name), continuation_status: chat.continuation },
            state_before: { agent_state: 'processing', depth },
            state_after: decision.decision ? { agent_state: 'continuing', depth: depth + 1 } : { agent_state: 'waiting_for_user', depth },
          });
          if (!decision.decision) {
            span.setDetails({ iterations, tools, stop_reason: decision.reason });
            span.setMetrics({ input_tokens: inputTokens, output_tokens: outputTokens });
            return { decision, tools, iterations, finalText };
          }
          rt.notify(host.sessionId, 'continuation.progress', {
            sessionId: host.sessionId,
            agent_id: info.agentId,
            iteration: depth + 1,
            max_iterations: this.maxDepth,
            progress: { current_step: depth + 1, total_steps: this.maxDepth, completion_percentage: Math.round(((depth + 1) / this.maxDepth) * 100) },
            current_tools: chat.toolCalls.map((c) => c.function.name),
          });
          await sleep(rt.clock, rt.rng.jitter(CONTINUATION_PAUSE_MS, rt.jitter));
          depth += 1;
          rt.logger.log({ source: 'session', component: 'session_manager', action: 'continuation_injected', message: CONTINUATION_PROMPT, details: { depth } });
          host.remember('user', CONTINUATION_PROMPT);
        }
      },
    );
  }

  /** A resource sample (performance_metrics.memory_mb), as a server-side monitor would log it. */
  private sampleMemory(host: AgentHost, memoryMb: number, spike: boolean): void {
    if (spike) {
      const now = this.rt.clock.now();
      this.rt.truth.fault('memory_spike', host.sessionId, now, now, {
        group: `memory_spike-${now}`,
        details: { memory_mb: memoryMb, baseline_mb: host.memoryBaselineMb },
      });
    }
    this.rt.logger.log({
      source: 'server',
      component: 'resource_monitor',
      action: 'resource_sample',
      level: memoryMb > 400 ? 'WARNING' : 'DEBUG',
      message: `process memory ${memoryMb} MB`,
      performance_metrics: { memory_mb: memoryMb, baseline_mb: host.memoryBaselineMb },
      details: { spike },
    });
  }
}
