import type { ModelStep, UserAction } from '../script.js';
import type { ScenarioDefinition, ScenarioParams, ScenarioScript } from './Scenario.js';

const RFC_DIR = '.WHISPER/rfc/in_progress';

/** A user message sent once the agent has been quiet for `silenceMs`. */
function say(text: string, afterSilenceMs: number, extra: Partial<Extract<UserAction, { kind: 'say' }>> = {}): UserAction {
  return { kind: 'say', text, afterSilenceMs, ...extra };
}

/** Think time of a user reading a reply: 2–6 s, jittered. */
function think(p: ScenarioParams, base = 3_000): number {
  return p.rng.jitter(base, Math.max(p.jitter, 0.3));
}

const healthy: ScenarioDefinition = {
  name: 'healthy',
  description: 'A normal session: tool calls chained by continuations, final answers, a switch from Patricia to Tessa, no fault.',
  script(p): ScenarioScript {
    return {
      steps: [
        { text: "I'll start by looking at the RFCs that are already in progress.", toolCalls: [{ name: 'list_rfcs', args: { status: 'in_progress' } }] },
        {
          text: 'The dark-mode RFC is the closest match; reading it now.',
          toolCalls: [{ name: 'read_file', args: { path: `${RFC_DIR}/RFC-2025-05-29-0001.md` } }],
        },
        { text: 'Checking where the theme is defined in the code.', toolCalls: [{ name: 'search_code', args: { query: 'ThemeProvider', path: 'src/' } }] },
        {
          text: 'Here is the plan: 1) add a theme token file, 2) wire ThemeProvider to the user setting, 3) add a toggle in Settings, 4) test contrast. Shall I write it up as an RFC?',
        },
        { text: 'Creating the RFC now.', toolCalls: [{ name: 'create_rfc', args: { title: 'Dark mode support' } }] },
        { text: 'Done: RFC-2025-06-02-0004 "Dark mode support" is in .WHISPER/rfc/in_progress/.' },
        {
          text: "I'm Tessa. Writing a test for the theme toggle.",
          toolCalls: [{ name: 'write_file', args: { path: 'src/settings/ThemeToggle.test.tsx', content: "it('switches to dark mode', () => {})" } }],
        },
        { text: 'Running it.', toolCalls: [{ name: 'run_tests', args: { suite: 'settings' }, durationMs: p.rng.jitter(2_500, p.jitter) }] },
        { text: 'The theme toggle test passes.' },
      ],
      actions: [
        { kind: 'rpc', method: 'agent.list', afterMs: 300 },
        { kind: 'rpc', method: 'session.current_agent', afterMs: 200 },
        say('Help me plan dark mode support for the app', think(p, 2_000)),
        say('Yes, write it up as an RFC please', think(p, 6_000)),
        { kind: 'rpc', method: 'session.switch_agent', params: { agentId: 't' }, afterMs: 1_000 },
        say('Tessa, please add a test for the theme toggle', think(p, 2_000)),
      ],
    };
  },
};

