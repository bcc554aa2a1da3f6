import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { DebbieError } from '@debbie/model';
import { HttpError } from './HttpError.js';

/** True for 127.0.0.0/8, ::1, localhost (the addresses only this machine can reach). */
export function isLoopbackHost(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h) || h === '::ffff:127.0.0.1';
}

/** Shortest bearer token accepted on an address other machines can reach (16 characters: guessing is hopeless). */
export const MIN_TOKEN_LENGTH = 16;

/**
 * Refuses to serve on a non-loopback address without a real bearer token: anyone on the network
 * could otherwise read every session and write events. Throws DebbieError `insecure_bind` when
 * there is none, `invalid_token` when it is blank (anywhere) or shorter than 16 characters there.
 */
export function assertSafeBind(host: string, token: string | undefined, what = 'the collector'): void {
  if (token !== undefined && token !== '' && token.trim() === '') {
    throw new DebbieError('invalid_token', 'the token is blank; pass a real secret (e.g. `openssl rand -hex 16`) or none', '--token');
  }
  if (isLoopbackHost(host)) return;
  if (!token) {
    throw new DebbieError(
      'insecure_bind',
      `refusing to bind ${what} to ${host} without a token; pass --token T or set DEBBIE_TOKEN (clients send "Authorization: Bearer T"), or bind 127.0.0.1`,
      '--host',
    );
  }
  if (token.trim().length < MIN_TOKEN_LENGTH) {
    throw new DebbieError(
      'invalid_token',
      `a token of ${token.trim().length} characters is too easy to guess on ${host}; use at least ${MIN_TOKEN_LENGTH} (e.g. \`openssl rand -hex 16\`)`,
      '--token',
    );
  }
}

/**
 * What is wrong with an `Authorization` value for `token` (compared in constant time), or
 * undefined when it matches or no token is set. Shared by OTLP/HTTP and OTLP/gRPC.
 */
export function bearerProblem(header: string | undefined, token: string | undefined): string | undefined {
  if (!token) return undefined;
  const m = /^Bearer\s+(.+)$/i.exec((header ?? '').trim());
  const given = Buffer.from(m?.[1] ?? '');
  const expected = Buffer.from(token);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return m ? 'wrong bearer token' : 'missing "Authorization: Bearer <token>" header';
  }
  return undefined;
}

/** Checks `Authorization: Bearer <token>` in constant time; throws HttpError 401 when missing or wrong. */
export function checkBearer(req: IncomingMessage, token: string | undefined): void {
  const problem = bearerProblem(req.headers.authorization, token);
  if (problem) throw new HttpError(401, problem, 16, { 'WWW-Authenticate': 'Bearer realm="debbie"' });
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
