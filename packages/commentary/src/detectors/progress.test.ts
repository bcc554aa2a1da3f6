import { describe, expect, it } from 'vitest';
import { harness } from '../testing/fixtures.js';

// Issue 16: repetition without progress, stuck and runaway patterns, errors by cause, signal over noise.
describe('ProgressDetector', () => {
  it('finds near-duplicate retries with drifting arguments and the same error, naming the repeated spans', () => {
    const h = harness();
    const spans: string[] = [];
    for (let i = 0; i < 4; i++) {
      h.chat();
      const e = h.tool('str_replace_editor', { command: 'str_replace', path: '/w/match.c', old_str: `return pattern_type; // try ${i}` }, 20, {
        level: 'ERROR',
        event_summary: 'Tool failed',
        details: {
          tool_name: 'str_replace_editor',
          tool_arguments: JSON.stringify({ command: 'str_replace', path: '/w/match.c', old_str: `return pattern_type; // try ${i}` }),
          error: 'No replacement was performed. Multiple occurrences of old_str `return pattern_type;` in lines [317, 449]',
        },
      });
      spans.push(e.span_id!);
    }
    const rep = h.of('repetition');
    expect(rep.length).toBeGreaterThan(0);
    const last = rep.at(-1)!;
    expect(last.details.attempts).toBeGreaterThanOrEqual(3);
    expect(last.details.similarity).toBeGreaterThan(0.5);
    expect(String(last.details.retried)).toContain('str_replace_editor');
    expect(last.event_summary).toContain('the same error each time');
    // the repeated steps by span id, so the timeline can highlight them
    for (const id of last.details.repeated_span_ids as string[]) expect(spans).toContain(id);
    expect((last.details.repeated_span_ids as string[]).length).toBeGreaterThanOrEqual(3);
  });

  it('stays silent on a long healthy session that pages through a file (same tool, new results)', () => {
    const h = harness();
    for (let page = 0; page < 30; page++) {
      h.chat();
      h.tool('str_replace_editor', { command: 'view', path: '/w/big.c', view_range: [page * 50, page * 50 + 50] }, 20, {
        details: {
          tool_name: 'str_replace_editor',
          tool_arguments: JSON.stringify({ command: 'view', path: '/w/big.c', view_range: [page * 50, page * 50 + 50] }),
          observation: `lines ${page * 50}: ${['alpha', 'beta', 'gamma', 'delta', 'eps', 'zeta', 'eta', 'theta'][page % 8]} ${'x'.repeat(page)} function_${page}() { return ${page} * k_${page}; }`,
        },
      });
    }
    expect(h.comments.filter((c) => c.level !== 'INFO')).toEqual([]);
  });

  it('never claims "the same arguments" when the arguments are not recorded', () => {
    const h = harness();
    for (let i = 0; i < 8; i++) h.tool('run_tests', '');
    expect(h.of('tool_loop')).toEqual([]);
    expect(h.of('repetition')).toEqual([]);
  });

  it('sees one tool failing again and again with varied arguments', () => {
    const h = harness();
    const cmds = ['make', 'make clean && make', 'cmake -B .', 'ninja', 'make -j4'];
    for (const [i, command] of cmds.entries()) {
      h.chat();
      h.tool('execute_bash', { command }, 20, {
        level: 'ERROR',
        details: {
          tool_name: 'execute_bash',
          tool_arguments: JSON.stringify({ command }),
          error: `build failed in step ${i}: ${['missing llvm', 'cannot cd', 'no cache', 'ninja: not found', 'linker error'][i]}`,
        },
      });
    }
    const [f] = h.of('failing_tool', 'insight');
    expect(f?.details.tool_name).toBe('execute_bash');
    expect(f?.details.distinct_arguments).toBeGreaterThanOrEqual(2);
  });

  it('sees A-B-A-B alternation of two actions with unchanged results', () => {
    const h = harness();
    for (let i = 0; i < 4; i++) {
      h.tool('read_file', { path: 'a.txt' }, 20, { details: { tool_name: 'read_file', tool_arguments: '{"path":"a.txt"}', observation: 'contents of a' } });
      h.tool('write_file', { path: 'b.txt', text: 'x' }, 20, {
        details: { tool_name: 'write_file', tool_arguments: '{"path":"b.txt","text":"x"}', observation: 'ok' },
      });
    }
    const [alt] = h.of('alternation', 'insight');
    expect(alt?.event_summary).toMatch(/read_file and write_file|write_file and read_file/);
  });

  it('names the repeated steps when the run hits its iteration limit, and notes a run that ends without an answer', () => {
    const h = harness();
    for (let i = 0; i < 4; i++) {
      h.tool('edit', { file: 'x.py', text: `v${i}` }, 20, {
        level: 'ERROR',
        details: {
          tool_name: 'edit',
          tool_arguments: JSON.stringify({ file: 'x.py', text: `v${i}` }),
          error: 'Your proposed edit has introduced new syntax error(s)',
        },
      });
      h.chat();
    }
    h.emit({
      source: 'session',
      level: 'ERROR',
      component: 'openhands',
      action: 'session_end',
      event_summary: 'RuntimeError: Agent reached maximum iteration in headless mode. Current iteration: 50, max iteration: 50',
      details: { exit_status: 'max_iterations' },
    });
    const [limit] = h.of('step_limit', 'insight');
    expect(limit?.level).toBe('ERROR');
    expect(limit?.event_summary).toContain('Before it, the agent was stuck');
    expect((limit!.details.repeated_span_ids as string[]).length).toBeGreaterThan(0);

    const g = harness();
    g.tool('ls', { path: '.' });
    g.emit({ source: 'session', component: 'swe-agent', action: 'session_end', event_summary: 'Run finished', details: { exit_status: 'early_exit' } });
    expect(g.of('no_final_answer', 'insight')).toHaveLength(1);
    const ok = harness();
    ok.emit({ source: 'session', component: 'swe-agent', action: 'session_end', event_summary: 'Run finished', details: { exit_status: 'submitted' } });
    expect(ok.comments).toEqual([]);
  });

  it('warns when input tokens grow step after step toward the context window', () => {
    const h = harness();
    for (let i = 1; i <= 8; i++) h.chat(800, { model: 'openai/gpt-4o' }, { input_tokens: 20_000 * i, output_tokens: 50 });
    const [c] = h.of('context_growth', 'insight');
    expect(c?.details.context_window).toBe(128_000);
  });
});

