import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createEvent, formatDebbieLine, type DebbieEvent, type DebbieEventInit } from '@debbie/model';
import { LogStreamer, startStreamServer, type StreamServer } from '@debbie/stream';

// `debbie tail` as the real binary (build first: pnpm exec tsc -b packages/cli) against a stream
// server started here on 127.0.0.1.

const BIN = fileURLToPath(new URL('../packages/cli/dist/bin.js', import.meta.url));

beforeAll(() => {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: build first (pnpm exec tsc -b packages/cli)`);
});

interface Tail {
  code: Promise<number>;
  stdout: () => string;
  stderr: () => string;
  kill: (signal: NodeJS.Signals) => void;
}
function tail(args: string[], env: Record<string, string> = {}): Tail {
  const child = spawn(process.execPath, [BIN, 'tail', ...args], { env: { ...process.env, NO_COLOR: '', FORCE_COLOR: '', DEBBIE_TOKEN: '', ...env } });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    out += d;
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    err += d;
  });
  const code = new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? 1)));
  cleanups.push(() => {
    child.kill('SIGKILL');
  });
  return {
    code,
    stdout: () => out,
    stderr: () => err,
    kill: (signal) => {
      child.kill(signal);
    },
  };
}

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function serve(token?: string): Promise<{ streamer: LogStreamer; server: StreamServer }> {
  const streamer = new LogStreamer();
  const server = await startStreamServer({ streamer, port: 0, ...(token ? { token } : {}) });
  cleanups.push(() => server.close());
  return { streamer, server };
}

async function connected(server: StreamServer, count = 1): Promise<void> {
  while (server.stats().clients.length < count) await new Promise((r) => setTimeout(r, 10));
}

let n = 0;
const ev = (init: Partial<DebbieEventInit>): DebbieEvent =>
  createEvent({
    source: 'agent',
    event_summary: `event ${++n}`,
    session_id: 'sess-1',
    timestamp: `2025-05-29T10:15:${String(n % 60).padStart(2, '0')}.123456Z`,
    ...init,
  });

describe('debbie tail (built CLI)', () => {
  it('--source tool prints only tool events as seed lines: the buffered ones, then live ones', async () => {
    const { streamer, server } = await serve();
    const before = [
      ev({ source: 'tool', component: 'list_rfcs', event_summary: 'Tool list_rfcs started' }),
      ev({ source: 'agent', event_summary: 'Agent p thinking' }),
      ev({ source: 'ai_service', event_summary: 'chat openrouter' }),
    ];
    before.forEach((e) => streamer.write(e));
    const run = tail(['--url', server.url, '--source', 'tool', '--count', '3']);
    await connected(server);
    const live = [
      ev({ source: 'session', event_summary: 'CONTINUATION DECISION: False' }),
      ev({ source: 'tool', component: 'read_file', level: 'ERROR', event_summary: 'Tool read_file failed', details: { path: 'a.md' } }),
      ev({ source: 'agent', event_summary: 'Agent p silent' }),
      ev({ source: 'tool', component: 'list_rfcs', event_summary: 'Tool list_rfcs done', duration_ms: 12.5 }),
    ];
    live.forEach((e) => streamer.write(e));
    expect(await run.code).toBe(0);
    const expected = [...before, ...live].filter((e) => e.source === 'tool').map(formatDebbieLine);
    expect(run.stdout().trimEnd().split('\n')).toEqual(expected);
    expect(run.stdout()).not.toContain('\x1b['); // not a TTY, no FORCE_COLOR: plain
  });

  it('--no-replay, --session and --grep narrow what is printed; FORCE_COLOR colors it', async () => {
    const { streamer, server } = await serve();
    streamer.write(ev({ source: 'tool', event_summary: 'old tool call' }));
    const run = tail(['--url', server.url, '--no-replay', '--session', 'sess-2', '--grep', 'read_(file|dir)', '--count', '2'], { FORCE_COLOR: '1' });
    await connected(server);
    streamer.write(ev({ source: 'tool', session_id: 'sess-1', event_summary: 'read_file other session' }));
    streamer.write(ev({ source: 'tool', session_id: 'sess-2', event_summary: 'list_rfcs' }));
    const a = ev({ source: 'tool', session_id: 'sess-2', event_summary: 'read_file a.md' });
    const b = ev({ source: 'agent', session_id: 'sess-2', level: 'WARNING', event_summary: 'read_dir docs' });
    streamer.write(a);
    streamer.write(b);
    expect(await run.code).toBe(0);
    const lines = run.stdout().trimEnd().split('\n');
    expect(lines[1]).toContain('\x1b[33m[WARNING]');
    expect(lines.map((l) => l.replace(/\x1b\[[\d;]*m/g, ''))).toEqual([formatDebbieLine(a), formatDebbieLine(b)]);
  });

  it('--session takes a prefix of the id (a live session is stored nowhere yet) and says when it fits several', async () => {
    const { streamer, server } = await serve();
    const run = tail(['--url', server.url, '--no-replay', '--session', '94988082', '--count', '3']);
    await connected(server);
    const a = ev({ source: 'tool', session_id: '94988082-aaaa', event_summary: 'first session' });
    const other = ev({ source: 'tool', session_id: '11112222-bbbb', event_summary: 'not this one' });
    const b = ev({ source: 'tool', session_id: '94988082-aaaa', event_summary: 'first session again' });
    const c = ev({ source: 'tool', session_id: '94988082-cccc', event_summary: 'a second session with the same start' });
    for (const e of [a, other, b, c]) streamer.write(e);
    expect(await run.code).toBe(0);
    expect(run.stdout().trimEnd().split('\n')).toEqual([a, b, c].map(formatDebbieLine));
    expect(run.stderr()).toContain('"94988082" is the start of several sessions (94988082-aaaa, 94988082-cccc)');
    const short = tail(['--url', server.url, '--session', '9498']);
    expect(await short.code).toBe(2);
    expect(short.stderr()).toContain('at least 6 characters');
  });

  it('NO_COLOR wins over FORCE_COLOR; --format jsonl prints JSON lines until SIGINT', async () => {
    const { streamer, server } = await serve();
    const e = ev({ source: 'tool', level: 'ERROR' });
    streamer.write(e);
    const plain = tail(['--url', server.url, '--count', '1'], { FORCE_COLOR: '1', NO_COLOR: '1' });
    expect(await plain.code).toBe(0);
    expect(plain.stdout()).toBe(`${formatDebbieLine(e)}\n`);
    // Without --count it follows until interrupted: SIGINT ends it cleanly with exit 0.
    const json = tail(['--url', server.url, '--format', 'jsonl']);
    while (!json.stdout().endsWith('\n')) await new Promise((r) => setTimeout(r, 20));
    json.kill('SIGINT');
    expect(await json.code).toBe(0);
    expect(JSON.parse(json.stdout())).toEqual(JSON.parse(JSON.stringify(e)));
    expect(json.stderr()).toBe('');
  });

  it('says so on stderr and exits 0 when the collector stops the stream', async () => {
    const { streamer, server } = await serve();
    const e = ev({ source: 'tool' });
    streamer.write(e);
    const run = tail(['--url', server.url]);
    while (!run.stdout().endsWith('\n')) await new Promise((r) => setTimeout(r, 20));
    await server.close();
    expect(await run.code).toBe(0);
    expect(run.stdout()).toBe(`${formatDebbieLine(e)}\n`);
    expect(run.stderr()).toBe(`debbie tail: the stream at ${server.url} ended (the collector stopped)\n`);
  });

  it('connection refused names the URL and suggests debbie collect', async () => {
    const { server } = await serve();
    const url = server.url;
    await server.close();
    const run = tail(['--url', url]);
    expect(await run.code).toBe(1);
    expect(run.stderr()).toBe(
      `debbie tail: cannot connect to ${url}: connection refused. Is a collector running there? Start one with \`debbie collect\` (or pass --url).\n`,
    );
  });

  it('a token-protected stream: refused with a wrong --token, served with DEBBIE_TOKEN', async () => {
    const { streamer, server } = await serve('tail-secret');
    const e = ev({ source: 'tool' });
    streamer.write(e);
    const denied = tail(['--url', server.url, '--token', 'wrong-secret']);
    expect(await denied.code).toBe(1);
    expect(denied.stderr()).toMatch(/refused the connection \(401 Unauthorized\): pass the collector's token with --token or DEBBIE_TOKEN/);
    const env = tail(['--url', server.url, '--count', '1'], { DEBBIE_TOKEN: 'tail-secret' });
    expect(await env.code).toBe(0);
    expect(env.stdout()).toBe(`${formatDebbieLine(e)}\n`);
  });

  it('an invalid --grep fails clearly before connecting', async () => {
    const grep = tail(['--grep', '([a-']);
    expect(await grep.code).toBe(2); // a usage error (docs/cli.md)
    expect(grep.stderr()).toMatch(/^debbie tail: --grep: "\(\[a-" is not a valid regular expression/);
  });
});
