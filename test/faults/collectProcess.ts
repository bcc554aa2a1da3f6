import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// The real `debbie collect` as a child process on loopback (built CLI: pnpm build first), for the
// fault-suite parts owned by security (secrets, stream origins).

export const BIN = fileURLToPath(new URL('../../packages/cli/dist/bin.js', import.meta.url));

export interface Collector {
  child: ChildProcess;
  dir: string;
  store: string;
  api: string;
  stream: string;
  stderr: () => string;
  stop: () => Promise<number>;
}

export async function startCollect(extra: string[] = [], env: Record<string, string> = {}): Promise<Collector> {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: build first (pnpm build)`);
  const dir = mkdtempSync(join(tmpdir(), 'debbie-fault-'));
  const store = join(dir, 'store.duckdb');
  const child = spawn(process.execPath, [BIN, 'collect', '--otlp-port', '0', '--stream-port', '0', '--store', store, ...extra], {
    cwd: dir,
    env: { ...process.env, DEBBIE_TOKEN: '', NO_COLOR: '1', ...env },
  });
  let err = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => {
    err += d;
  });
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    err += d;
  });
  const deadline = Date.now() + 20_000;
  while (!/live stream on (ws:\S+)/.test(err) || !/query API on (http:\S+)/.test(err)) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`debbie collect did not start:\n${err}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const api = (/query API on (http:\S+)\/api/.exec(err) as RegExpExecArray)[1] as string;
  const stream = (/live stream on (ws:\S+)/.exec(err) as RegExpExecArray)[1] as string;
  const exited = new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? 1)));
  return {
    child,
    dir,
    store,
    api,
    stream,
    stderr: () => err,
    async stop() {
      child.kill('SIGTERM');
      return exited;
    },
  };
}
