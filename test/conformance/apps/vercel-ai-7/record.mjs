// Vercel AI SDK (current major, v7): a ToolLoopAgent-style tool loop through generateText with the
// @ai-sdk/otel integration, the session in runtimeContext (included in telemetry), and a 429.
import { startRecording } from './recorder.mjs';

const rec = await startRecording('vercel-ai-7-app');
const { generateText, tool, stepCountIs, APICallError, registerTelemetry } = await import('ai');
const { OpenTelemetry } = await import('@ai-sdk/otel');
const { MockLanguageModelV4 } = await import('ai/test');
const { z } = await import('zod');
// runtimeContext: true emits the included runtime context as ai.settings.context.* (off by default).
registerTelemetry(new OpenTelemetry({ runtimeContext: true, agentSpanName: 'functionId' }));

const usage = (input, output) => ({
  inputTokens: { total: input, noCache: input, cacheRead: 0, cacheWrite: 0 },
  outputTokens: { total: output, text: output, reasoning: 0 },
});
let call = 0;
const model = new MockLanguageModelV4({
  provider: 'mock-provider',
  modelId: 'mock-model-v4',
  doGenerate: async () => {
    call += 1;
    if (call === 1) {
      return {
        content: [{ type: 'tool-call', toolCallId: 'call-1', toolName: 'weather', input: JSON.stringify({ city: 'Paris' }) }],
        finishReason: { unified: 'tool-calls', raw: 'tool_calls' },
        usage: usage(40, 12),
        warnings: [],
      };
    }
    return { content: [{ type: 'text', text: 'It is 21 °C in Paris.' }], finishReason: { unified: 'stop', raw: 'stop' }, usage: usage(60, 9), warnings: [] };
  },
});
const runtimeContext = { sessionId: 'vercel7-chat-1', userId: 'u-7' };
const telemetry = { functionId: 'weather-agent', includeRuntimeContext: { sessionId: true, userId: true } };
const result = await generateText({
  model,
  prompt: 'What is the weather in Paris?',
  tools: {
    weather: tool({ description: 'Weather in a city', inputSchema: z.object({ city: z.string() }), execute: async ({ city }) => ({ city, celsius: 21 }) }),
  },
  stopWhen: stepCountIs(3),
  runtimeContext,
  telemetry,
});
console.log('answer:', result.text);

const limited = new MockLanguageModelV4({
  provider: 'mock-provider',
  modelId: 'mock-model-v4',
  doGenerate: async () => {
    throw new APICallError({
      message: 'Rate limit reached for requests',
      url: 'https://api.example.com/v1/chat',
      requestBodyValues: {},
      statusCode: 429,
      responseBody: '{"error":"rate_limited"}',
      isRetryable: true,
    });
  },
});
try {
  await generateText({ model: limited, prompt: 'again', maxRetries: 0, runtimeContext, telemetry });
} catch (error) {
  console.log('failed as expected:', error.message);
}
await rec.finish(
  'vercel-ai-7',
  ['ai', '@ai-sdk/otel', '@opentelemetry/sdk-trace-base'],
  'generateText tool loop (weather) with @ai-sdk/otel and a 429 from the mock model; session in runtimeContext.sessionId (telemetry.includeRuntimeContext)',
);
