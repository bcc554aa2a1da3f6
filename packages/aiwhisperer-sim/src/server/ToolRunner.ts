import { sleep } from '../clock/sleep.js';
import type { ScriptedToolCall } from '../script.js';
import type { OpenAiToolCall } from './AiService.js';
import type { SimRuntime } from './SimRuntime.js';
import { findTool } from './tools.js';

/** Characters of a tool result recorded on its span. */
const RESULT_HEAD = 400;

export interface ToolOutcome {
  ok: boolean;
  /** What goes back to the model: the result, or "Error: …". */
  text: string;
  durationMs: number;
}

/** Executes the accumulated tool calls one by one, each an `execute_tool <name>` span. */
export class ToolRunner {
  constructor(private readonly rt: SimRuntime) {}

  async execute(sessionId: string, agentId: string, call: OpenAiToolCall, scripted: ScriptedToolCall, index: number, total: number): Promise<ToolOutcome> {
    const { rt } = this;
    const name = call.function.name;
    const spec = findTool(name);
    const usualMs = spec?.usualMs ?? 50;
    rt.logger.log({
      source: 'tool',
      component: name,
      action: 'tool_start',
      message: `🔧 EXECUTING TOOL ${index + 1}/${total}: ${name} (ID: ${call.id})`,
      details: { tool_name: name, tool_call_id: call.id },
    });
    const startUs = rt.clock.now();
    const outcome = await rt.logger.span(
      {
        source: 'tool',
        component: name,
        action: 'tool_execution',
        details: { tool_name: name, tool_call_id: call.id, tool_arguments: call.function.arguments, usual_ms: usualMs, index: index + 1, of: total },
      },
      async (span): Promise<ToolOutcome> => {
        const durationMs = scripted.durationMs ?? rt.rng.jitter(usualMs, rt.jitter);
        await sleep(rt.clock, durationMs);
        if (scripted.memoryMb !== undefined) span.setMetrics({ memory_mb: scripted.memoryMb });
        const error = scripted.error ?? (spec ? undefined : `ToolNotFoundError: no tool named '${name}'`);
        if (error !== undefined) {
          span.setLevel('ERROR');
          span.setMessage(`Tool ${name} failed: ${error}`);
          span.setDetails({ error });
          span.otelSpan.recordException({ name: error.split(':')[0] ?? 'Error', message: error });
          return { ok: false, text: `Error: ${error}`, durationMs };
        }
        const text = scripted.result ?? spec!.result(scripted.args);
        span.setMessage(`✅ Tool ${name} completed in ${(durationMs / 1000).toFixed(3)}s`);
        // the result's head, as agents that log tool observations do: what lets a reader tell progress from a repeat
        span.setDetails({ result_chars: text.length, result: text.length > RESULT_HEAD ? `${text.slice(0, RESULT_HEAD)}…` : text });
        return { ok: true, text, durationMs };
      },
    );
    const endUs = rt.clock.now();
    rt.notify(sessionId, 'StreamingUpdate', { type: 'tool_result', content: outcome.text, sessionId, agentId, isPartial: true, toolCallId: call.id });
    this.recordTruth(sessionId, name, scripted, usualMs, startUs, endUs);
    return outcome;
  }

  private recordTruth(sessionId: string, tool: string, scripted: ScriptedToolCall, usualMs: number, startUs: number, endUs: number): void {
    const { truth } = this.rt;
    const actualMs = (endUs - startUs) / 1000;
    if (scripted.fault) {
      const factor = Math.round((actualMs / usualMs) * 10) / 10;
      const grouped =
        scripted.fault === 'slow_tool' || scripted.fault === 'memory_spike' ? `${scripted.fault}-${startUs}` : (scripted.faultGroup ?? scripted.fault);
      truth.fault(scripted.fault, sessionId, startUs, endUs, {
        group: grouped,
        tool,
        ...(scripted.fault === 'slow_tool' ? { factor } : {}),
        details: {
          tool_arguments: scripted.args,
          ...(scripted.error ? { error: scripted.error } : {}),
          ...(scripted.memoryMb !== undefined ? { memory_mb: scripted.memoryMb } : {}),
          ...(scripted.fault === 'slow_tool' ? { expected_ms: usualMs, actual_ms: actualMs } : {}),
        },
      });
      if (scripted.fault === 'slow_tool') truth.setSlow({ session_id: sessionId, tool, expected_ms: usualMs, actual_ms: actualMs, factor });
    }
    if (scripted.decoy)
      truth.decoy(scripted.decoy, sessionId, startUs, endUs, {
        group: scripted.faultGroup ?? scripted.decoy,
        tool,
        details: { tool_arguments: scripted.args, ...(scripted.error ? { error: scripted.error } : {}) },
      });
  }
}
