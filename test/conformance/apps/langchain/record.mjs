// LangChain.js (langchain createAgent on LangGraph) traced by OpenInference's LangChain
// instrumentation, with @langchain/core's fake streaming chat model: one tool call, an answer,
// then a model that fails. The session is LangGraph's configurable.thread_id.
import { startRecording } from './recorder.mjs';

const rec = await startRecording('langchain-app');
const { LangChainInstrumentation } = await import('@arizeai/openinference-instrumentation-langchain');
const CallbackManagerModule = await import('@langchain/core/callbacks/manager');
new LangChainInstrumentation().manuallyInstrument(CallbackManagerModule);
const { FakeStreamingChatModel } = await import('@langchain/core/utils/testing');
const { AIMessage } = await import('@langchain/core/messages');
const { tool } = await import('@langchain/core/tools');
const { createAgent } = await import('langchain');
const { z } = await import('zod');

// The fake model answers responses[0] with chunks[0]'s tool calls; bindTools shares both arrays,
// so the tool moves the conversation on: first a tool call, then the answer.
const responses = [new AIMessage('')];
const chunks = [{ content: '', tool_calls: [{ id: 'call_1', name: 'get_weather', args: { city: 'Paris' }, type: 'tool_call' }] }];
const weather = tool(
  async ({ city }) => {
    chunks.length = 0;
    responses[0] = new AIMessage('It is 21 °C in Paris.');
    return JSON.stringify({ city, celsius: 21 });
  },
  { name: 'get_weather', description: 'Weather in a city', schema: z.object({ city: z.string() }) },
);
const model = new FakeStreamingChatModel({ responses, chunks });
const agent = createAgent({ model, tools: [weather], name: 'weather_agent' });
const config = { configurable: { thread_id: 'lc-thread-1' } };
const result = await agent.invoke({ messages: [{ role: 'user', content: 'What is the weather in Paris?' }] }, config);
console.log('answer:', result.messages.at(-1).content);

const failing = createAgent({
  model: new FakeStreamingChatModel({ thrownErrorString: '429 Too Many Requests: rate limit exceeded' }),
  tools: [weather],
  name: 'weather_agent',
});
try {
  await failing.invoke({ messages: [{ role: 'user', content: 'again' }] }, config);
} catch (error) {
  console.log('failed as expected:', error.message);
}
await rec.finish(
  'langchain',
  ['langchain', '@langchain/core', '@langchain/langgraph', '@arizeai/openinference-instrumentation-langchain'],
  'createAgent (name weather_agent) with FakeStreamingChatModel: tool call get_weather, answer, then a model that throws "429 Too Many Requests"; session = configurable.thread_id',
);
