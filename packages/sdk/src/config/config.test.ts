import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createEvent, type DebbieEvent, type EventSink, type LogLevel, type LogSource } from '@debbie/model';
import { buildLogging } from './buildLogging.js';
import { ConfigError } from './ConfigError.js';
import { loadConfig, parseConfig } from './loadConfig.js';

const seedYaml = readFileSync(new URL('../../../../debbie.example.yaml', import.meta.url), 'utf8');

function ev(source: LogSource, level: LogLevel, message = 'm', details: Record<string, unknown> = {}): DebbieEvent {
  return createEvent({ source, level, event_summary: message, details, timestamp: '2025-05-29T10:15:32.123456Z', component: 'debugging' });
}

function capture() {
  const stream = new PassThrough();
  const chunks: string[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c.toString()));
  return { stream, lines: () => chunks.join('').split('\n').filter(Boolean) };
}

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('debbie.yaml', () => {
  it('reads the seed logging_config.yaml, every section', () => {
    const c = parseConfig(seedYaml);
    expect(c.formatters.debbie_formatter?.datefmt).toBe('%Y-%m-%d %H:%M:%S.%f');
    expect(c.handlers.debbie_file).toMatchObject({
      class: 'rotating_file',
      level: 'DEBUG',
      maxBytes: 104857600,
      backupCount: 10,
      filename: 'logs/debbie_debug.log',
    });
    expect(c.handlers.debbie_console).toMatchObject({ class: 'console', stream: 'stdout', level: 'INFO' });
    expect(c.handlers.debbie_realtime).toMatchObject({ class: 'realtime', buffer_size: 10000, stream_port: 9999 });
    expect(c.loggers['debbie.python_exec']).toEqual({ level: 'DEBUG', handlers: ['debbie_file'], propagate: true });
    expect(c.debbie_config.aggregation).toEqual({ correlation_timeout: 300, buffer_size: 100000 });
    expect(c.debbie_config.commentary).toMatchObject({ enabled: true, insight_level: 'detailed', pattern_detection: true });
    expect(c.debbie_config.python_execution).toMatchObject({ enabled: true, timeout: 30, memory_limit: 512 * 1024 * 1024 });
    expect(c.debbie_config.python_execution.allowed_imports).toContain('pandas');
  });

  it.each([
    ['logging:\n  handlers:\n    h: {class: console, level: LOUD}\n', 'logging.handlers.h.level', /DEBUG, INFO/],
    ['handlers:\n  f: {class: rotating_file, filename: x.log, maxBytes: -5}\n', 'handlers.f.maxBytes', /at least 0/],
    ['handlers:\n  f: {class: rotating_file}\n', 'handlers.f.filename', /non-empty string/],
    ['handlers:\n  f: {class: FancyHandler}\n', 'handlers.f.class', /must be one of/],
    ['handlers:\n  c: {class: console, formatter: nope}\n', 'handlers.c.formatter', /unknown formatter "nope"/],
    ['handlers:\n  c: {class: console, stream: ext://sys.stdin}\n', 'handlers.c.stream', /stdout/],
    ['loggers:\n  debbie: {handlers: [missing]}\n', 'loggers.debbie.handlers[0]', /unknown handler "missing"/],
    ['loggers:\n  app: {level: INFO}\n', 'loggers.app', /start with "debbie"/],
    ['formatters:\n  f: {format: "%(nonsense)s"}\n', 'formatters.f.format', /unknown field %\(nonsense\)s/],
    ['debbie_config:\n  python_execution: {memory_limit: lots}\n', 'debbie_config.python_execution.memory_limit', /512MB/],
    ['debbie_config:\n  aggregation: {buffer_size: 0}\n', 'debbie_config.aggregation.buffer_size', /at least 1/],
    ['debbie_config:\n  aggregaton: {}\n', 'debbie_config.aggregaton', /unknown key/],
    ['debbie_config:\n  python_execution: {allowed_imports: ["os; rm"]}\n', 'debbie_config.python_execution.allowed_imports[0]', /module name/],
  ])('rejects a bad option with its path: %s', (yaml, path, message) => {
    const e = errorOf(() => parseConfig(yaml, 'debbie.yaml'));
    expect(e.path).toBe(path);
    expect(e.message).toMatch(message);
    expect(e.message.startsWith('debbie.yaml: ')).toBe(true);
  });

  it('reports YAML syntax errors with line and column', () => {
    const e = errorOf(() => parseConfig('handlers:\n  a: [1, 2\n', 'x.yaml'));
    expect(e.message).toMatch(/line \d+, column \d+: invalid YAML/);
  });

  it('finds ./debbie.yaml, honors DEBBIE_CONFIG, and names a missing explicit file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'debbie-config-'));
    expect(loadConfig(undefined, { cwd: dir, env: {} }).source).toBeUndefined();
    // python_execution's defaults are @debbie/python's: the seed's imports plus the pure standard library.
    expect(loadConfig(undefined, { cwd: dir, env: {} }).debbie_config.python_execution.allowed_imports).toEqual(
      expect.arrayContaining(['pandas', 'math', 'statistics', 'typing', 'dataclasses', 'textwrap', 'difflib']),
    );
    expect(() => loadConfig('nope.yaml', { cwd: dir, env: {} })).toThrowError(/config file not found: .*nope\.yaml/);
  });
});

