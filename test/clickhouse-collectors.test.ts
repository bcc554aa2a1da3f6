import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '@debbie/store';
import { clickHouseTestsEnabled, startClickHouse, TEST_USER, type TestClickHouse } from '../packages/store/src/testClickHouse.js';

// Many collectors, one store (collector-config/README.md): two `debbie collect` processes (the
// BUILT CLI) write to one real ClickHouse; each has its own sender, as session routing would
// arrange (a session's spans all reach one collector). One collector is killed with SIGKILL
// mid-stream: every span it acknowledged (HTTP 200, which it answers only after the store's
// INSERT returned 200) must be in ClickHouse, and `debbie sessions` there lists both sides.
const root = fileURLToPath(new URL('..', import.meta.url));
const bin = join(root, 'packages/cli/dist/bin.js');
const enabled = clickHouseTestsEnabled();

let clickhouse: TestClickHouse;
let dir: string;
let storeUrl: string;
const collectors: ChildProcess[] = [];

async function startCollect(): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [bin, 'collect', '--otlp-port', '0', '--stream-port', '0', '--no-commentary', '--store', storeUrl], {
    cwd: dir,
    env: { ...process.env, DEBBIE_TOKEN: '', DEBBIE_STORE: '' },
  });
  collectors.push(child);
  let output = '';
  child.stderr!.on('data', (d: Buffer) => {
    output += d.toString();
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      output += d.toString();
      const m = /query API on (http:\/\/127\.0\.0\.1:\d+)\/api/.exec(output);
      if (m && /debbie collect: store /.test(output)) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`debbie collect exited with ${code}: ${output}`)));
  });
  expect(output).toContain('clickhouse://debbie:***@');
  expect(output).not.toContain(TEST_USER.password);
  return { child, url };
}

const hex = (bytes: number) => randomBytes(bytes).toString('hex');

/** One OTLP/JSON export request: `count` spans of `session`, one trace. */
function traceRequest(session: string, count: number): { body: string; spanIds: string[] } {
  const traceId = hex(16);
  const start = BigInt(Date.now()) * 1_000_000n;
  const spanIds = Array.from({ length: count }, () => hex(8));
  const spans = spanIds.map((spanId, i) => ({
    traceId,
    spanId,
    name: `tool call ${i}`,
    kind: 1,
    startTimeUnixNano: String(start + BigInt(i) * 1_000_000n),
    endTimeUnixNano: String(start + BigInt(i) * 1_000_000n + 500_000n),
    attributes: [
      { key: 'session.id', value: { stringValue: session } },
      { key: 'tool.name', value: { stringValue: 'list_rfcs' } },
    ],
  }));
  return {
    spanIds,
    body: JSON.stringify({
      resourceSpans: [
        { resource: { attributes: [{ key: 'service.name', value: { stringValue: 'sender' } }] }, scopeSpans: [{ scope: { name: 'test' }, spans }] },
      ],
    }),
  };
}

interface SenderResult {
  acked: string[];
  sessions: Set<string>;
  refused: number;
}

/** Sends `batches` requests one after another; `beforeBatch` may kill the collector mid-stream. */
async function send(url: string, name: string, batches: number, beforeBatch?: (i: number) => void): Promise<SenderResult> {
  const result: SenderResult = { acked: [], sessions: new Set(), refused: 0 };
  for (let i = 0; i < batches; i++) {
    const session = `${name}-session-${i % 4}`;
    const { body, spanIds } = traceRequest(session, 25);
    const response = fetch(`${url}/v1/traces`, { method: 'POST', body, headers: { 'Content-Type': 'application/json' } });
    beforeBatch?.(i); // a kill lands while this request is in flight
    const ok = await response.then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) {
      result.acked.push(...spanIds);
      result.sessions.add(session);
    } else result.refused += 1;
  }
  return result;
}

describe.runIf(enabled)('two collectors, one ClickHouse', () => {
  beforeAll(async () => {
    if (!existsSync(bin)) throw new Error(`${bin} is missing: run \`pnpm build\` first`);
    dir = mkdtempSync(join(tmpdir(), 'debbie-two-collectors-'));
    clickhouse = await startClickHouse();
    storeUrl = clickhouse.url('shared', TEST_USER);
  }, 120_000);

  afterAll(async () => {
    for (const c of collectors) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await clickhouse?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("keeps every acknowledged span when one collector is SIGKILLed mid-stream, and lists both collectors' sessions", async () => {
    const [a, b] = await Promise.all([startCollect(), startCollect()]);
    const [fromA, fromB] = await Promise.all([
      send(a.url, 'alpha', 40, (i) => {
        if (i === 20) setTimeout(() => a.child.kill('SIGKILL'), 2);
      }),
      send(b.url, 'beta', 40),
    ]);
    expect(a.child.signalCode ?? (await new Promise((r) => a.child.once('exit', (_c, s) => r(s))))).toBe('SIGKILL');
    expect(fromA.acked.length).toBeGreaterThanOrEqual(20 * 25); // the first 20 batches were answered before the kill
    expect(fromA.refused).toBeGreaterThanOrEqual(19); // everything after it was refused, not acknowledged
    expect(fromB.acked.length).toBe(40 * 25);

    const store = await openStore(storeUrl, { readOnly: true });
    try {
      const stored = new Set<string>();
      for await (const page of store.streamEvents({}, { batchSize: 5000 })) for (const e of page) if (e.span_id) stored.add(e.span_id);
      const lost = [...fromA.acked, ...fromB.acked].filter((id) => !stored.has(id));
      expect(lost).toEqual([]);
    } finally {
      await store.close();
    }

    const listed = spawnSync(process.execPath, [bin, 'sessions', '--store', storeUrl, '--format', 'json'], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, DEBBIE_STORE: '' },
    });
    expect(listed.status, listed.stderr).toBe(0);
    const ids = (JSON.parse(listed.stdout) as { session_id: string }[]).map((s) => s.session_id);
    for (const s of [...fromA.sessions, ...fromB.sessions]) expect(ids).toContain(s);
    // DEBBIE_STORE selects the same store without --store.
    const viaEnv = spawnSync(process.execPath, [bin, 'sessions', '--format', 'json'], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, DEBBIE_STORE: storeUrl },
    });
    expect(viaEnv.status, viaEnv.stderr).toBe(0);
    expect(JSON.parse(viaEnv.stdout)).toEqual(JSON.parse(listed.stdout));
  });
});
