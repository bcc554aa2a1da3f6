// Issue 15's ingest figure asks for `debbie ingest` of JSON Lines at least as fast as DuckDB
// loading the same file itself (read_json_auto into a table). This bench measures how close any
// design that lets DuckDB parse the file could come, each stage in its own process, next to that
// baseline in the same run:
//  A. DuckDB's own load (the baseline): read_json_auto into a table.
//  B. DuckDB reads the file with Debbie's columns and types and appends every row to a Debbie
//     store's events table: no validation, no secret check, no conversion. The floor of any
//     design that stores through DuckDB.
//  C. B plus the secret check alone: every row's text (every field, decoded, and the JSON fields as
//     text) searched by one RE2 pattern built from the redactor's own shapes (secretPatterns.ts)
//     so that it matches wherever the redactor could change something (lookarounds dropped, bounded
//     repeats opened: a superset). Rows it matches would have to go through the redactor in
//     JavaScript; here they are only counted. The pattern is first checked against the secret
//     corpus (every form in SECRET_CASES, bare and inside JSON): a miss stops the bench.
//  D. C plus one type check no exact path can skip: the ids read as JSON, so that a number (which
//     Debbie refuses: "session_id": 12) is told from a string (DuckDB's VARCHAR would take '12').
//  E. D plus the other checks an exact in-DuckDB path needs, as prototyped here: every text field
//     was a JSON string, a canonical timestamp, the enums, the shapes of tags and metrics, and that
//     the foreign conversion would leave the row as it is.
//  (What DuckDB's JSON reader does that JSON.parse does not, probed while building this: it refuses
//  a line with a duplicate key or a lone surrogate escape, failing the whole statement; and it
//  writes a JSON number read into VARCHAR as text, 12 → '12', 1e5 → '100000.0'. Hence D.)
//  F. Debbie's own ingest (`debbie ingest --no-commentary`), as store-scale.bench.mjs runs it.
// Default 550,000 events (issue 15's size, about 30 s); `--events 20000` for a quick look.
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openStore } from '@debbie/store';
import { childRunner, duckdbOwnJsonlLoad, fmt, LOAD_DUCKDB_AS_DEBBIE_DOES, printRow } from './childRun.mjs';
import { demoEvents, writeScaledJsonl } from './storeScale.gen.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const model = (file) => join(here, '..', 'packages/model/dist', file);
const { TOKEN_PATTERN } = await import(model('secretPatterns.js'));
const { SECRET_CASES } = await import(model('redact.corpus.js'));
const { DETAIL_RENAMES, METRIC_RENAMES } = await import(model('foreign/renames.js'));
const { SESSION_KEYS } = await import(model('foreign/sessionKeys.js'));
const { LOG_SOURCES } = await import(model('LogSource.js'));

const cli = join(here, '..', 'packages/cli/dist/bin.js');
const argIndex = process.argv.indexOf('--events');
const EVENTS = Number(argIndex > 0 ? process.argv[argIndex + 1] : (process.env.STORE_BENCH_EVENTS ?? 550_000));
const dir = mkdtempSync(join(tmpdir(), 'debbie-ingest-floor-'));
const { timed, script } = childRunner(dir);

// ---- the SQL of stages B–D ------------------------------------------------------------------
const sqlText = (s) => `'${s.replace(/'/g, "''")}'`;
const re2Literal = (l) => l.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

// Token shapes for RE2: lookarounds dropped and {m,n} opened to {m,} (each only widens a match, and
// RE2 refuses repeats over 1000), the empty capture groups taken out.
const TOKEN_RE2 = TOKEN_PATTERN.source
  .replace(/\(\?<?[!=][^()]*(?:\([^()]*\)[^()]*)*\)/g, '')
  .replace(/\{(\d+),\d+\}/g, '{$1,}')
  .replace(/\(\)/g, '');
