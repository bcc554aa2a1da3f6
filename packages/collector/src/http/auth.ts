import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { DebbieError } from '@debbie/model';
import { HttpError } from './HttpError.js';

/** True for 127.0.0.0/8, ::1, localhost (the addresses only this machine can reach). */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h) || h === '::ffff:127.0.0.1';
}

/**
 * Refuses to serve on a non-loopback address without a bearer token: anyone on the network could
 * otherwise read every session and write events. Throws DebbieError `insecure_bind`.
 */
export function assertSafeBind(host: string, token: string | undefined, what = 'the collector'): void {
  if (isLoopbackHost(host) || token) return;
  throw new DebbieError(
    'insecure_bind',
    `refusing to bind ${what} to ${host} without a token; pass --token T or set DEBBIE_TOKEN (clients send "Authorization: Bearer T"), or bind 127.0.0.1`,
    '--host',
  );
}

/** Checks `Authorization: Bearer <token>` in constant time; throws HttpError 401 when missing or wrong. */
export function checkBearer(req: IncomingMessage, token: string | undefined): void {
  if (!token) return;
  const header = req.headers.authorization ?? '';
  const m = /^Bearer\s+(.+)$/i.exec(header.trim());
  const given = Buffer.from(m?.[1] ?? '');
  const expected = Buffer.from(token);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new HttpError(401, m ? 'wrong bearer token' : 'missing "Authorization: Bearer <token>" header', 16, { 'WWW-Authenticate': 'Bearer realm="debbie"' });
  }
}

/**
 * On a loopback bind without a token, a web page could still reach the collector through DNS
 * rebinding (evil.example resolving to 127.0.0.1). Requests must then name a loopback host in
 * `Host`; throws HttpError 403 otherwise.
 */
export function checkLoopbackHostHeader(req: IncomingMessage): void {
  const host = String(req.headers.host ?? '');
  const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.replace(/:\d+$/, '');
  if (!isLoopbackHost(name)) {
    throw new HttpError(403, `Host "${host}" is not this machine; the collector answers only requests to 127.0.0.1/localhost unless it runs with a token`, 7);
  }
}
