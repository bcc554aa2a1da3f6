import type { Command } from '../Command.js';

/** A command as `debbie --help` lists it; its module (and its heavy dependencies) loads only when run. */
export interface CommandEntry {
  name: string;
  /** Must equal the command's own summary (commands.test.ts checks). */
  summary: string;
  load: () => Promise<Command>;
}

/** Every `debbie` command, in the order `debbie --help` lists them. */
export const COMMANDS: CommandEntry[] = [
  {
    name: 'demo',
    summary: 'Simulate AIWhisperer sessions (healthy and failing) into the store, with commentary, timelines and reports.',
    load: async () => (await import('./demo.js')).demoCommand,
  },
  {
    name: 'sessions',
    summary: 'List the recorded sessions: time, duration, events, errors, agents and sources.',
    load: async () => (await import('./sessions.js')).sessionsCommand,
  },
  {
    name: 'events',
    summary: 'Print the events of a session, a correlation group, or of all sessions, filtered, in time order.',
    load: async () => (await import('./events.js')).eventsCommand,
  },
  { name: 'show', summary: 'Print one event in full, with its parents and its correlation group.', load: async () => (await import('./show.js')).showCommand },
  {
    name: 'analyze',
    summary: 'Analyze a session: performance, errors, patterns and recommendations.',
    load: async () => (await import('./analyze.js')).analyzeCommand,
  },
  {
    name: 'timeline',
    summary: "Write a session's interactive HTML timeline (one self-contained file).",
    load: async () => (await import('./timeline.js')).timelineCommand,
  },
  {
    name: 'export',
    summary: 'Export stored events as JSON, JSONL, CSV or Parquet, or send them to Elasticsearch or Splunk.',
    load: async () => (await import('./export.js')).exportCommand,
  },
  {
    name: 'scripts',
    summary: 'List the debugging script library (run one with `debbie run-script --library NAME`).',
    load: async () => (await import('./scripts.js')).scriptsCommand,
  },
  {
    name: 'run-script',
    summary: 'Run a Python script (or a library script) over a session, inside the sandbox.',
    load: async () => (await import('./run-script.js')).runScriptCommand,
  },
  {
    name: 'collect',
    summary: 'Run the collector: OTLP/HTTP and OTLP/gRPC receivers, query API and pipeline into the store.',
    load: async () => (await import('./collect.js')).collectCommand,
  },
  {
    name: 'ingest',
    summary: 'Read log files (Python logging, JSONL, OTLP JSON, Debbie lines) into the store.',
    load: async () => (await import('./ingest.js')).ingestCommand,
  },
  {
    name: 'ui',
    summary: 'Open the web console (sessions, waterfall, live tail, comparison) on a store or a running collector.',
    load: async () => (await import('./ui.js')).uiCommand,
  },
  {
    name: 'tail',
    summary: 'Follow events live from a running collector, as colored seed-format lines.',
    load: async () => (await import('./tail.js')).tailCommand,
  },
  { name: 'mcp', summary: 'Serve Debbie to an AI agent over the Model Context Protocol (stdio).', load: async () => (await import('./mcp.js')).mcpCommand },
  { name: 'completion', summary: 'Print a shell completion script for bash or zsh.', load: async () => (await import('./completion.js')).completionCommand },
];
