import type { DebbieSpan } from '@debbie/sdk';
import { sleep } from '../clock/sleep.js';
import type { ModelStep, ScriptedToolCall } from '../script.js';
import type { SimRuntime } from './SimRuntime.js';

/** A tool call in the OpenAI shape AIWhisperer's AI loop accumulates from the stream. */
export interface OpenAiToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export interface ChatResult {
  content: string;
  toolCalls: OpenAiToolCall[];
  /** The scripted behaviour of each tool call (duration, error, fault), index-aligned. */
  scripted: ScriptedToolCall[];
  finishReason: 'tool_calls' | 'stop';
  continuation: 'CONTINUE' | 'TERMINATE' | null;
  usage: { input_tokens: number; output_tokens: number };
}

/** Usual time to first token and between chunks, in simulated ms. */
const USUAL_LATENCY_MS = 600;
const USUAL_CHUNK_MS = 45;
const SYSTEM_PROMPT_TOKENS = 850;

/**
 * The scripted model behind AIWhisperer's OpenRouter client: streams a reply as chunk
 * notifications, ends with finish_reason tool_calls or stop, and reports token usage.
 * One `chat <model>` span per call.
 */
export class AiService {
  constructor(
    private readonly rt: SimRuntime,
    readonly model: string,
  ) {}

  async chat(request: { sessionId: string; agentId: string; step: ModelStep; historyChars: number; depth: number; sequence: number }): Promise<ChatResult> {
    const { rt } = this;
    const { step, sessionId, agentId } = request;
    const scripted = step.toolCalls ?? [];
    const toolCalls: OpenAiToolCall[] = scripted.map((c) => ({
      id: rt.rng.toolCallId(),
      type: 'function',
      function: { name: c.name, arguments: JSON.stringify(c.args) },
    }));
    const finishReason = toolCalls.length > 0 ? 'tool_calls' : 'stop';
    const continuation = step.continuation === undefined ? (toolCalls.length > 0 ? 'CONTINUE' : 'TERMINATE') : step.continuation;
    const usage = {
      input_tokens: SYSTEM_PROMPT_TOKENS + Math.ceil(request.historyChars / 4),
      output_tokens: Math.ceil((step.text.length + toolCalls.reduce((n, c) => n + c.function.arguments.length + c.function.name.length, 0)) / 4),
    };
    const startUs = rt.clock.now();
    return rt.logger.span(
      {
        source: 'ai_service',
        component: 'openrouter_ai_service',
        action: 'chat',
        details: { model: this.model, operation: 'chat', stream: true, continuation_depth: request.depth },
      },
      async (span) => {
        const latency = step.latencyMs ?? rt.rng.jitter(USUAL_LATENCY_MS, rt.jitter);
        await sleep(rt.clock, latency);
        span.setMetrics({ time_to_first_token_ms: latency });
        await this.stream(span, step.text, sessionId, agentId);
        rt.notify(sessionId, 'AIMessageChunkNotification', { sessionId, chunk: '', isFinal: true });
        span.log({
          source: 'ai_service',
          component: 'openrouter_ai_service',
          action: 'stream_finished',
          message: `🔄 STREAM FINISHED: finish_reason=${finishReason}`,
          details: { finish_reason: finishReason, tool_calls: toolCalls.length },
        });
        span.setDetails({
          finish_reason: finishReason,
          tool_calls: toolCalls,
          continuation_status: continuation,
          content_chars: step.text.length,
          ...(step.text === '' ? { empty_reply: true } : {}),
        });
        span.setMetrics(usage);
        span.setMessage(`chat ${this.model}: ${usage.input_tokens} in / ${usage.output_tokens} out tokens, finish_reason=${finishReason}`);
        if (step.text === '' && toolCalls.length === 0) span.setLevel('WARNING');
        const endUs = rt.clock.now();
        if (step.fault === 'slow_model' || step.fault === 'empty_reply') {
          rt.truth.fault(step.fault, sessionId, startUs, endUs, {
            group: `${step.fault}-${startUs}`,
            ...(step.fault === 'slow_model'
              ? { factor: Math.round(((endUs - startUs) / 1000 / (USUAL_LATENCY_MS + this.chunkCount(step.text) * USUAL_CHUNK_MS)) * 10) / 10 }
              : {}),
            details: { model: this.model },
          });
        }
        return { content: step.text, toolCalls, scripted, finishReason, continuation, usage };
      },
    );
  }

  private chunkCount(text: string): number {
    return Math.max(1, Math.ceil(text.length / 24));
  }

  /** Streams the reply as StreamingUpdate notifications, one DEBUG chunk event each. */
  private async stream(span: DebbieSpan, text: string, sessionId: string, agentId: string): Promise<void> {
    const { rt } = this;
    const chunks: string[] = [];
    for (let i = 0; i < text.length; i += 24) chunks.push(text.slice(i, i + 24));
    for (const [index, content] of chunks.entries()) {
      if (index > 0) await sleep(rt.clock, rt.rng.jitter(USUAL_CHUNK_MS, rt.jitter));
      rt.notify(sessionId, 'StreamingUpdate', { type: 'streaming_chunk', content, sessionId, agentId, isPartial: true });
      span.log({
        source: 'ai_service',
        level: 'DEBUG',
        component: 'openrouter_ai_service',
        action: 'stream_chunk',
        message: `chunk ${index + 1}/${chunks.length}`,
        details: { index, chars: content.length },
      });
    }
  }
}
