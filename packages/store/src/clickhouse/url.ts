import { DebbieError } from '@debbie/model';

/** Where a ClickHouse store lives, parsed from `clickhouse://[user[:password]@]host[:8123]/database[?ttl_days=N]`. */
export interface ClickHouseLocation {
  /** The HTTP interface, e.g. http://127.0.0.1:8123 (https for `clickhouses://` or `?secure=1`). */
  endpoint: string;
  database: string;
  user: string | undefined;
  password: string | undefined;
  /** Events older than this many days are deleted (table TTL where the server has it). */
  ttlDays: number | undefined;
  /** The URL with the password masked: safe for logs and messages. */
  display: string;
}

const SCHEMES = new Set(['clickhouse:', 'clickhouses:']);
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** True when a --store value names a ClickHouse server rather than a DuckDB file. */
export function isClickHouseSpec(spec: string): boolean {
  return /^clickhouses?:\/\//i.test(spec);
}

/** Parses a `clickhouse://` store URL; throws DebbieError `invalid_option` naming what is wrong. */
export function parseClickHouseUrl(spec: string): ClickHouseLocation {
  let url: URL;
  try {
    url = new URL(spec);
  } catch {
    throw new DebbieError('invalid_option', `"${maskPassword(spec)}" is not a URL; expected clickhouse://[user[:password]@]host:8123/database`, '--store');
  }
  if (!SCHEMES.has(url.protocol.toLowerCase()) || !url.hostname) {
    throw new DebbieError(
      'invalid_option',
      `"${maskPassword(spec)}" is not a ClickHouse URL; expected clickhouse://[user[:password]@]host:8123/database`,
      '--store',
    );
  }
  const database = decodeURIComponent(url.pathname.replace(/^\/+|\/+$/g, '')) || 'debbie';
  if (!IDENTIFIER.test(database)) {
    throw new DebbieError('invalid_option', `database name "${database}" must be letters, digits and _ (not starting with a digit)`, '--store');
  }
  const secure = url.protocol.toLowerCase() === 'clickhouses:' || url.searchParams.get('secure') === '1';
  const ttl = url.searchParams.get('ttl_days');
  let ttlDays: number | undefined;
  if (ttl !== null) {
    ttlDays = Number(ttl);
    if (!Number.isInteger(ttlDays) || ttlDays <= 0) {
      throw new DebbieError('invalid_option', `ttl_days must be a positive whole number of days (got "${ttl}")`, '--store');
    }
  }
  const host = url.hostname.includes(':') && !url.hostname.startsWith('[') ? `[${url.hostname}]` : url.hostname;
  const endpoint = `${secure ? 'https' : 'http'}://${host}:${url.port || (secure ? '8443' : '8123')}`;
  const user = url.username ? decodeURIComponent(url.username) : undefined;
  const password = url.password ? decodeURIComponent(url.password) : undefined;
  return { endpoint, database, user, password, ttlDays, display: maskPassword(spec) };
}

/** The URL with any password replaced by ***. */
export function maskPassword(spec: string): string {
  return spec.replace(/^([a-z]+:\/\/[^:@/]*:)[^@/]*@/i, '$1***@');
}
