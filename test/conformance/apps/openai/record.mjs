// @opentelemetry/instrumentation-openai with the openai client against a local mock of the Chat
// Completions API: a tool call and its answer, then a 429 and a 500. The app names its session
// with session.id on its own parent span only, as the GenAI conventions leave it to the app.
import { startRecording } from './recorder.mjs';
import { startMockOpenAI } from './mockOpenAI.mjs';

const rec = await startRecording('openai-app');
const { registerInstrumentations } = await import('@opentelemetry/instrumentation');
const { OpenAIInstrumentation } = await import('@opentelemetry/instrumentation-openai');
registerInstrumentations({ instrumentations: [new OpenAIInstrumentation({ captureMessageContent: true })] });
// require (CommonJS), so the instrumentation's require hook patches the client (ESM import needs a loader hook).
const { createRequire } = await import('node:module');
const openaiModule = createRequire(import.meta.url)('openai');
const OpenAI = openaiModule.OpenAI ?? openaiModule.default ?? openaiModule;

const mock = await startMockOpenAI();
const client = new OpenAI({ apiKey: 'sk-test-not-a-real-key', baseURL: mock.baseURL, maxRetries: 0 });
const tracer = rec.api.trace.getTracer('openai-app');
const tools = [
  {
    type: 'function',
    function: {
      name: 'get_weather',
      description: 'Weather in a city',
      parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
    },
  },
];

await tracer.startActiveSpan('handle_chat', { attributes: { 'session.id': 'openai-session-1' } }, async (span) => {
  const messages = [
    { role: 'system', content: 'You answer weather questions.' },
    { role: 'user', content: 'What is the weather in Paris?' },
  ];
  const first = await client.chat.completions.create({ model: 'gpt-4o-mini', messages, tools });
  const call = first.choices[0].message.tool_calls[0];
  messages.push(first.choices[0].message, { role: 'tool', tool_call_id: call.id, content: JSON.stringify({ city: 'Paris', celsius: 21 }) });
  const second = await client.chat.completions.create({ model: 'gpt-4o-mini', messages, tools });
  console.log('answer:', second.choices[0].message.content);
  for (const model of ['gpt-rate-limited', 'gpt-broken']) {
    try {
      await client.chat.completions.create({ model, messages: [{ role: 'user', content: 'again' }] });
    } catch (error) {
      console.log('failed as expected:', error.status, error.message);
    }
  }
  span.end();
});
await mock.close();
await rec.finish(
  'openai',
  ['openai', '@opentelemetry/instrumentation-openai', '@opentelemetry/sdk-trace'],
  "chat completions with a tool call (get_weather), then a 429 and a 500 from a mock server on 127.0.0.1; session.id only on the app's parent span",
);