const continuationStall: ScenarioDefinition = {
  name: 'continuation-stall',
  description:
    'The continuation issue: after a tool the decision is False, the agent goes silent 45 s, then the user types "ok" six times, each giving exactly one more tool call.',
  script(p): ScenarioScript {
    const tools: ModelStep['toolCalls'][] = [
      [{ name: 'list_rfcs', args: { status: 'in_progress' } }],
      [{ name: 'read_file', args: { path: `${RFC_DIR}/RFC-2025-05-30-0002.md` } }],
      [{ name: 'search_code', args: { query: 'exportSession', path: 'src/' } }],
      [{ name: 'read_file', args: { path: 'src/export/csv.ts' } }],
      [{ name: 'analyze_dependencies', args: { module: 'src/export' } }],
      [{ name: 'write_file', args: { path: `${RFC_DIR}/RFC-2025-05-30-0002.md`, content: '## Plan\n1. CSV writer\n2. Export button\n3. Tests' } }],
      [{ name: 'create_rfc', args: { title: 'Export sessions as CSV: implementation plan' } }],
    ];
    const texts = [
      'Let me check the existing RFCs first.',
      'Found it. Reading the export RFC.',
      'Looking for the session export code.',
      'Reading the current exporter.',
      'Checking what the exporter depends on.',
      'Updating the RFC with the plan.',
      'Creating the implementation plan RFC.',
    ];
    // continuation: null — the reply carries no continuation signal, so the decision is False.
    const steps: ModelStep[] = tools.map((toolCalls, i) => ({ text: texts[i]!, toolCalls: toolCalls!, continuation: null }));
    steps.push({ text: 'All done: the RFC is updated and the implementation plan is RFC-2025-06-02-0004.' });
    const actions: UserAction[] = [say('Plan the CSV export feature from RFC 0002', think(p, 2_000))];
    // The recorded shape: 45 s of silence, then "ok" six times, each a few seconds after the last reply.
    actions.push(say('ok', 45_000 + p.rng.int(0, 2_500), { nudge: true }));
    for (let i = 1; i < 6; i++) actions.push(say('ok', think(p, 5_000), { nudge: true }));
    actions.push(say('Are you finished?', think(p, 8_000)));
    return { steps, actions };
  },
};

const toolLoop: ScenarioDefinition = {
  name: 'tool-loop',
  description: 'The same tool with the same arguments again and again (search_code ×8) before the model gives up.',
  script(p): ScenarioScript {
    const repeated = { name: 'search_code', args: { query: 'WS_TIMEOUT', path: 'src/' }, fault: 'tool_loop' as const };
    const steps: ModelStep[] = [
      { text: "I'll check the existing RFCs for websocket settings.", toolCalls: [{ name: 'list_rfcs', args: { status: 'in_progress' } }] },
    ];
    for (let i = 0; i < 8; i++)
      steps.push({
        text: i === 0 ? 'Searching the code for the timeout constant.' : 'Let me search for the timeout constant again.',
        toolCalls: [{ ...repeated }],
      });
    steps.push({ text: 'I could not find where the websocket timeout is configured.' });
    return {
      steps,
      actions: [say('Where is the websocket timeout configured?', think(p, 2_000)), say('Never mind, thanks', think(p, 5_000))],
    };
  },
  // The loop needs room under the depth limit: 9 continuations.
};

const errorBurst: ScenarioDefinition = {
  name: 'error-burst',
  description: 'A burst of similar tool errors whose messages differ only in numbers and paths (FileNotFoundError ×5).',
  script(p): ScenarioScript {
    const missing = [7, 8, 11, 14, 19];
    const steps: ModelStep[] = [{ text: 'Listing the archived RFCs.', toolCalls: [{ name: 'list_rfcs', args: { status: 'archived' } }] }];
    for (const n of missing) {
      const path = `.WHISPER/rfc/archived/RFC-2025-05-${String(n).padStart(2, '0')}-${String(n).padStart(4, '0')}.md`;
      steps.push({
        text: `Reading RFC ${n}.`,
        toolCalls: [{ name: 'read_file', args: { path }, error: `FileNotFoundError: [Errno 2] No such file or directory: '${path}'`, fault: 'error_burst' }],
      });
    }
    steps.push({ text: 'I could not read any of the archived RFCs: the files listed are missing from disk.' });
    return { steps, actions: [say('Summarize the archived RFCs', think(p, 2_000)), say('ok, I will restore them', think(p, 6_000))] };
  },
};

const slowTool: ScenarioDefinition = {
  name: 'slow-tool',
  description: 'One search_code call takes ~25× its usual 120 ms after five normal ones.',
  script(p): ScenarioScript {
    const queries = ['useTheme', 'ThemeProvider', 'colorScheme', 'prefers-color-scheme', 'palette'];
    const steps: ModelStep[] = queries.map((query) => ({
      text: `Searching for ${query}.`,
      toolCalls: [{ name: 'search_code', args: { query, path: 'src/' } }],
    }));
    steps.push({
      text: 'One more search, across the whole repository.',
      toolCalls: [{ name: 'search_code', args: { query: 'theme', path: '.' }, durationMs: 120 * p.slowFactor, fault: 'slow_tool' }],
    });
    steps.push({ text: 'The theme API is used in 14 places; the main entry point is src/theme.ts.' });
    return { steps, actions: [say('Find all uses of the theme API', think(p, 2_000)), say('Thanks', think(p, 5_000))] };
  },
};

