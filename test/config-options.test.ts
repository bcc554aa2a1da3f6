import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import WebSocket from 'ws';
import { describe, expect, it } from 'vitest';
import type { DebbieEvent } from '@debbie/model';

// Each debbie.yaml option, proved where a command honors it: the built CLI, a config file, and
// what comes out (store contents, console lines, files, a live stream, the sandbox's answers).
const bin = fileURLToPath(new URL('../packages/cli/dist/bin.js', import.meta.url));
const exec = promisify(execFile);

function workdir(yaml: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'debbie-config-'));
  writeFileSync(join(dir, 'debbie.yaml'), yaml);
  return dir;
}

async function demo(dir: string, ...extra: string[]) {
  return exec(process.execPath, [bin, 'demo', '--scenario', 'continuation-stall', '--store', 's.duckdb', '--config', 'debbie.yaml', ...extra], {
    cwd: dir,
    maxBuffer: 32 << 20,
  });
}

async function comments(dir: string): Promise<DebbieEvent[]> {
  const sessions = JSON.parse((await exec(process.execPath, [bin, 'sessions', '--store', 's.duckdb', '--format', 'json'], { cwd: dir })).stdout);
  const { stdout } = await exec(
    process.execPath,
    [bin, 'events', '--session', sessions[0].session_id, '--source', 'debbie_comment,debbie', '--store', 's.duckdb', '--format', 'json'],
    { cwd: dir, maxBuffer: 32 << 20 },
  );
  return JSON.parse(stdout);
}

describe('debbie.yaml options, honored by debbie demo', () => {
  it('aggregation.buffer_size bounds the events one run holds, and counts the rest', async () => {
    const dir = workdir('debbie_config:\n  aggregation: {buffer_size: 60}\n');
    const [summary] = JSON.parse((await demo(dir, '--format', 'json', '--interventions', 'off')).stdout);
    expect(summary.events).toBe(60);
    expect(summary.dropped_events).toBeGreaterThan(0);
  });

  it('aggregation.correlation_timeout forgets sessions idle longer than it', async () => {
    const short = workdir('debbie_config:\n  aggregation: {correlation_timeout: 10}\n');
    const long = workdir('debbie_config:\n  aggregation: {correlation_timeout: 300}\n');
    const [[a], [b]] = (
      await Promise.all([demo(short, '--format', 'json', '--interventions', 'off'), demo(long, '--format', 'json', '--interventions', 'off')])
    ).map((r) => JSON.parse(r.stdout));
    expect(a.commentary_stats.evictedIdle).toBeGreaterThan(0); // the 46 s silence outlasts 10 s
    expect(b.commentary_stats.evictedIdle).toBe(0);
  });

  it('commentary.enabled: false runs no commentary', async () => {
    const dir = workdir('debbie_config:\n  commentary: {enabled: false}\n');
    const { stdout } = await demo(dir);
    expect(stdout).toContain('Debbie says: nothing worth a comment.');
    expect(await comments(dir)).toEqual([]);
  });

  it('commentary.pattern_detection: false detects nothing', async () => {
    const dir = workdir('debbie_config:\n  commentary: {pattern_detection: false}\n');
    await demo(dir, '--interventions', 'off');
    expect(await comments(dir)).toEqual([]);
  });

  it('commentary.insight_level: brief drops the explanation that detailed gives; thresholds are honored', async () => {
    const brief = workdir('debbie_config:\n  commentary: {insight_level: brief, thresholds: {stall_seconds: 40}}\n');
    const detailed = workdir('debbie_config:\n  commentary: {insight_level: detailed, thresholds: {stall_seconds: 40}}\n');
    await Promise.all([demo(brief, '--interventions', 'off'), demo(detailed, '--interventions', 'off')]);
    const stallOf = async (dir: string) => (await comments(dir)).find((c) => c.details.pattern === 'continuation_stall' && c.details.status === 'open')!;
    const [b, d] = await Promise.all([stallOf(brief), stallOf(detailed)]);
    expect(b.event_summary).toContain('Duration: 40.0s');
    expect(b.details.explanation).toBeUndefined();
    expect(d.details.explanation).toEqual(expect.any(String));
    expect(d.event_summary.length).toBeGreaterThan(b.event_summary.length);
  });

  it('commentary.interventions: dry_run recommends instead of injecting', async () => {
    const dir = workdir('debbie_config:\n  commentary: {interventions: {enabled: true, dry_run: true}}\n');
    await demo(dir);
    const events = await comments(dir);
    expect(events.some((e) => e.source === 'debbie' && /dry.run|would/i.test(e.event_summary + JSON.stringify(e.details)))).toBe(true);
    expect(events.some((e) => /Intervention successful/.test(e.event_summary))).toBe(false);
  });

  it('formatters, handlers (console level and stream, rotating file maxBytes/backupCount) and loggers (levels, propagate)', async () => {
    const dir = workdir(
      [
        'logging:',
        '  version: 1',
        '  formatters:',
        "    short: {format: '%(levelname)s|%(name)s|%(source)s|%(message)s'}",
        '  handlers:',
        '    warn_err: {class: logging.StreamHandler, level: WARNING, formatter: short, stream: ext://sys.stderr}',
        '    file: {class: logging.handlers.RotatingFileHandler, level: DEBUG, formatter: short, filename: logs/d.log, maxBytes: 4000, backupCount: 2}',
        '  loggers:',
        '    debbie: {level: DEBUG, handlers: [file]}',
        '    debbie.commentary: {level: INFO, handlers: [warn_err]}',
        '    debbie.tool: {level: ERROR, handlers: [], propagate: false}',
        '  debbie_config:',
        '    commentary: {interventions: {enabled: false}}',
      ].join('\n'),
    );
    const { stderr } = await demo(dir);
    const errLines = stderr.split('\n').filter(Boolean);
    expect(errLines.length).toBeGreaterThan(0);
    for (const line of errLines) expect(line).toMatch(/^(WARNING|ERROR|CRITICAL)\|debbie\.commentary\|debbie_comment\|/);
    const files = readdirSync(join(dir, 'logs')).sort();
    expect(files).toEqual(['d.log', 'd.log.1', 'd.log.2']);
    for (const f of files) expect(statSync(join(dir, 'logs', f)).size).toBeLessThanOrEqual(4000);
    const text = files.map((f) => readFileSync(join(dir, 'logs', f), 'utf8')).join('');
    expect(text).toMatch(/^DEBUG\|debbie\.websocket\|websocket\|/m); // DEBUG reaches the file
    expect(text).not.toMatch(/\|debbie\.tool\|/); // debbie.tool: ERROR only, not propagated
  });

  it('a realtime handler streams the demo on its stream_port with its buffer_size', async () => {
    const port = 20000 + Math.floor(Math.random() * 20000);
    const dir = workdir(
      `handlers:\n  rt: {class: realtime, level: INFO, buffer_size: 5, stream_port: ${port}}\nloggers:\n  debbie: {level: DEBUG, handlers: [rt]}\n`,
    );
    const received: DebbieEvent[] = [];
    const running = demo(dir, '--scenario', 'all');
    // Connect while the demo runs (it keeps going for a few seconds over every scenario).
    let ws: WebSocket | undefined;
    for (let attempt = 0; attempt < 200 && !ws; attempt++) {
      await new Promise((r) => setTimeout(r, 50));
      ws = await new Promise<WebSocket | undefined>((resolve) => {
        const socket = new WebSocket(`ws://127.0.0.1:${port}/`);
        socket.once('open', () => resolve(socket));
        socket.once('error', () => resolve(undefined));
      });
    }
    expect(ws, 'the realtime stream server listened on stream_port').toBeDefined();
    ws!.on('message', (data) => {
      const msg = JSON.parse(data.toString());
      if (msg.timestamp) received.push(msg);
    });
    await running;
    ws!.close();
    expect(received.length).toBeGreaterThan(0);
    expect(received.every((e) => e.level !== 'DEBUG')).toBe(true); // the handler's level
  }, 120_000);
});

