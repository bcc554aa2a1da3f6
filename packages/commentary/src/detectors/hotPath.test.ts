import { describe, expect, it } from 'vitest';
import { harness } from '../testing/fixtures.js';
import { argumentsKnown } from '../steps.js';

// The allocation-free forms of state kept per event (rings instead of shifted arrays and counting
// maps, ids kept as fields) must say what the old forms said: same counts, same evidence, same order.
describe('detector state on the hot path', () => {
  it('reads blank-padded arguments without copying them: known only when they hold something', () => {
    expect(argumentsKnown(' {} ')).toBe(false);
    expect(argumentsKnown('\n null \n')).toBe(false);
    expect(argumentsKnown('   ')).toBe(false);
    expect(argumentsKnown(' "" ')).toBe(false);
    expect(argumentsKnown(' {"path": "/workspace/ponyc/src/libponyc/expr/match.c"} ')).toBe(true);
    expect(argumentsKnown('ls')).toBe(true);
  });

  it('counts a tool loop over the window only: repeats that left the window no longer count', () => {
    const h = harness();
    const args = { command: 'view', path: '/workspace/ponyc/src/libponyc/expr/match.c' };
    for (let i = 0; i < 3; i++) h.tool('str_replace_editor', args);
    for (let i = 0; i < 20; i++) h.tool('execute_bash', { command: `grep -n TK_ISO src/libponyc/expr/match.c | head -${i + 1}` });
    h.tool('str_replace_editor', args);
    expect(h.of('tool_loop')).toEqual([]);
    for (let i = 0; i < 3; i++) h.tool('str_replace_editor', args);
    const [loop] = h.of('tool_loop', 'insight');
    expect(loop?.details.repeats).toBe(4);
  });

  it('names the last eight growing calls before the comment, oldest first, when the context fills up', () => {
    const h = harness();
    const ids: string[] = [];
    for (let i = 1; i <= 12; i++) ids.push(h.chat(800, { model: 'openai/gpt-4o' }, { input_tokens: 12_000 * i, output_tokens: 50 }).event_id);
    const growth = h.of('context_growth');
    expect(growth.length).toBeGreaterThan(0);
    const last = growth.at(-1)!;
    const named = (last.details.evidence as { event_ids: string[] }).event_ids;
    expect(named).toHaveLength(8);
    // eight calls in a row, oldest first, up to the call the comment was made on
    const from = ids.indexOf(named[0]!);
    expect(named).toEqual(ids.slice(from, from + 8));
    expect(from).toBeGreaterThan(0);
  });

  it('keeps the failure count of a tool as its ring turns: failing again and again, then working again', () => {
    const h = harness();
    // varied commands, varied errors: guessing, not one error repeated (that would be a repetition)
    const tries: [string, string][] = [
      ['make', 'make: *** No rule to make target `build`.  Stop.'],
      ['make clean && make', 'cc: error: libponyrt.a: No such file or directory'],
      ['cmake -B build .', 'CMake Error: The source directory does not appear to contain CMakeLists.txt'],
      ['ninja -C build', 'ninja: error: loading build.ninja: No such file or directory'],
      ['make -j4 test', 'collect2: error: ld returned 1 exit status'],
    ];
    for (const [command, error] of tries) {
      h.chat();
      h.tool('execute_bash', { command }, 20, { level: 'ERROR', details: { tool_name: 'execute_bash', tool_arguments: JSON.stringify({ command }), error } });
      h.wait(30_000);
    }
    const [open] = h.of('failing_tool', 'insight');
    expect(open?.details).toMatchObject({ tool_name: 'execute_bash', failures: 4 });
    // good calls push the failures out of the tool's last eight calls
    for (let i = 0; i < 8; i++) {
      h.chat();
      h.tool('execute_bash', { command: `ls src/libponyc/expr/${i}` }, 20, {
        details: { tool_name: 'execute_bash', tool_arguments: JSON.stringify({ command: `ls src/libponyc/expr/${i}` }), observation: `match${i}.c` },
      });
    }
    const [resolved] = h.of('failing_tool', 'insight_resolved');
    expect(resolved?.event_summary).toMatch(/execute_bash works again \(3 failures in its last 8 calls\)/);
  });

  it('names the six alternating actions in order', () => {
    const h = harness();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      ids.push(
        h.tool('read_file', { path: 'a.txt' }, 20, { details: { tool_name: 'read_file', tool_arguments: '{"path":"a.txt"}', observation: 'contents of a' } })
          .event_id,
      );
      ids.push(
        h.tool('write_file', { path: 'b.txt', text: 'x' }, 20, {
          details: { tool_name: 'write_file', tool_arguments: '{"path":"b.txt","text":"x"}', observation: 'ok' },
        }).event_id,
      );
    }
    const [alt] = h.of('alternation', 'insight');
    expect((alt!.details.evidence as { event_ids: string[] }).event_ids).toEqual(ids);
  });
});
