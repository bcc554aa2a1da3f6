/**
 * A frontend session against the AIWhisperer simulator, instrumented with Debbie: prints the
 * client's own events (one span per request, notifications nested in the request in flight).
 * Usage: node dist/main.js [--url ws://127.0.0.1:8000/ws]   (default: starts a simulator itself)
 */
import { parseArgs } from 'node:util';
import { startSimServer } from '@debbie/aiwhisperer-sim';
import { ConsoleSink, createDebbie } from '@debbie/sdk';
import { debbieJsonRpcObserver } from './debbieJsonRpcObserver.js';
import { JsonRpcService } from './JsonRpcService.js';

const { values } = parseArgs({ options: { url: { type: 'string' } } });
const sim = values.url ? undefined : await startSimServer();
const url = values.url ?? sim!.url;

const debbie = createDebbie({ serviceName: 'aiwhisperer-frontend', sinks: [new ConsoleSink({ minLevel: 'DEBUG' })] });
const rpc = new JsonRpcService(url, { requestTimeoutMs: 30_000, observer: debbieJsonRpcObserver(debbie.logger) });
await rpc.connect();
const { sessionId } = await rpc.sendRequest<{ sessionId: string }>('startSession', { userId: 'frontend-demo', sessionParams: { language: 'en' } });
await rpc.sendRequest('sendUserMessage', { sessionId, message: 'List the RFCs, please.' });
await rpc.sendRequest('stopSession', { sessionId });
rpc.close();
await debbie.shutdown();
if (sim) {
  await sim.server.close();
  await sim.debbie.shutdown();
}
