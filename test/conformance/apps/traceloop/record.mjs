// OpenLLMetry (@traceloop/node-server-sdk) with its own SDK exporting into our in-memory exporter:
// a workflow with an agent, a tool and an instrumented OpenAI call (mock server on 127.0.0.1),
// then a 429; the session in association properties (session_id).
import { startRecording } from './recorder.mjs';
import { startMockOpenAI } from './mockOpenAI.mjs';

const rec = await startRecording('traceloop-app', { global: false });
const { createRequire } = await import('node:module');
const require = createRequire(import.meta.url);
const traceloop = require('@traceloop/node-server-sdk');
const OpenAI = require('openai').OpenAI;
traceloop.initialize({
  appName: 'traceloop-app',
  exporter: rec.spanExporter,
  disableBatch: true,
  instrumentModules: { openAI: OpenAI },
  silenceInitializationMessage: true,
  traceContent: true,
  traceloopSyncEnabled: false,
  baseUrl: 'http://127.0.0.1:9',
});
rec.beforeFinish = () => traceloop.forceFlush();

const mock = await startMockOpenAI();
const client = new OpenAI({ apiKey: 'sk-test-not-a-real-key', baseURL: mock.baseURL, maxRetries: 0 });
await traceloop.withAssociationProperties({ session_id: 'traceloop-session-1', user_id: 'u-7' }, async () => {
  await traceloop.withWorkflow({ name: 'weather_chat' }, async () => {
    await traceloop.withAgent({ name: 'weather_agent' }, async () => {
      const first = await client.chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: 'What is the weather in Paris?' }],
        tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }],
      });
      const call = first.choices[0].message.tool_calls[0];
      await traceloop.withTool({ name: 'get_weather' }, async () => ({ city: JSON.parse(call.function.arguments).city, celsius: 21 }));
      try {
        await client.chat.completions.create({ model: 'gpt-rate-limited', messages: [{ role: 'user', content: 'again' }] });
      } catch (error) {
        console.log('failed as expected:', error.status, error.message);
      }
    });
  });
});
await mock.close();
await rec.finish(
  'traceloop',
  ['@traceloop/node-server-sdk', 'openai'],
  'workflow weather_chat > agent weather_agent > OpenAI chat (tool call) + tool get_weather, then a 429; session in association property session_id',
);
await traceloop.shutdown?.();
