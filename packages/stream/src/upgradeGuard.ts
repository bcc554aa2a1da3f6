import type { IncomingMessage } from 'node:http';

/** True for addresses that only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  const h = host
    .trim()
    .replace(/^\[|\]$/g, '')
    .toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h) || h === '::ffff:127.0.0.1';
}

/** The host name of a `Host` header value, without its port ("[::1]:9999" → "[::1]"). */
function hostName(host: string): string {
  return host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.replace(/:\d+$/, '');
}

export interface UpgradeRefusal {
  status: 403;
  reason: string;
}

/**
 * The checks the HTTP API makes (packages/collector/src/http/auth.ts), for a WebSocket upgrade:
 * - without a token, `Host` must name this machine, so a page on evil.example that resolves its
 *   name to 127.0.0.1 (DNS rebinding) cannot reach the stream;
 * - a request that carries `Origin` (every browser sends it on a WebSocket) is refused unless the
 *   origin is listed in `allowedOrigins`: a web page the user happens to open must never read the
 *   live stream. Command-line clients (`debbie tail`, ws) send no Origin and are not affected.
 * Returns why the upgrade is refused, or undefined when it may proceed.
 */
export function checkUpgradeRequest(req: IncomingMessage, options: { token: boolean; allowedOrigins: ReadonlySet<string> }): UpgradeRefusal | undefined {
  if (!options.token) {
    const host = String(req.headers.host ?? '');
    if (!isLoopbackHost(hostName(host))) {
      return { status: 403, reason: `Host "${host}" is not this machine; the stream answers only requests to 127.0.0.1/localhost unless it runs with a token` };
    }
  }
  const origin = req.headers.origin;
  if (origin !== undefined && !options.allowedOrigins.has(origin.toLowerCase())) {
    return { status: 403, reason: `Origin "${origin}" may not read the stream; web pages are refused unless listed in allowedOrigins` };
  }
  return undefined;
}