// The redactor's hint (SECRET_HINT) on decoded text, and on JSON text (quotes and backslashes
// escaped, a tab written \t), plus key names that isSecretKey calls secret, as they stand in JSON.
const KEYWORD = 'pass(?:word|wd|phrase)|pwd|secret|token|auth(?:orization)?|credentials?|cookie|sig(?:nature)?|dsn|key(?:[_.-]?id)?';
const HINT_DECODED = String.raw`(?i:(?:${KEYWORD})[\\"']{0,8}[ \t]{0,8}(?:=>|:=|[:=])|-(?:password|passwd|token|secret|api-?key)[ \t]|://[^\s/?#@]{0,256}@|PRIVATE KEY|(?:bearer|basic|digest|negotiate|splunk|apikey|token)[ \t]{1,8}[A-Za-z0-9._~+/=-]{8})`;
const HINT_JSON = String.raw`(?i:(?:${KEYWORD})(?:'|\\\\|\\"|[ \t]|\\t)*(?:=>|:=|[:=])|-(?:password|passwd|token|secret|api-?key)(?:[ \t]|\\t)|://[^\s/?#@]*@|PRIVATE KEY|(?:bearer|basic|digest|negotiate|splunk|apikey|token)(?:[ \t]|\\t)+[A-Za-z0-9._~+/=-]{8})`;
const SEP = String.raw`[-\s.:/_]*`;
const SECRET_KEY_JSON = String.raw`[{,]"(?:[^"\\]|\\.)*?(?i:secret|password|passwd|passphrase|pwd|credential|cookie|authorization|apikey|bearer|privatekey|dsn|(?:(?:token|auth|signature|sig)|(?:api|access|secret|private|account|signing|encryption|master|session|client|auth|shared${SEP}access|x${SEP}api)${SEP}key(?:${SEP}id)?)${SEP}")`;
// Keys the foreign conversion acts on (renames, span kinds, inferred sessions, GenAI event names).
const CONVERTED_KEYS = [...DETAIL_RENAMES, ...METRIC_RENAMES]
  .map(([from]) => from)
  .concat([
    'response_model',
    'openinference.span.kind',
    'traceloop.span.kind',
    'ai.operationId',
    'span_type',
    'session_inferred',
    'event.name',
    'operation_type',
  ]);
const CONVERTED_KEY_JSON = `[{,]"(?:${CONVERTED_KEYS.map(re2Literal).join('|')})":`;
// Decoded text (the text fields) and JSON text (the JSON fields, tags) are searched apart: in JSON
// a key's closing quote is bare, in a value's text it is escaped.
const SECRET_IN_TEXT = [HINT_DECODED, TOKEN_RE2, '\uFFFD'].join('|');
const SECRET_IN_JSON = [HINT_JSON, SECRET_KEY_JSON, TOKEN_RE2, '\uFFFD'].join('|');
/** No secret shape in the row's decoded text nor in its JSON text. */
const noSecret = (text, json) => `NOT regexp_matches(${text}, ${sqlText(SECRET_IN_TEXT)}) AND NOT regexp_matches(${json}, ${sqlText(SECRET_IN_JSON)})`;
const SESSION_KEY_JSON = `[{,]"(?:${SESSION_KEYS.concat(['metadata']).map(re2Literal).join('|')})":`;

const IDS = ['event_id', 'session_id', 'agent_id', 'correlation_id', 'parent_id', 'trace_id', 'span_id', 'parent_span_id'];
const NAMES = ['component', 'action', 'event_summary', 'service_name', 'stack_trace'];
const TYPED = {
  timestamp: 'TIMESTAMP',
  level: 'VARCHAR',
  source: 'VARCHAR',
  component: 'VARCHAR',
  action: 'VARCHAR',
  event_summary: 'VARCHAR',
  event_id: 'VARCHAR',
  duration_ms: 'DOUBLE',
  session_id: 'VARCHAR',
  agent_id: 'VARCHAR',
  correlation_id: 'VARCHAR',
  parent_id: 'VARCHAR',
  trace_id: 'VARCHAR',
  span_id: 'VARCHAR',
  parent_span_id: 'VARCHAR',
  kind: 'VARCHAR',
  service_name: 'VARCHAR',
  tags: 'VARCHAR[]',
  performance_metrics: 'JSON',
  details: 'JSON',
  state_before: 'JSON',
  state_after: 'JSON',
  stack_trace: 'VARCHAR',
  context_snapshot: 'JSON',
};
const ORDER = Object.keys(TYPED);
const columnsArg = (types) =>
  `{${Object.entries(types)
    .map(([k, v]) => `"${k}":'${v}'`)
    .join(',')}}`;
