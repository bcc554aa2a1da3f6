import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEvent, type DebbieEvent, type EventSink } from '@debbie/model';
import { describe, expect, it } from 'vitest';
import { handSession } from './handSession.fixture.js';
import { PythonExecutor } from './PythonExecutor.js';

/** An in-memory sink, as the pipeline's would receive the python_exec events. */
function memorySink(): EventSink & { events: DebbieEvent[] } {
  const events: DebbieEvent[] = [];
  return {
    events,
    write: (e) => {
      events.push(e);
    },
    forceFlush: async () => {},
    shutdown: async () => {},
  };
}

describe('PythonExecutor', () => {
  const py = new PythonExecutor();

  it('exposes logs with attribute access, LogSource, session, state and params', async () => {
    const r = await py.execute(
      [
        'tool = [l for l in logs if l.source == LogSource.TOOL][0]',
        'facts = {',
        "  'count': len(logs), 'first_source': logs[0].source, 'tool_name': tool.details['tool_name'],",
        "  'tool_prop': tool.tool_name, 'duration': tool.duration_ms, 'year': tool.timestamp.year,",
        "  'micro': logs[3].timestamp.microsecond, 'tz': str(tool.timestamp.tzinfo), 'level_is_str': tool.level == 'INFO',",
        "  'tokens': logs[3].input_tokens, 'end_ms': (tool.end_time - tool.timestamp).total_seconds() * 1000,",
        "  'session_id': session.session_id, 'state_mode': state.mode, 'param': params.limit,",
        '}',
      ].join('\n'),
      { logs: handSession(), session: { session_id: 's-hand' }, state: { mode: 'plan' }, params: { limit: 3 } },
    );
    expect(r.error).toBeNull();
    expect(r.variables.facts).toEqual({
      count: 25,
      first_source: 'websocket',
      tool_name: 'list_rfcs',
      tool_prop: 'list_rfcs',
      duration: 100,
      year: 2025,
      micro: 20_000,
      tz: 'UTC',
      level_is_str: true,
      tokens: 1000,
      end_ms: 100,
      session_id: 's-hand',
      state_mode: 'plan',
      param: 3,
    });
    expect(r.variables).not.toHaveProperty('logs');
    expect(r.events_loaded).toBe(25);
  });

  it('gives a pandas DataFrame as df, with UTC timestamps and flattened columns', async () => {
    const r = await py.execute(
      [
        'shape = list(df.shape)',
        "tz = str(df['timestamp'].dt.tz)",
        "tool_ms = df[df['source'] == 'tool'].groupby('tool_name')['duration_ms'].sum().to_dict()",
        "tokens = int(df['input_tokens'].sum())",
      ].join('\n'),
      { logs: handSession() },
    );
    expect(r.error).toBeNull();
    expect(r.variables.shape).toEqual([25, 30]); // 24 DebbieEvent fields + 6 flattened
    expect(r.variables.tz).toBe('UTC');
    expect(r.variables.tool_ms).toEqual({ list_rfcs: 360, read_rfc: 2500 });
    expect(r.variables.tokens).toBe(4500);
  });

  it('without pandas (usePandas: false), df is None and importing pandas names the policy', async () => {
    const r = await new PythonExecutor({ usePandas: false }).execute('df_is_none = df is None\nhave = HAVE_PANDAS\nimport pandas', { logs: handSession() });
    expect(r.variables).toEqual({ df_is_none: true, have: false });
    expect(r.error).toBe("ImportPolicyError: pandas is disabled for this run (Debbie's Python import policy, usePandas: false)");
  });

  it('snapshots top-level variables as JSON-safe values and leaves out code', async () => {
    const r = await py.execute(
      [
        'import datetime, math, json',
        'import pandas as pd',
        'when = datetime.datetime(2025, 5, 29, 10, 0, tzinfo=datetime.timezone.utc)',
        'gap = datetime.timedelta(seconds=90)',
        "tags = {'b', 'a'}",
        'pair = (1, 2.5)',
        "nan = float('nan')",
        "frame = pd.DataFrame({'x': [1, 2], 'y': ['a', 'b']})",
        'series = frame["x"] * 2',
        'entry = logs[0]',
        'def helper():\n    return 1',
        'class Thing:\n    pass',
        'obj = Thing()',
        '_private = 1',
      ].join('\n'),
      { logs: handSession().slice(0, 1) },
    );
    expect(r.error).toBeNull();
    const v = r.variables;
    expect(v.when).toBe('2025-05-29T10:00:00+00:00');
    expect(v.gap).toBe(90);
    expect(v.tags).toEqual(['a', 'b']);
    expect(v.pair).toEqual([1, 2.5]);
    expect(v.nan).toBeNull();
    expect(v.frame).toEqual({
      __type__: 'DataFrame',
      shape: [2, 2],
      columns: ['x', 'y'],
      records: [
        { index: 0, x: 1, y: 'a' },
        { index: 1, x: 2, y: 'b' },
      ],
    });
    expect(v.series).toMatchObject({ __type__: 'Series', name: 'x', length: 2, data: { 0: 2, 1: 4 } });
    expect((v.entry as Record<string, unknown>).event_id).toBe('ws1');
    expect(String(v.obj)).toMatch(/^<__main__\.Thing object/);
    expect(Object.keys(v).sort()).toEqual(['entry', 'frame', 'gap', 'nan', 'obj', 'pair', 'series', 'tags', 'when']);
  });

  it('caps the variables snapshot: an oversized variable becomes a preview, the rest past the cap are named', async () => {
    const small = new PythonExecutor({ maxVariableBytes: 1000, maxVariablesBytes: 3000 });
    const r = await small.execute("big = 'x' * 5000\na = 'y' * 900\nb = 'z' * 900\nc = 'w' * 900\nd = 'v' * 900");
    expect(r.variables.big).toMatchObject({ __truncated__: true, type: 'str', bytes: 5002 });
    expect(Object.keys(r.variables)).toEqual(['big', 'a', 'b']);
    expect(r.variables_omitted).toEqual(['c', 'd']);
  });

  it('caps stdout and counts what it dropped', async () => {
    const small = new PythonExecutor({ maxOutputBytes: 1000 });
    const r = await small.execute("for i in range(100):\n    print('x' * 99)");
    expect(r.output.length).toBe(1000);
    expect(r.output_truncated).toBe(true);
    expect(r.output_bytes).toBe(10_000);
    expect(r.error).toBeNull();
  });

  it('reports an exception with a traceback that starts in the script', async () => {
    const r = await py.execute('def f(x):\n    return 1 / x\n\nvalue = 7\nf(0)');
    expect(r.error).toBe('ZeroDivisionError: division by zero');
    expect(r.error_type).toBe('ZeroDivisionError');
    expect(r.traceback).toMatch(/^Traceback \(most recent call last\):\n {2}File "script.py", line 5, in <module>\n/);
    expect(r.traceback).toContain('File "script.py", line 2, in f');
    expect(r.traceback).not.toContain('debbie_prelude');
    expect(r.variables.value).toBe(7);
  });

  it('reports a syntax error with its line', async () => {
    const r = await py.execute('x = 1\nif x\n    pass');
    expect(r.error_type).toBe('SyntaxError');
    expect(r.traceback).toContain('File "script.py", line 2');
  });

  it('treats exit() as the end of the script and a non-zero code as an error', async () => {
    expect((await py.execute("print('a')\nexit()\nprint('b')")).output).toBe('a\n');
    expect((await py.execute('exit(3)')).error).toBe('SystemExit: 3');
  });

  it('reports the exit code the script would have had on its own (issue 17: a failed script said 0)', async () => {
    expect((await py.execute('x = 1')).exit_code).toBe(0);
    expect((await py.execute('1/0')).exit_code).toBe(1);
    expect((await py.execute('exit(3)')).exit_code).toBe(3);
  });

  it('records each run as a python_exec event with the sha256, duration, output size and error', async () => {
    const sink = memorySink();
    const withSink = new PythonExecutor({ sink });
    const script = "print('hello')";
    await withSink.execute(script, { sessionId: 's-1', scriptName: 'greeting' });
    await withSink.execute('1/0');
    expect(sink.events).toHaveLength(2);
    const [ok, failed] = sink.events as [DebbieEvent, DebbieEvent];
    expect(ok).toMatchObject({
      // in a session of its own, linked to the analysed one (a run never stretches the session it analyses)
      source: 'python_exec',
      level: 'INFO',
      action: 'script_executed',
      session_id: 'python_exec-s-1',
      kind: 'span',
      event_summary: 'Executed 1 line Python script greeting',
    });
    expect(ok.details).toMatchObject({
      script_sha256: createHash('sha256').update(script).digest('hex'),
      output_size: 6,
      error: null,
      script_name: 'greeting',
      analysed_session_id: 's-1',
    });
    expect(ok.duration_ms).toBeGreaterThan(0);
    expect(failed.level).toBe('ERROR');
    expect(failed.details.error).toBe('ZeroDivisionError: division by zero');
  });

  it('reads logs page by page from an async source and drops (and counts) past maxLogEvents', async () => {
    async function* pages() {
      for (let p = 0; p < 5; p++) {
        yield Array.from({ length: 100 }, (_, i) => createEvent({ source: 'tool', event_summary: `e${p * 100 + i}`, duration_ms: 1 }));
      }
    }
    const capped = new PythonExecutor({ maxLogEvents: 250 });
    const r = await capped.execute('n = len(logs)\ndropped = EVENTS_DROPPED', { logs: pages() });
    expect(r.variables).toEqual({ n: 250, dropped: 250 });
    expect(r.events_dropped).toBe(250);
  });

  it('skips an event that cannot be serialized, alone, and counts it', async () => {
    const events: DebbieEvent[] = handSession().slice(0, 3);
    events[1] = { ...events[1]!, details: { big: 10n } as unknown as Record<string, unknown> };
    const r = await py.execute('ids = [l.event_id for l in logs]', { logs: events });
    expect(r.variables.ids).toEqual(['ws1', 'ag1']);
    expect(r.events_invalid).toBe(1);
  });

  it('rejects bad options with a clear error', () => {
    expect(() => new PythonExecutor({ timeoutMs: 0 })).toThrow(/PythonExecutor: timeoutMs must be a positive number, not 0/);
    expect(() => new PythonExecutor({ allowedImports: ['os.path'] })).toThrow(/allowedImports: "os.path" is not a top-level module name/);
    expect(() => new PythonExecutor({ isolation: 'docker' as 'none' })).toThrow(/isolation must be 'bubblewrap' or 'none'/);
  });

  it('refuses an interpreter the sandbox cannot see, and one that does not exist', async () => {
    await expect(new PythonExecutor({ pythonPath: '/nonexistent/python3' }).execute('pass')).rejects.toThrow(/no executable Python at \/nonexistent\/python3/);
    const dir = mkdtempSync(join(tmpdir(), 'debbie-py-interp-'));
    try {
      const outside = join(dir, 'python3');
      copyFileSync('/usr/bin/python3', outside);
      chmodSync(outside, 0o755);
      await expect(new PythonExecutor({ pythonPath: outside }).execute('pass')).rejects.toThrow(/which the sandbox cannot see \(only \/usr is mounted\)/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
