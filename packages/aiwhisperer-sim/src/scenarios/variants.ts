import type { ModelStep, UserAction } from '../script.js';
import type { ScenarioParams, ScenarioScript, Variant } from './Scenario.js';

/** A long but healthy chain: eight tools, each followed by a True continuation decision. */
function longChain(p: ScenarioParams): ScenarioScript {
  const files = ['README.md', 'package.json', 'src/index.ts', 'src/server/session.ts', 'src/agents/patricia.ts', 'src/tools/registry.ts'];
  const steps: ModelStep[] = [
    { text: 'Starting the audit with the RFC list.', toolCalls: [{ name: 'list_rfcs', args: { status: 'all' }, decoy: 'long_chain' }] },
    ...files.map((path): ModelStep => ({ text: `Reading ${path}.`, toolCalls: [{ name: 'read_file', args: { path }, decoy: 'long_chain' }] })),
    { text: 'Cross-checking the dependency graph.', toolCalls: [{ name: 'analyze_dependencies', args: { module: 'src' }, decoy: 'long_chain' }] },
    { text: 'Audit complete: every RFC maps to code, and nothing is orphaned.' },
  ];
  return { steps, actions: [{ kind: 'say', text: 'Audit every RFC against the code', afterSilenceMs: p.rng.jitter(2_000, 0.3) }] };
}

/** The user reads a final answer and simply waits ~75 s before asking more: silence, but no bug. */
function idleUser(p: ScenarioParams): ScenarioScript {
  return {
    steps: [
      { text: 'Checking the dates of the RFCs.', toolCalls: [{ name: 'list_rfcs', args: { status: 'all', sort: 'created' } }] },
      { text: 'The oldest RFC is RFC-2025-05-29-0001 (dark mode).' },
    ],
    actions: [{ kind: 'say', text: 'One more question: which RFC is the oldest?', afterSilenceMs: 75_000 + p.rng.int(0, 10_000), decoy: 'idle_user' }],
  };
}

/** Unrelated errors far apart: each a different failure, so not a burst. */
function noisyErrors(p: ScenarioParams): ScenarioScript {
  const failures: { name: string; args: Record<string, unknown>; error: string; ask: string }[] = [
    {
      name: 'read_file',
      args: { path: '/etc/aiwhisperer/secrets.yaml' },
      error: "PermissionError: [Errno 13] Permission denied: '/etc/aiwhisperer/secrets.yaml'",
      ask: 'Check the server config',
    },
    { name: 'search_code', args: { query: '.*', path: '/' }, error: 'TimeoutError: ripgrep did not finish within 10s', ask: 'Search everything for TODOs' },
    {
      name: 'write_file',
      args: { path: 'logs/report.md', content: 'report' },
      error: 'OSError: [Errno 28] No space left on device',
      ask: 'Save a report to logs/report.md',
    },
  ];
  const steps: ModelStep[] = [];
  const actions: UserAction[] = [];
  for (const f of failures) {
    steps.push({ text: 'Trying that now.', toolCalls: [{ name: f.name, args: f.args, error: f.error, decoy: 'noisy_error', faultGroup: f.error }] });
    steps.push({ text: `That did not work (${f.error.split(':')[0]}). Let me know how you want to proceed.` });
    actions.push({ kind: 'say', text: f.ask, afterSilenceMs: 60_000 + p.rng.int(0, 20_000) });
  }
  return { steps, actions };
}

/**
 * A long healthy session that legitimately repeats one tool: paging through a long file, the same
 * path with a moving offset, each page new. Repetition detectors must see progress, not a loop.
 */
function paging(p: ScenarioParams): ScenarioScript {
  // within the agent's iteration budget (the simulated server stops a turn after ~12 tool rounds)
  const pages = 10;
  const steps: ModelStep[] = [];
  for (let i = 0; i < pages; i++) {
    const offset = i * 200;
    steps.push({
      text: `Reading lines ${offset + 1}-${offset + 200} of the session log.`,
      toolCalls: [{ name: 'read_file', args: { path: 'logs/session.log', offset, limit: 200 }, decoy: 'long_paging' }],
    });
  }
  steps.push({ text: `Read all ${pages * 200} lines: the session log shows no errors after the restart.` });
  return {
    steps,
    actions: [{ kind: 'say', text: 'Read the whole session log and tell me if anything went wrong', afterSilenceMs: 20_000 + p.rng.int(0, 5_000) }],
  };
}

/** Adds a variant's look-alike to a scenario's script (prepended or appended). */
export function applyVariant(variant: Variant, base: ScenarioScript, p: ScenarioParams): ScenarioScript {
  switch (variant) {
    case 'long-chain': {
      const pre = longChain(p);
      return { steps: [...pre.steps, ...base.steps], actions: [...pre.actions, ...base.actions] };
    }
    case 'idle-user':
    case 'noisy-errors':
    case 'paging': {
      const post = variant === 'idle-user' ? idleUser(p) : variant === 'paging' ? paging(p) : noisyErrors(p);
      return { steps: [...base.steps, ...post.steps], actions: [...base.actions, ...post.actions] };
    }
    case 'default':
    case 'concurrent':
      return base;
  }
}