const TEXT_OF_TYPED = `concat_ws(chr(1), ${[...NAMES, ...IDS].join(', ')}, array_to_string(tags, chr(1)))`;
const JSON_OF_TYPED = `concat_ws(chr(1), performance_metrics, details, state_before, state_after, context_snapshot)`;

// B and C read every field as Debbie stores it.
const readTyped = (file) => `read_json('${file}', format = 'newline_delimited', columns = ${columnsArg(TYPED)})`;
const SQL_B = (file) => `INSERT INTO events SELECT * FROM ${readTyped(file)}`;
const SQL_C = (file) => `INSERT INTO events SELECT * FROM ${readTyped(file)} WHERE ${noSecret(TEXT_OF_TYPED, JSON_OF_TYPED)}`;

// E reads what it must check as JSON (ids, whose text alone cannot tell "12" from 12; duration,
// tags), the other text fields as VARCHAR, whose non-string values DuckDB would write as these shapes.
const NOT_A_STRING = String.raw`(?:^|\x01)(?:-?[0-9]+(?:\.[0-9]+)?|-?[0-9](?:\.[0-9]+)?e[+-][0-9]+|-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?[eE][+-]?[0-9]{3,}|true|false|[\[{][^\x01]*)(?:\x01|$)`;
const CHECKED = {
  ...TYPED,
  timestamp: 'VARCHAR',
  duration_ms: 'JSON',
  tags: 'JSON',
  message: 'JSON',
  history: 'JSON',
  trajectory: 'JSON',
  resourceSpans: 'JSON',
  resourceLogs: 'JSON',
};
for (const id of IDS) CHECKED[id] = 'JSON';
const idText = (x) => `CASE WHEN contains(${x}, '\\') THEN ${x}->>'$' ELSE ${x}[2:-2] END`;
// The span type's three inputs for spans of the sources the conversion may reclassify, read by one
// parse of details (spanType.ts's order: operation, then tool_name, then model).
const TYPE_KEYS = `CASE WHEN kind = 'span' AND source IN ('server', 'ai_service', 'agent', 'tool') THEN json_extract_string(details, ['$.operation', '$.tool_name', '$.model']) END AS type_keys`;
const CHECKS = [
  `message IS NULL AND history IS NULL AND trajectory IS NULL AND resourceSpans IS NULL AND resourceLogs IS NULL`,
  `event_summary IS NOT NULL AND component IS NOT NULL AND action IS NOT NULL AND event_id IS NOT NULL AND kind IN ('span', 'log')`,
  `level IN ('DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL') AND source IN (${LOG_SOURCES.map(sqlText).join(', ')})`,
  `regexp_full_match(timestamp, '\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}Z') AND strftime(try_cast(timestamp AS TIMESTAMP), '%Y-%m-%dT%H:%M:%S.%fZ') = timestamp`,
  `NOT regexp_matches(concat_ws(chr(1), ${NAMES.join(', ')}), ${sqlText(NOT_A_STRING)}) AND ${IDS.map((i) => `(${i} IS NULL OR starts_with(${i}, '"'))`).join(' AND ')}`,
  `(duration_ms IS NULL OR (regexp_full_match(duration_ms, '[0-9][0-9.eE+-]*') AND isfinite(CAST(duration_ms AS DOUBLE)))) AND (kind = 'span') = (duration_ms IS NOT NULL)`,
  `(tags IS NULL OR tags = '[]' OR (regexp_full_match(tags, '\\[(?:"(?:[^"\\\\]|\\\\.)*")(?:,"(?:[^"\\\\]|\\\\.)*")*\\]') AND NOT contains(tags, '"debbie.span_start"')))`,
  `(performance_metrics IS NULL OR regexp_full_match(performance_metrics, '\\{(?:"(?:[^"\\\\]|\\\\.)*":-?[0-9][0-9.eE+-]*(?:,"(?:[^"\\\\]|\\\\.)*":-?[0-9][0-9.eE+-]*)*)?\\}'))`,
  `(details IS NULL OR starts_with(details, '{')) AND (context_snapshot IS NULL OR starts_with(context_snapshot, '{'))`,
  // Secret shapes, and in the same pass over the JSON text the keys the conversion acts on.
  `NOT regexp_matches(concat_ws(chr(1), ${[...NAMES, ...IDS.map(idText)].join(', ')}), ${sqlText(SECRET_IN_TEXT)})` +
    ` AND NOT regexp_matches(concat_ws(chr(1), tags, performance_metrics, details, state_before, state_after, context_snapshot), ${sqlText(`${SECRET_IN_JSON}|${CONVERTED_KEY_JSON}`)})`,
  // The rest of convertForeignEvent's no-op conditions (Debbie's own sources it leaves alone).
  `(source IN ('debbie', 'debbie_comment') OR (NOT starts_with(action, 'gen_ai.')` +
    ` AND (session_id IS NULL OR session_id <> '""') AND (session_id IS NOT NULL OR (trace_id IS NULL AND (kind = 'span' OR service_name IS NULL) AND NOT regexp_matches(details, ${sqlText(SESSION_KEY_JSON)})))` +
    ` AND (agent_id IS NOT NULL OR NOT contains(details, '"agent_name":')) AND (level NOT IN ('ERROR', 'CRITICAL') OR json_exists(details, '$.error_cause'))` +
    ` AND (type_keys IS NULL OR CASE` +
    ` WHEN type_keys[1] = 'execute_tool' THEN source = 'tool' WHEN type_keys[1] IN ('chat', 'text_completion', 'generate_content', 'embeddings', 'call_llm') THEN source = 'ai_service'` +
    ` WHEN type_keys[1] IN ('invoke_agent', 'create_agent', 'agent_step', 'invoke_workflow') THEN source = 'agent' WHEN type_keys[1] = 'retrieve' THEN source = 'tool'` +
    ` WHEN type_keys[2] IS NOT NULL THEN source = 'tool' WHEN type_keys[3] IS NOT NULL THEN source = 'ai_service' ELSE true END)))`,
];
const STORED = {
  timestamp: 'CAST(timestamp AS TIMESTAMP)',
  duration_ms: 'CAST(duration_ms AS DOUBLE)',
  tags: `CASE WHEN tags IS NULL OR tags = '[]' THEN CAST([] AS VARCHAR[]) ELSE from_json(tags, '["VARCHAR"]') END`,
  details: `coalesce(details, '{}')`,
};
for (const id of IDS) STORED[id] = idText(id);
const SQL_D = (file) =>
  `INSERT INTO events SELECT ${ORDER.map((k) => (IDS.includes(k) ? idText(k) : k)).join(', ')} FROM read_json('${file}', format = 'newline_delimited', columns = ${columnsArg(
    Object.fromEntries(ORDER.map((k) => [k, IDS.includes(k) ? 'JSON' : TYPED[k]])),
  )}) WHERE ${IDS.map((i) => `(${i} IS NULL OR starts_with(${i}, '"'))`).join(' AND ')} AND ${noSecret(
    `concat_ws(chr(1), ${[...NAMES, ...IDS.map(idText)].join(', ')}, array_to_string(tags, chr(1)))`,
    JSON_OF_TYPED,
  )}`;
