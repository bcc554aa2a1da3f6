import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startCollector, type RunningCollector } from '@debbie/collector';
import { ConsoleRoutes, SessionBoard } from '@debbie/console';
import { createEvent } from '@debbie/model';
import { openStore } from '@debbie/store';
import { LogStreamer } from '@debbie/stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../packages/cli/dist/bin.js', import.meta.url));
const exec = promisify(execFile);

/** Starts `debbie ui …` and resolves with the address it prints. */
function startUi(args: string[], cwd: string): Promise<{ child: ChildProcessWithoutNullStreams; url: string }> {
  const child = spawn(process.execPath, [bin, 'ui', '--port', '0', ...args], { cwd });
  let out = '';
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /console on (http:\/\/\S+?)\/ /.exec(out);
      if (m) resolve({ child, url: m[1]! });
    });
    child.stderr.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.on('exit', (code) => reject(new Error(`debbie ui exited ${code}: ${out}`)));
  });
}

async function stop(child: ChildProcessWithoutNullStreams): Promise<number | null> {
  child.kill('SIGTERM');
  return new Promise((r) => child.on('exit', (code) => r(code)));
}

describe('debbie ui', () => {
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'debbie-ui-'));
    await exec(process.execPath, [bin, 'demo', '--scenario', 'healthy', '--store', join(dir, 'd.duckdb'), '--out-dir', dir], { cwd: dir });
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("--store: serves the console and the store's sessions, says it is not live, stops on SIGTERM", async () => {
    const { child, url } = await startUi(['--store', join(dir, 'd.duckdb')], dir);
    try {
      expect(await (await fetch(`${url}/`)).text()).toContain('/assets/main.js');
      const info = (await (await fetch(`${url}/console/api/info`)).json()) as { live: boolean };
      expect(info.live).toBe(false);
      // the first answer comes at once; models, tokens and comments fill in once the store is read
      let page: { total: number; indexing: boolean; sessions: { status: string; models: string[] }[] };
      for (;;) {
        page = (await (await fetch(`${url}/console/api/sessions?limit=5`)).json()) as typeof page;
        if (!page.indexing) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(page.total).toBe(1);
      expect(page.sessions[0]).toMatchObject({ status: 'finished', models: ['openai/gpt-4o-mini'] });
      // a bad filter is a clear 400, not a crash
      const bad = await fetch(`${url}/console/api/sessions?status=sleepy`);
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/unknown status "sleepy"/);
      // another site's page cannot read it through DNS rebinding
      const rebound = await new Promise<number>((resolve, reject) => {
        get(`${url}/console/api/info`, { headers: { host: 'evil.example' } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        }).on('error', reject);
      });
      expect(rebound).toBe(403);
    } finally {
      expect(await stop(child)).toBe(0);
    }
  });

  it('--url: forwards to a running collector with its token, live stream included', async () => {
    const token = 'a-token-of-sixteen-plus';
    const store = await openStore(join(dir, 'live.duckdb'));
    const streamer = new LogStreamer();
    const board = new SessionBoard();
    let collector: RunningCollector | undefined;
    const ui = new ConsoleRoutes({ reader: store, live: streamer, board, beforeRead: () => collector!.flush() });
    collector = await startCollector({ store, sinks: [streamer, board], port: 0, ui, token });
    const { child, url } = await startUi(['--url', collector.url, '--token', token], dir);
    try {
      // the browser talks to `debbie ui` on loopback without the token; ui adds it upstream
      expect((await fetch(`${collector.url}/console/api/info`)).status).toBe(401);
      const info = (await (await fetch(`${url}/console/api/info`)).json()) as { live: boolean };
      expect(info.live).toBe(true);
      const live = await fetch(`${url}/console/api/live?session=via-ui`);
      const reader = live.body!.pipeThrough(new TextDecoderStream()).getReader();
      await new Promise((r) => setTimeout(r, 200));
      collector.pipeline.write(createEvent({ source: 'agent', session_id: 'via-ui', event_summary: 'hello through the proxy' }));
      let text = '';
      while (!text.includes('hello through the proxy')) text += (await reader.read()).value ?? '';
      await reader.cancel();
      const page = (await (await fetch(`${url}/console/api/sessions`)).json()) as { sessions: { session_id: string }[] };
      expect(page.sessions.map((s) => s.session_id)).toContain('via-ui');
    } finally {
      expect(await stop(child)).toBe(0);
      await collector.close();
    }
  });

  it('refuses --store with --url with a clear error', async () => {
    const both = await exec(process.execPath, [bin, 'ui', '--store', 'x.duckdb', '--url', 'http://127.0.0.1:1'], { cwd: dir }).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect((both as { code: number }).code).not.toBe(0);
    expect((both as { stderr: string }).stderr).toMatch(/either --store or --url/);
  });
});