describe('debbie.yaml, honored by debbie collect', () => {
  it('file and realtime handlers (stream_port, level) see what the collector receives', async () => {
    const streamPort = 20000 + Math.floor(Math.random() * 20000);
    const dir = workdir(
      [
        'handlers:',
        '  file: {class: rotating_file, level: INFO, filename: logs/collected.log, maxBytes: 1000000, backupCount: 1}',
        `  rt: {class: realtime, level: WARNING, buffer_size: 100, stream_port: ${streamPort}}`,
        'loggers:',
        '  debbie: {level: DEBUG, handlers: [file, rt]}',
      ].join('\n'),
    );
    const child = spawn(process.execPath, [bin, 'collect', '--otlp-port', '0', '--store', 'c.duckdb', '--config', 'debbie.yaml'], { cwd: dir });
    let out = '';
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /OTLP\/HTTP on (http:\/\/[^/\s]+)\/v1\/traces/.exec(out);
        if (m && out.includes('debbie collect: commentary')) resolve(m[1]!); // the last start-up line
      });
      child.once('exit', (code) => reject(new Error(`collect exited ${code}: ${out}`)));
    });
    expect(out).toContain(`ws://127.0.0.1:${streamPort}/`);
    const received: DebbieEvent[] = [];
    const ws = new WebSocket(`ws://127.0.0.1:${streamPort}/`);
    await new Promise((r) => ws.once('open', r));
    ws.on('message', (data) => {
      const msg = JSON.parse(data.toString());
      if (msg.timestamp) received.push(msg);
    });
    const script = fileURLToPath(new URL('../examples/python-otlp/send_session.py', import.meta.url));
    await exec('python3', [script, '--endpoint', url, '--session-id', 'cfg-collect', '--turns', '3']);
    await new Promise((r) => setTimeout(r, 500));
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    ws.close();
    const text = readFileSync(join(dir, 'logs', 'collected.log'), 'utf8');
    expect(text).toContain('execute_tool list_rfcs');
    expect(received.length).toBeGreaterThan(0); // the failing tool call (ERROR) and Debbie's comments
    expect(received.every((e) => ['WARNING', 'ERROR', 'CRITICAL'].includes(e.level))).toBe(true);
  }, 60_000);
});