describe('errors by cause', () => {
  const failedChat = (h: ReturnType<typeof harness>, status: number, message: string) =>
    h.emit(
      {
        source: 'ai_service',
        level: 'ERROR',
        component: 'openai',
        action: 'chat',
        event_summary: message,
        details: {
          model: 'gpt-4o',
          error: message,
          http_status: status,
          error_cause: status === 429 ? 'rate_limit' : status === 401 ? 'unauthorized' : 'server_error',
        },
      },
      300,
    );

  it('comments once per cause per session with advice that names the cause; a 500 is not a 429', () => {
    const h = harness();
    failedChat(h, 429, '429 Too Many Requests');
    h.wait(5000);
    failedChat(h, 429, '429 Too Many Requests');
    h.wait(5000);
    failedChat(h, 500, '500 Internal Server Error');
    h.wait(5000);
    failedChat(h, 401, '401 Incorrect API key provided');
    const calls = h.of('call_error', 'insight');
    expect(calls.map((c) => c.details.cause)).toEqual(['rate_limit', 'server_error', 'unauthorized']);
    expect((calls[0]!.details.recommendations as string[]).join(' ')).toMatch(/rate limit/i);
    expect(calls[0]!.event_summary).toContain('HTTP 429');
  });

  it('a burst of one cause still gets its burst comment, with the cause in it', () => {
    const h = harness();
    for (let i = 0; i < 4; i++) {
      failedChat(h, 429, `429 Rate limit reached for requests (req_${i})`);
      h.wait(1000);
    }
    const [burst] = h.of('error_burst', 'insight');
    expect(burst?.event_summary).toMatch(/rate limit \(HTTP 429\)/);
  });

  it('a recurring CRITICAL debug line in a working session is one INFO note, not a burst', () => {
    const h = harness();
    for (let i = 0; i < 10; i++) {
      h.emit({
        source: 'server',
        kind: 'log',
        level: 'CRITICAL',
        component: 'ai_loop',
        action: 'log',
        event_summary: `CRITICAL: Generated response: {"id": ${i}, "text": "..."}`,
      });
      h.chat();
      h.tool('read_file', { path: `f${i}` });
    }
    expect(h.of('error_burst')).toEqual([]);
    const notes = h.of('misused_level');
    expect(notes).toHaveLength(1);
    expect(notes[0]!.level).toBe('INFO');
  });

  it('keeps to the comment budget per session and counts what it left out', () => {
    const h = harness({ config: { thresholds: { max_comments_per_session: 2 } } });
    for (const status of [429, 500, 401]) failedChat(h, status, `${status} error`);
    expect(h.comments).toHaveLength(2);
    expect(h.processor.stats().overBudget).toBeGreaterThanOrEqual(1);
  });
});
