import { DebbieError } from '@debbie/model';
import type { AlertAction } from './Alert.js';

export interface WebhookActionOptions {
  /** http(s) URL that receives `POST {alert, suppressed, event}` as JSON. */
  url: string;
  /** Abort the request after this long (default 5000 ms). */
  timeoutMs?: number;
  /** Extra request headers (e.g. Authorization). */
  headers?: Record<string, string>;
}

/**
 * An alert action that POSTs the event as JSON to a URL. A non-2xx answer, a network error or
 * a timeout rejects, which the alert counts as a failure; nothing reaches the producer.
 * @example streamer.addAlert({ name: 'errors', condition: { minLevel: 'ERROR' }, action: webhookAction({ url: 'http://127.0.0.1:8080/hook' }) })
 */
export function webhookAction(options: WebhookActionOptions): AlertAction {
  let url: URL;
  try {
    url = new URL(options.url);
  } catch {
    throw new DebbieError('invalid_alert', `webhook url "${options.url}" is not a valid URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new DebbieError('invalid_alert', `webhook url "${options.url}" must be http or https`);
  }
  const timeoutMs = options.timeoutMs ?? 5000;
  const headers = { 'content-type': 'application/json', ...options.headers };
  return async (event, context) => {
    const response = await fetch(url, {
      method: 'POST',
      headers,
      body: JSON.stringify({ alert: context.name, suppressed: context.suppressed, event }),
      signal: AbortSignal.timeout(timeoutMs),
    }).catch((error: unknown) => {
      const reason = (error as Error)?.name === 'TimeoutError' ? `timed out after ${timeoutMs} ms` : errorText(error);
      throw new Error(`webhook ${url.href}: ${reason}`);
    });
    // Drain nothing: we only need the status, and an unread body must not hold the socket.
    await response.body?.cancel().catch(() => undefined);
    if (!response.ok) throw new Error(`webhook ${url.href} answered ${response.status} ${response.statusText}`);
  };
}

function errorText(error: unknown): string {
  const e = error as Error & { cause?: { code?: string; message?: string } };
  return e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(error);
}
