// Vercel AI SDK v5: generateText with a tool loop and a failing call (429), telemetry on,
// the session in experimental_telemetry.metadata.sessionId, against ai/test's MockLanguageModelV2.
import { startRecording } from './recorder.mjs';

const rec = await startRecording('vercel-ai-5-app');
const { generateText, tool, stepCountIs, APICallError } = await import('ai');
const { MockLanguageModelV2 } = await import('ai/test');
const { z } = await import('zod');

const usage = (input, output) => ({ inputTokens: input, outputTokens: output, totalTokens: input + output });
let call = 0;
const model = new MockLanguageModelV2({
  provider: 'mock-provider',
  modelId: 'mock-model-v2',
  doGenerate: async () => {
    call += 1;
    if (call === 1) {
      return {
        content: [{ type: 'tool-call', toolCallId: 'call-1', toolName: 'weather', input: JSON.stringify({ city: 'Paris' }) }],
        finishReason: 'tool-calls',
        usage: usage(40, 12),
        warnings: [],
      };
    }
    return { content: [{ type: 'text', text: 'It is 21 °C in Paris.' }], finishReason: 'stop', usage: usage(60, 9), warnings: [] };
  },
});
const telemetry = { isEnabled: true, functionId: 'weather-chat', metadata: { sessionId: 'vercel5-chat-1', userId: 'u-7' } };
const result = await generateText({
  model,
  prompt: 'What is the weather in Paris?',
  tools: {
    weather: tool({ description: 'Weather in a city', inputSchema: z.object({ city: z.string() }), execute: async ({ city }) => ({ city, celsius: 21 }) }),
  },
  stopWhen: stepCountIs(3),
  experimental_telemetry: telemetry,
});
console.log('answer:', result.text);

const limited = new MockLanguageModelV2({
  provider: 'mock-provider',
  modelId: 'mock-model-v2',
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
  await generateText({ model: limited, prompt: 'again', maxRetries: 0, experimental_telemetry: telemetry });
} catch (error) {
  console.log('failed as expected:', error.message);
}
await rec.finish(
  'vercel-ai-5',
  ['ai', '@opentelemetry/sdk-trace-base'],
  'generateText with a tool loop (weather) and a 429 from the mock model; session in experimental_telemetry.metadata.sessionId',
);
