import { describe, expect, it } from 'vitest';
import { harness } from '../testing/fixtures.js';
import { DISTINCT_CAP, minhashInto, MINHASH_K } from '../similarity.js';

// Issue 16: repetition between agents' messages (multi-agent logs), judged on MAST's human-labelled
// traces (shared/data/public/mast_mad/MAD_human_labelled_dataset.json; the snippets below are
// quoted from it, record index in each test). A message step is what the agent said, without the
// framework's header (the eval's MAST converter strips it).
type H = ReturnType<typeof harness>;
const say = (h: H, agent: string, message: string) =>
  h.emit({
    source: 'agent',
    kind: 'log',
    component: agent,
    action: 'agent_message',
    event_summary: message.split('\n')[0] ?? '',
    details: { agent_name: agent, message },
  });

// MAST record 4 (MetaGPT, ProgramDev, "Step repetition" 3/3): Bob(SimpleTester) re-emits his five tests and adds one.
const TESTS_1 = `\`\`\`python
import pytest
from SimpleCoder import detect_palindromes
def test_empty_file():
    assert detect_palindromes("empty.txt") == []
def test_no_palindromes():
    assert detect_palindromes("no_palindromes.txt") == []
def test_single_palindrome():
    assert detect_palindromes("single_palindrome.txt") == ["racecar"]
def test_multiple_palindromes():
    assert detect_palindromes("multiple_palindromes.txt") == ["racecar", "level", "radar"]
def test_palindromes_with_punctuation():
    assert detect_palindromes("palindromes_with_punctuation.txt") == ["racecar", "level", "radar"]
\`\`\``;
const TESTS_2 = TESTS_1.replace(
  '\n```',
  '\ndef test_palindromes_with_mixed_case():\n    assert detect_palindromes("palindromes_with_mixed_case.txt") == ["racecar", "level", "radar"]\n```',
);

describe('repetition between agents (messages)', () => {
  it('counts the distinct words of a text (capped), 0 for no words', () => {
    const sig = new Uint32Array(MINHASH_K);
    expect(minhashInto('', sig, 0)).toBe(0);
    expect(minhashInto('<INFO> Finished', sig, 0)).toBe(2);
    expect(minhashInto('Python', sig, 0)).toBe(1);
    expect(minhashInto('to do SimpleWriteReview(SimpleWriteReview)', sig, 0)).toBe(3);
    expect(minhashInto(TESTS_1, sig, 0)).toBe(DISTINCT_CAP);
  });

  it('flags a tester re-emitting its tests when nothing new came between (MAST record 4)', () => {
    const h = harness();
    say(h, 'Alice(SimpleCoder)', '```python\ndef detect_palindromes(file_path):\n    palindromes = []\n    return palindromes\n```');
    say(h, 'Bob(SimpleTester)', TESTS_1);
    say(h, 'Charlie(SimpleReviewer)', ''); // "Charlie(SimpleReviewer): to do SimpleWriteReview(SimpleWriteReview)" and nothing after it
    say(h, 'Bob(SimpleTester)', TESTS_2);
    const [rep] = h.of('repetition', 'insight');
    expect(rep?.details).toMatchObject({ attempts: 2, step_kind: 'message' });
    expect(rep?.event_summary).toContain('Bob(SimpleTester)');
    expect(rep?.event_summary).toContain('nothing new said in between');
    expect(rep?.details.outcome).toBe('nothing_new_since');
  });

  it('never calls an empty or near-empty message "the same" (MAST record 9: a header only; record 15: "<INFO> Finished")', () => {
    const h = harness();
    say(h, 'Bob(SimpleTester)', TESTS_1);
    say(h, 'Charlie(SimpleReviewer)', '');
    say(
      h,
      'Bob(SimpleTester)',
      '```python\nimport pytest\nfrom budget_tracker import BudgetTracker\ndef test_negative_income():\n    bt = BudgetTracker()\n```',
    );
    say(h, 'Charlie(SimpleReviewer)', '');
    for (let i = 0; i < 3; i++) say(h, 'Code Reviewer', '<INFO> Finished');
    expect(h.of('repetition')).toEqual([]);
    expect(h.of('alternation')).toEqual([]);
  });

  it('reads one message logged several times in a row as one step (MAST record 1, HyperAgent planner echo)', () => {
    const h = harness();
    const plan =
      'Thought: The `separability_matrix` function relies on the `_separable` function to compute the separability matrix for compound models. To pinpoint the exact cause, I will ask the Codebase Navigator to locate and provide the implementation of the `_separable` function.\n\nIntern Name: Codebase Navigator\nSubgoal: Locate the implementation of the `_separable` function in the `astropy.modeling.separable` module.';
    for (let i = 0; i < 3; i++) say(h, 'Planner', plan);
    expect(h.of('repetition')).toEqual([]);
  });

  it('reads numbers in a message as what it asks for: paging to the next lines is new (MAST record 10, HyperAgent editor)', () => {
    const h = harness();
    const page = (from: number, either: string) =>
      `Thought: The \`_parse_qdp_file\` function is not in the current chunk ${either}. It seems to be in the next chunk. Let's check the next chunk to find the \`_parse_qdp_file\` function and ensure the context is correct.\n\nAction:\n\`\`\`python\nresult = open_file_gen._run(relative_file_path="astropy/io/ascii/qdp.py", start_line=${from}, end_line=${from + 50})\nprint(result)\n\`\`\``;
    say(h, 'Inner-Editor-Assistant', page(300, 'of the file'));
    say(h, 'Inner-Editor-Assistant', page(350, 'either'));
    expect(h.of('repetition')).toEqual([]);
    // the same request again, numbers and all, is a repeat
    say(h, 'Inner-Editor-Assistant', page(350, 'either'));
    say(h, 'Planner', '');
    say(h, 'Inner-Editor-Assistant', page(350, 'either'));
    expect(h.of('repetition', 'insight')).toHaveLength(1);
  });

  it('a prompt repeated while the other agent answers something new each time is progress (MAST record 2, AG2)', () => {
    const h = harness();
    const nudge = 'Continue. Please keep solving the problem until you need to query. (If you get to the answer, put it in \\boxed{}.)';
    const answers = [
      'This problem is a reasoning problem. The information provided in the problem statement does not give any specifics about the amount of ribbon Monica has.',
      "In the current problem, I don't have enough information to solve the problem. What is the total length of the ribbon that Monica has?",
      'Without knowing the total length of ribbon, we can only express the length per bow as a fraction of the total: L / 12 inches.',
      'The answer depends on the total length; assuming 72 inches of ribbon, each of the 12 bows gets \\boxed{6} inches.',
    ];
    for (const a of answers) {
      say(h, 'assistant', a);
      say(h, 'mathproxyagent', nudge);
    }
    expect(h.of('repetition')).toEqual([]);
  });
});
