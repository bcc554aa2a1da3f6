// A local stand-in for the OpenAI Chat Completions API on 127.0.0.1: a tool call, then an answer
// once the tool result is in; model "gpt-rate-limited" answers 429, "gpt-broken" answers 500.
import { createServer } from 'node:http';

let ids = 0;
const usage = (p, c) => ({ prompt_tokens: p, completion_tokens: c, total_tokens: p + c });

function reply(body) {
  const messages = body.messages ?? [];
  const last = messages[messages.length - 1];
  const id = `chatcmpl-mock${++ids}`;
  const base = { id, object: 'chat.completion', created: 1767225600, model: `${body.model}-2025-01-01`, system_fingerprint: 'fp_mock' };
  if (body.tools?.length && last?.role !== 'tool') {
    const tool = body.tools[0].function.name;
    return {
      ...base,
      choices: [
        {
          index: 0,
          finish_reason: 'tool_calls',
          logprobs: null,
          message: {
            role: 'assistant',
            content: null,
            refusal: null,
            tool_calls: [{ id: `call_mock${ids}`, type: 'function', function: { name: tool, arguments: JSON.stringify({ city: 'Paris' }) } }],
          },
        },
      ],
      usage: usage(52, 17),
    };
  }
  return {
    ...base,
    choices: [
      {
        index: 0,
        finish_reason: 'stop',
        logprobs: null,
        message: { role: 'assistant', content: last?.role === 'tool' ? 'It is 21 °C in Paris.' : 'Hello from the mock.', refusal: null },
      },
    ],
    usage: usage(74, 9),
  };
}

export async function startMockOpenAI() {
  const server = createServer((req, res) => {
    let data = '';
    req.on('data', (c) => {
      data += c;
    });
    req.on('end', () => {
      const body = data ? JSON.parse(data) : {};
      const send = (status, payload, headers = {}) => {
        res.writeHead(status, { 'content-type': 'application/json', 'x-request-id': `req_mock${ids}`, ...headers });
        res.end(JSON.stringify(payload));
      };
      if (req.url !== '/v1/chat/completions') return send(404, { error: { message: `no route ${req.url}`, type: 'invalid_request_error' } });
      if (body.model === 'gpt-rate-limited')
        return send(
          429,
          {
            error: {
              message: 'Rate limit reached for gpt-4o-mini in organization org-mock on requests per min (RPM): Limit 3, Used 3, Requested 1.',
              type: 'requests',
              param: null,
              code: 'rate_limit_exceeded',
            },
          },
          { 'retry-after': '1' },
        );
      if (body.model === 'gpt-broken')
        return send(500, {
          error: { message: 'The server had an error while processing your request. Sorry about that!', type: 'server_error', param: null, code: null },
        });
      send(200, reply(body));
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return { baseURL: `http://127.0.0.1:${port}/v1`, close: () => new Promise((resolve) => server.close(resolve)) };
}