describe('handlers and loggers', () => {
  it('formats console lines exactly as the seed shows them', () => {
    const out = capture();
    const router = buildLogging(
      parseConfig(
        'handlers:\n  c: {class: console, formatter: f}\nformatters:\n  f: {format: "[%(asctime)s] [%(source)s] [%(levelname)s] [%(component)s] %(message)s | %(details)s", datefmt: "%Y-%m-%d %H:%M:%S.%f"}\nloggers:\n  debbie: {handlers: [c]}\n',
      ),
      { stdout: out.stream },
    );
    router.write(ev('debbie_comment', 'INFO', 'Detected stall pattern', { pattern: 'tool_execution_stall', confidence: 0.92 }));
    expect(out.lines()).toEqual([
      '[2025-05-29 10:15:32.123456] [debbie_comment] [INFO] [debugging] Detected stall pattern | {"pattern": "tool_execution_stall", "confidence": 0.92}',
    ]);
  });

  it('applies logger levels along the hierarchy, handler levels, propagate and streams', () => {
    const out = capture();
    const err = capture();
    const yaml = [
      'formatters:',
      '  f: {format: "%(name)s %(levelname)s %(message)s"}',
      'handlers:',
      '  out: {class: console, level: INFO, formatter: f, stream: ext://sys.stdout}',
      '  err: {class: console, level: ERROR, formatter: f, stream: ext://sys.stderr}',
      'loggers:',
      '  debbie: {level: DEBUG, handlers: [out, err]}',
      '  debbie.commentary: {level: WARNING, handlers: [out]}',
      '  debbie.tool: {level: DEBUG, handlers: [err], propagate: false}',
    ].join('\n');
    const router = buildLogging(parseConfig(yaml), { stdout: out.stream, stderr: err.stream });
    router.write(ev('agent', 'DEBUG', 'a-debug')); // below the out handler's INFO
    router.write(ev('agent', 'INFO', 'a-info')); // out only
    router.write(ev('debbie_comment', 'INFO', 'c-info')); // below debbie.commentary's WARNING
    router.write(ev('debbie_comment', 'ERROR', 'c-error')); // out (once, not twice) and err via propagation
    router.write(ev('tool', 'WARNING', 't-warn')); // err handler is ERROR: nothing; no propagation to out
    router.write(ev('tool', 'ERROR', 't-error')); // err only
    expect(out.lines()).toEqual(['debbie.agent INFO a-info', 'debbie.commentary ERROR c-error']);
    expect(err.lines()).toEqual(['debbie.commentary ERROR c-error', 'debbie.tool ERROR t-error']);
  });

  it('rotates the file at maxBytes and keeps backupCount files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'debbie-rotate-'));
    const yaml = 'handlers:\n  f: {class: rotating_file, filename: logs/d.log, maxBytes: 400, backupCount: 2}\nloggers:\n  debbie: {handlers: [f]}\n';
    const router = buildLogging(parseConfig(yaml), { cwd: dir });
    for (let i = 0; i < 40; i++) router.write(ev('agent', 'INFO', `event number ${i}`));
    await router.shutdown();
    const files = readdirSync(join(dir, 'logs')).sort();
    expect(files).toEqual(['d.log', 'd.log.1', 'd.log.2']);
    for (const f of files) expect(statSync(join(dir, 'logs', f)).size).toBeLessThanOrEqual(400);
    expect(readFileSync(join(dir, 'logs', 'd.log'), 'utf8')).toContain('event number 39');
    expect(readFileSync(join(dir, 'logs', 'd.log.2'), 'utf8')).not.toContain('event number 0 ');
  });

  it('needs a realtime factory for a realtime handler, and gives it its events by level', () => {
    const yaml = 'handlers:\n  rt: {class: realtime, level: WARNING, buffer_size: 5, stream_port: 0}\nloggers:\n  debbie: {handlers: [rt]}\n';
    expect(() => buildLogging(parseConfig(yaml))).toThrowError(/handlers\.rt: a realtime handler needs the stream server/);
    const seen: DebbieEvent[] = [];
    let bufferSize = 0;
    const sink: EventSink = { write: (e) => seen.push(e), forceFlush: async () => {}, shutdown: async () => {} };
    const router = buildLogging(parseConfig(yaml), {
      realtime: (c) => {
        bufferSize = c.buffer_size;
        return sink;
      },
    });
    router.write(ev('agent', 'INFO'));
    router.write(ev('agent', 'ERROR'));
    expect(bufferSize).toBe(5);
    expect(seen.map((e) => e.level)).toEqual(['ERROR']);
  });
});
