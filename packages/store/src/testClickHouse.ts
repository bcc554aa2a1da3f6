// Test helper shared by every test that needs a real ClickHouse: starts Debian's
// `clickhouse-server` (18.16 here; any release that takes this config) on free loopback ports
// with its own data directory, and stops it. Not part of the package's build.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BINARIES = ['clickhouse-server', '/usr/sbin/clickhouse-server', '/usr/bin/clickhouse-server'];

/** The clickhouse-server binary, or undefined when it is not installed (scripts/system-deps.sh installs it). */
export function clickHouseBinary(): string | undefined {
  for (const bin of BINARIES) {
    const r = spawnSync(bin, ['--help'], { stdio: 'ignore', timeout: 10_000 });
    if (!r.error) return bin;
  }
  return undefined;
}

/**
 * Whether ClickHouse tests run: yes when the server is installed; in CI (CI or
 * DEBBIE_REQUIRE_CLICKHOUSE set, as scripts/test.sh does) a missing server
 * is an error, never a silent skip; a local run without it says why it skips.
 */
export function clickHouseTestsEnabled(): boolean {
  if (clickHouseBinary()) return true;
  if (process.env.CI || process.env.DEBBIE_REQUIRE_CLICKHOUSE) {
    throw new Error('clickhouse-server is not installed: scripts/system-deps.sh installs it (scripts/test.sh and CI require it)');
  }
  console.warn('[skip] ClickHouse tests: clickhouse-server is not installed (run scripts/system-deps.sh to install it)');
  return false;
}

export interface TestClickHouse {
  /** e.g. http://127.0.0.1:41234 */
  endpoint: string;
  httpPort: number;
  /** A store URL for `database` (created by the store on first open). */
  url(database: string, user?: { name: string; password: string }): string;
  /** Runs SQL and returns the text answer. */
  query(sql: string): Promise<string>;
  /** The child process (a test may SIGKILL it). */
  process: ChildProcess;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A user with a password, so tests can check credentials are sent and masked. */
export const TEST_USER = { name: 'debbie', password: 'ch-s3cret-pw' };

/** Starts a ClickHouse server with its own data directory on free ports; resolves when it answers /ping. */
export async function startClickHouse(): Promise<TestClickHouse> {
  const bin = clickHouseBinary();
  if (!bin) throw new Error('clickhouse-server is not installed (scripts/system-deps.sh installs it)');
  const dir = mkdtempSync(join(tmpdir(), 'debbie-clickhouse-'));
  const [httpPort, tcpPort] = [await freePort(), await freePort()];
  const users = `<?xml version="1.0"?>
<yandex>
  <profiles><default></default></profiles>
  <users>
    <default><password></password><networks><ip>127.0.0.1</ip><ip>::1</ip></networks><profile>default</profile><quota>default</quota></default>
    <${TEST_USER.name}><password>${TEST_USER.password}</password><networks><ip>127.0.0.1</ip><ip>::1</ip></networks><profile>default</profile><quota>default</quota></${TEST_USER.name}>
  </users>
  <quotas><default></default></quotas>
</yandex>
`;
  const config = `<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><console>1</console></logger>
  <http_port>${httpPort}</http_port>
  <tcp_port>${tcpPort}</tcp_port>
  <listen_host>127.0.0.1</listen_host>
  <path>${dir}/data/</path>
  <tmp_path>${dir}/tmp/</tmp_path>
  <users_config>${dir}/users.xml</users_config>
  <mark_cache_size>268435456</mark_cache_size>
  <uncompressed_cache_size>268435456</uncompressed_cache_size>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
</yandex>
`;
  writeFileSync(join(dir, 'users.xml'), users);
  writeFileSync(join(dir, 'config.xml'), config);
  const child = spawn(bin, [`--config-file=${join(dir, 'config.xml')}`], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const killAtExit = () => child.kill('SIGKILL');
  process.once('exit', killAtExit);
  const endpoint = `http://127.0.0.1:${httpPort}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`clickhouse-server exited (${child.exitCode}): ${stderr}`);
    const ok = await fetch(`${endpoint}/ping`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`clickhouse-server did not answer on ${endpoint} within 60 s: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    endpoint,
    httpPort,
    process: child,
    url: (database, user) =>
      `clickhouse://${user ? `${encodeURIComponent(user.name)}:${encodeURIComponent(user.password)}@` : ''}127.0.0.1:${httpPort}/${database}`,
    query: async (sql) => {
      const response = await fetch(`${endpoint}/`, { method: 'POST', body: sql });
      const text = await response.text();
      if (!response.ok) throw new Error(`ClickHouse: ${text}`);
      return text;
    },
    stop: async () => {
      process.off('exit', killAtExit);
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