const slowModel: ScenarioDefinition = {
  name: 'slow-model',
  description: 'One chat call waits ~15 s for its first token after five normal ~0.6 s calls.',
  script(p): ScenarioScript {
    const files = ['src/theme.ts', 'src/app.tsx', 'src/settings.ts', 'src/palette.ts', 'src/index.ts'];
    const steps: ModelStep[] = files.map((path) => ({ text: `Reading ${path}.`, toolCalls: [{ name: 'read_file', args: { path } }] }));
    steps.push({ text: 'Summarizing what the five files do with the theme.', latencyMs: 15_000 + p.rng.int(0, 1_000), fault: 'slow_model' });
    return { steps, actions: [say('Explain how theming works in this app', think(p, 2_000)), say('Thanks', think(p, 5_000))] };
  },
};

const websocketTimeout: ScenarioDefinition = {
  name: 'websocket-timeout',
  description:
    "A turn longer than the client's 30 s timeout (client-side timeout, late reply), a 1.4 s JSON-RPC response, and a sendUserMessage without an id that the server ignores.",
  slowMethods: [{ method: 'session.current_agent', delayMs: 1_400, fault: 'websocket_slow' }],
  script(p): ScenarioScript {
    return {
      steps: [
        { text: 'Running the full test suite first.', toolCalls: [{ name: 'run_tests', args: { suite: 'all' }, durationMs: 24_000 + p.rng.int(0, 2_000) }] },
        { text: 'Two suites are flaky; checking the dependency graph.', toolCalls: [{ name: 'analyze_dependencies', args: { module: 'src/net' } }] },
        { text: 'Re-running the integration suite.', toolCalls: [{ name: 'run_tests', args: { suite: 'integration' } }] },
        { text: 'All 48 tests pass after the re-run; the failures were timing-dependent.' },
        { text: 'Yes, it finished: all tests pass.' },
      ],
      actions: [
        { kind: 'rpc', method: 'session.current_agent', afterMs: 500 },
        // The frontend bug: a request without an id is a notification, and the server ignores it.
        {
          kind: 'raw',
          frame: JSON.stringify({
            jsonrpc: '2.0',
            method: 'sendUserMessage',
            params: { sessionId: '$SESSION', message: 'Run the full test suite and fix failures' },
          }),
          afterMs: 1_500,
        },
        say('Run the full test suite and fix failures', 20_000),
        say('Did it finish?', think(p, 6_000)),
      ],
    };
  },
};

const memorySpike: ScenarioDefinition = {
  name: 'memory-spike',
  description: 'Server memory jumps from ~200 MB to over 500 MB during a dependency analysis.',
  script(p): ScenarioScript {
    return {
      steps: [
        {
          text: 'Analyzing the dependency graph of the whole project.',
          toolCalls: [{ name: 'analyze_dependencies', args: { module: '.' }, memoryMb: 540 + p.rng.int(0, 60), fault: 'memory_spike' }],
        },
        { text: 'Reading the largest module.', toolCalls: [{ name: 'read_file', args: { path: 'src/server/session.ts' } }] },
        { text: 'The project has 14 modules and no cycles; session.ts is the largest.' },
      ],
      actions: [say('Analyze the project dependencies', think(p, 2_000)), say('Thanks', think(p, 5_000))],
    };
  },
};