const SQL_E = (file) =>
  `INSERT INTO events SELECT ${ORDER.map((k) => STORED[k] ?? k).join(', ')} FROM (SELECT *, ${TYPE_KEYS} FROM read_json('${file}', format = 'newline_delimited', columns = ${columnsArg(CHECKED)})) WHERE ${CHECKS.map((c) => `coalesce(${c}, false)`).join(' AND ')}`;

/** A child that runs `sql` on a copy of an empty Debbie store and prints the rows it inserted. */
function inDuckDB(name, storeFile, sql) {
  const r = script(
    name,
    `
${LOAD_DUCKDB_AS_DEBBIE_DOES}
const db = await DuckDBInstance.create(process.argv[2]);
const c = await db.connect();
const inserted = (await c.runAndReadAll(process.argv[3])).getRowsJS()[0][0];
c.closeSync(); db.closeSync();
console.log('INSERTED ' + inserted);`,
    storeFile,
    sql,
  );
  return { ...r, inserted: Number(/INSERTED (\d+)/.exec(r.stdout)?.[1]) };
}

/** An empty Debbie store (its schema made by openStore) at `name`. */
async function emptyStore(name) {
  const file = join(dir, name);
  const s = await openStore(file);
  await s.close();
  return file;
}

/** Each secret corpus form must match: bare against the text pattern, inside JSON (as a value, a key, JSON in a string) against the JSON one. The bench stops otherwise. */
function checkSupersetOnCorpus() {
  const rows = SECRET_CASES.flatMap((c) => [
    { t: c.text, json: false },
    { t: JSON.stringify({ v: c.text }), json: true },
    { t: JSON.stringify({ [c.text]: 'x' }), json: true },
    { t: JSON.stringify({ v: JSON.stringify({ v: c.text }) }), json: true },
  ]);
  const listFile = join(dir, 'corpus.json');
  writeFileSync(listFile, JSON.stringify(rows));
  const r = script(
    'corpus',
    `
${LOAD_DUCKDB_AS_DEBBIE_DOES}
const c = await (await DuckDBInstance.create(':memory:')).connect();
console.log(JSON.stringify((await c.runAndReadAll(process.argv[2])).getRowsJS().map((x) => x[0])));`,
    `SELECT t FROM read_json('${listFile}', columns = {t: 'VARCHAR', json: 'BOOLEAN'})
     WHERE NOT CASE WHEN json THEN regexp_matches(t, ${sqlText(SECRET_IN_JSON)}) ELSE regexp_matches(t, ${sqlText(SECRET_IN_TEXT)}) END`,
  );
  const missed = JSON.parse(r.stdout.trim().split('\n').pop());
  if (missed.length > 0) throw new Error(`the secret check misses ${missed.length} corpus forms, e.g. ${missed[0]}`);
  return rows.length;
}

