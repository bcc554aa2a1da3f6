export { JsonRpcService, JsonRpcError, JsonRpcTimeoutError } from './JsonRpcService.js';
export type { JsonRpcObserver, JsonRpcServiceOptions } from './JsonRpcService.js';
export { debbieJsonRpcObserver } from './debbieJsonRpcObserver.js';
export type { DebbieJsonRpcObserverOptions } from './debbieJsonRpcObserver.js';