const emptyReply: ScenarioDefinition = {
  name: 'empty-reply',
  description: 'The model returns an empty reply, leaving two user messages in a row.',
  script(p): ScenarioScript {
    return {
      steps: [
        { text: '', continuation: 'TERMINATE', fault: 'empty_reply' },
        { text: 'Sorry about that. Here are the RFCs in progress.', toolCalls: [{ name: 'list_rfcs', args: { status: 'in_progress' } }] },
        { text: 'There are three RFCs in progress: dark mode, CSV export and websocket retry.' },
      ],
      actions: [say('What RFCs are in progress?', think(p, 2_000)), say('Hello? Are you there?', 8_000 + p.rng.int(0, 2_000))],
    };
  },
};

const nearDuplicateRetry: ScenarioDefinition = {
  name: 'near-duplicate-retry',
  description:
    'The agent retries search_code with a query that drifts a little each time (WS_TIMEOUT, WS_TIMEOUT_MS, …) and gets the same empty answer six times.',
  script(p): ScenarioScript {
    // the same search, reworded: only the query token drifts, the rest of the call stays put
    const queries = ['WS_TIMEOUT', 'WS_TIMEOUT_MS', 'WEBSOCKET_TIMEOUT', 'WS_CONNECT_TIMEOUT', 'SOCKET_TIMEOUT', 'WS_TIMEOUT_SECONDS'];
    const nothing = 'No matches found in src/ (214 files searched).';
    const steps: ModelStep[] = [
      { text: 'Checking the RFCs for websocket settings first.', toolCalls: [{ name: 'list_rfcs', args: { status: 'in_progress' } }] },
    ];
    for (const [i, query] of queries.entries())
      steps.push({
        text: i === 0 ? 'Searching the code for the timeout constant.' : `No luck; trying ${query} instead.`,
        toolCalls: [
          {
            name: 'search_code',
            args: { query, path: 'src/', include: '*.ts', exclude: 'node_modules', case_sensitive: false, max_results: 50 },
            result: nothing,
            fault: 'repetition',
          },
        ],
      });
    steps.push({ text: 'I could not find a websocket timeout constant in src/.' });
    return {
      steps,
      actions: [say('Where is the websocket timeout configured?', think(p, 2_000)), say('Never mind, thanks', think(p, 5_000))],
    };
  },
};

const failingTool: ScenarioDefinition = {
  name: 'failing-tool',
  description: 'run_tests fails five times in a row, each time with other arguments and another error: the agent guesses instead of reading the errors.',
  script(p): ScenarioScript {
    // different causes, so no error burst: the one thing they share is the tool
    const attempts: { suite: string; error: string }[] = [
      { suite: 'settings', error: "ModuleNotFoundError: No module named 'pytest_asyncio'" },
      { suite: 'unit', error: 'SyntaxError: invalid syntax (conftest.py, line 12)' },
      { suite: 'integration', error: 'ConnectionRefusedError: [Errno 111] Connection refused: localhost:5432' },
      { suite: 'e2e', error: 'TimeoutError: browser did not start within 30 s' },
      { suite: 'all', error: "ImportError: cannot import name 'ThemeProvider' from 'src.theme'" },
    ];
    const steps: ModelStep[] = [{ text: 'Reading the test setup.', toolCalls: [{ name: 'read_file', args: { path: 'tests/conftest.py' } }] }];
    for (const [i, a] of attempts.entries())
      steps.push({
        text: i === 0 ? 'Running the settings tests.' : `That failed; trying the ${a.suite} suite.`,
        toolCalls: [{ name: 'run_tests', args: { suite: a.suite }, error: a.error, fault: 'failing_tool' }],
      });
    steps.push({ text: 'None of the test suites could run; the test environment looks broken.' });
    return { steps, actions: [say('Run the tests for the theme toggle', think(p, 2_000)), say('ok, I will look at the setup', think(p, 6_000))] };
  },
};

/** Every scenario, in the order `all` runs them. */
export const SCENARIO_DEFINITIONS: readonly ScenarioDefinition[] = [
  healthy,
  continuationStall,
  toolLoop,
  errorBurst,
  slowTool,
  websocketTimeout,
  memorySpike,
  emptyReply,
  slowModel,
  nearDuplicateRetry,
  failingTool,
];