describe('debbie.yaml python_execution, honored by debbie run-script', () => {
  async function sessionIn(dir: string): Promise<string> {
    const { stdout } = await exec(
      process.execPath,
      [bin, 'demo', '--scenario', 'healthy', '--store', 's.duckdb', '--format', 'json', '--interventions', 'off'],
      { cwd: dir },
    );
    return JSON.parse(stdout)[0].session_ids[0];
  }
  const runScript = (dir: string, session: string, script: string) => {
    writeFileSync(join(dir, 'probe.py'), script);
    return exec(process.execPath, [bin, 'run-script', 'probe.py', '--session', session, '--store', 's.duckdb', '--config', 'debbie.yaml'], { cwd: dir }).then(
      (r) => ({ code: 0, ...r }),
      (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
    );
  };

  it('enabled: false refuses; allowed_imports and timeout bound a script; each run is recorded as a python_exec event', async () => {
    const off = workdir('debbie_config:\n  python_execution: {enabled: false}\n');
    const offSession = await sessionIn(off);
    expect((await runScript(off, offSession, 'print(1)')).stderr).toMatch(/python_execution is disabled/);

    const dir = workdir('debbie_config:\n  python_execution: {timeout: 2, allowed_imports: [json]}\n');
    const session = await sessionIn(dir);
    const ok = await runScript(dir, session, 'import json\nprint(json.dumps(len(logs)))');
    expect(ok.code).toBe(0);
    expect(Number(ok.stdout.trim())).toBeGreaterThan(10);
    const blocked = await runScript(dir, session, 'import re');
    expect(blocked.code).toBe(1);
    expect(blocked.stderr).toMatch(/import of 're' is not allowed by Debbie's Python import policy \(allowed: json\)/);
    const slow = await runScript(dir, session, 'while True:\n    pass');
    expect(slow.code).toBe(1);
    expect(slow.stderr).toMatch(/timed out after 2/);
    const { stdout } = await exec(
      process.execPath,
      [bin, 'events', '--session', `python_exec-${session}`, '--source', 'python_exec', '--store', 's.duckdb', '--format', 'json'],
      { cwd: dir },
    );
    const runs: DebbieEvent[] = JSON.parse(stdout);
    expect(runs).toHaveLength(3);
    expect(runs.every((r) => typeof r.details.script_sha256 === 'string')).toBe(true);
  }, 120_000);
});

describe('debbie.yaml python_execution, honored by debbie mcp', () => {
  async function mcpWith(yaml: string) {
    const dir = workdir(yaml);
    const { stdout } = await exec(
      process.execPath,
      [bin, 'demo', '--scenario', 'healthy', '--store', 's.duckdb', '--format', 'json', '--interventions', 'off'],
      { cwd: dir },
    );
    const session = JSON.parse(stdout)[0].session_ids[0] as string;
    const client = new Client({ name: 'config-test', version: '1' });
    await client.connect(
      new StdioClientTransport({ command: process.execPath, args: [bin, 'mcp', '--store', 's.duckdb', '--config', 'debbie.yaml'], cwd: dir, stderr: 'pipe' }),
    );
    const run = async (script: string) => {
      const r = (await client.callTool({ name: 'run_python', arguments: { session_id: session, script } })) as {
        content: { text: string }[];
        isError?: boolean;
      };
      return { isError: !!r.isError, text: r.content.map((c) => c.text).join('') };
    };
    return { client, run };
  }

  it('enabled: false refuses to run scripts', async () => {
    const { client, run } = await mcpWith('debbie_config:\n  python_execution: {enabled: false}\n');
    const r = await run('print(1)');
    expect(r).toMatchObject({ isError: true });
    expect(r.text).toMatch(/python_execution is disabled/);
    await client.close();
  });

  it('allowed_imports, timeout and memory_limit bound what a script may do', async () => {
    const { client, run } = await mcpWith('debbie_config:\n  python_execution: {timeout: 2, memory_limit: 256MB, allowed_imports: [json]}\n');
    const ok = await run('import json\nprint(json.dumps({"n": len(logs)}))');
    expect(ok.isError, ok.text).toBe(false);
    const blocked = await run('import re');
    expect(blocked.isError).toBe(true);
    expect(blocked.text).toMatch(/ImportError|not allowed|allow/i);
    const slow = await run('while True:\n    pass');
    expect(slow.isError).toBe(true);
    expect(slow.text).toMatch(/timed out after 2/);
    const big = await run('x = bytearray(512 * 1024 * 1024)');
    expect(big.isError).toBe(true);
    expect(big.text).toMatch(/MemoryError|memory/i);
    await client.close();
  }, 120_000);
});