console.log(`ingest-floor: ${EVENTS.toLocaleString('en')} demo-shaped events (ratio = baseline / stage: ≥ 1 means at least as fast as DuckDB's own load)`);
mkdirSync(join(dir, 'demo'));
const jsonl = join(dir, 'events.jsonl');
await writeScaledJsonl(demoEvents(cli, join(dir, 'demo')), EVENTS, jsonl);
console.log(
  `  ${(statSync(jsonl).size / 1e6).toFixed(0)} MB of JSONL; the secret check matches all ${checkSupersetOnCorpus()} corpus texts (bare and in JSON)`,
);

const own = duckdbOwnJsonlLoad(script, jsonl, join(dir, 'own.duckdb'));
printRow("A. DuckDB's own load (read_json_auto)", own, own);
const stages = [
  ["B. into Debbie's table, nothing checked", 'b.duckdb', SQL_B],
  ['C. B + the secret check', 'c.duckdb', SQL_C],
  ['D. C + ids told from numbers', 'd.duckdb', SQL_D],
  ['E. D + the other type and conversion checks', 'e.duckdb', SQL_E],
];
for (const [figure, name, sql] of stages) {
  const r = inDuckDB(name.replace('.duckdb', ''), await emptyStore(name), sql(jsonl));
  printRow(figure, r, own, `${r.inserted.toLocaleString('en')} of ${EVENTS.toLocaleString('en')} rows need no JavaScript`);
}
const debbie = timed([cli, 'ingest', '--input-format', 'jsonl', '--no-commentary', '--store', join(dir, 'debbie.duckdb'), jsonl], {
  env: { ...process.env, DEBBIE_STORE: '' },
});
printRow('F. debbie ingest --no-commentary', debbie, own);
console.log(
  `  (B is the floor of any design that stores through DuckDB; C, D and E add only what an exact one must check, before any row goes through JavaScript: ${fmt(EVENTS / 1000, 0)}k rows here)`,
);
rmSync(dir, { recursive: true, force: true });
