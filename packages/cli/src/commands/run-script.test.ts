import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { openStore } from '@debbie/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handSession, HAND_SESSION_ID } from '../../../python/src/handSession.fixture.js';
import { main } from '../main.js';
import { parseParams } from './run-script.js';

/** Runs `debbie ARGS` in `cwd`; returns the exit code and what it printed. */
async function debbie(args: string[], cwd: string) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (c: Buffer) => out.push(c));
  stderr.on('data', (c: Buffer) => err.push(c));
  const code = await main(args, { stdout, stderr, env: {}, cwd });
  return { code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() };
}

describe('debbie scripts / debbie run-script', () => {
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'debbie-run-script-'));
    const store = await openStore(join(dir, 'store.duckdb'));
    for (const e of handSession()) store.write(e);
    await store.close();
    writeFileSync(
      join(dir, 'count.py'),
      "tools = sum(1 for l in logs if l.source == LogSource.TOOL and l.duration_ms)\nprint(f'{tools} tool calls in {session.session_id}, limit {params.limit}')\n",
    );
    writeFileSync(join(dir, 'broken.py'), 'x = 1\nraise ValueError("no good")\n');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('lists the ten library scripts with their parameters', async () => {
    const r = await debbie(['scripts'], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^analyze_performance\s+time spent per tool/m);
    expect(r.stdout).toContain('--param slow_ms=… (default 1000)');
    const json = JSON.parse((await debbie(['scripts', '--format', 'json'], dir)).stdout) as { name: string }[];
    expect(json).toHaveLength(10);
  });

  it('runs a library script over a stored session and returns its numbers as JSON', async () => {
    const r = await debbie(['run-script', '--library', 'token_usage_report', '--session', HAND_SESSION_ID, '--store', 'store.duckdb', '--format', 'json'], dir);
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result.error).toBeNull();
    expect(result.events_loaded).toBe(25);
    expect(result.variables.result.totals).toEqual({ calls: 3, input_tokens: 4500, output_tokens: 600, total_tokens: 5100, avg_tokens_per_call: 1700 });
  });

  it('runs a script file with parameters and prints what it prints', async () => {
    const r = await debbie(['run-script', 'count.py', '--session', HAND_SESSION_ID, '--store', 'store.duckdb', '--param', 'limit=5'], dir);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('4 tool calls in s-hand, limit 5\n');
    expect(r.code).toBe(0);
  });

  it('imports the pure standard library with no debbie.yaml (one DEFAULT_ALLOWED_IMPORTS)', async () => {
    writeFileSync(
      join(dir, 'stdlib.py'),
      'import math, statistics, itertools, functools, collections, re, json, datetime, typing, dataclasses, textwrap, difflib\nprint(math.floor(statistics.mean([1, 2, 4])))\n',
    );
    const r = await debbie(['run-script', 'stdlib.py', '--session', HAND_SESSION_ID, '--store', 'store.duckdb'], dir);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('2\n');
    expect(r.code).toBe(0);
  });

  it('exits 1 with the error and traceback when the script fails', async () => {
    const r = await debbie(['run-script', 'broken.py', '--session', HAND_SESSION_ID, '--store', 'store.duckdb'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('debbie run-script: the script failed: ValueError: no good');
    expect(r.stderr).toContain('File "script.py", line 2, in <module>');
  });

  it('says what is wrong with the arguments', async () => {
    // Exit 2 for a usage error, 1 for a failure (docs/cli.md).
    const cases: [string[], RegExp, number][] = [
      [['run-script', '--session', HAND_SESSION_ID, '--store', 'store.duckdb'], /give a script FILE or --library NAME/, 2],
      [['run-script', 'count.py', '--library', 'find_errors', '--session', 'x'], /either a script FILE or --library NAME, not both/, 2],
      [['run-script', '--library', 'find_errors'], /give --session ID/, 2],
      [['run-script', '--library', 'nope', '--session', HAND_SESSION_ID, '--store', 'store.duckdb'], /--library: no library script named "nope"/, 2],
      [['run-script', 'missing.py', '--session', HAND_SESSION_ID, '--store', 'store.duckdb'], /missing.py: no script file at/, 1],
      [['run-script', '--library', 'find_errors', '--session', 'other', '--store', 'store.duckdb'], /--session: no session "other"/, 1],
      [['run-script', '--library', 'find_errors', '--session', 'x', '--timeout', '0'], /--timeout: "0" is not a positive number of seconds/, 2],
    ];
    for (const [args, message, code] of cases) {
      const r = await debbie(args, dir);
      expect(r.code, args.join(' ')).toBe(code);
      expect(r.stderr).toMatch(message);
    }
  });

  it('parses --param values as JSON where they are JSON', () => {
    expect(parseParams(['a=5', 'b=true', 'c=hello', 'd=[1,2]', 'e=x=y'])).toEqual({ a: 5, b: true, c: 'hello', d: [1, 2], e: 'x=y' });
    expect(() => parseParams(['novalue'])).toThrow(/--param: "novalue" is not KEY=VALUE/);
  });
});
