import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DebbieError } from '@debbie/model';

/** A parameter a library script reads from `params`. */
export interface ScriptParam {
  name: string;
  default: string;
  description: string;
}

/** One script of the debugging library (the seed's DebugScriptLibrary). */
export interface LibraryScript {
  name: string;
  /** One line. */
  summary: string;
  /** The docstring after the summary line, parameters excluded. */
  description: string;
  params: ScriptParam[];
  /** The script's Python source. */
  source: string;
}

/** The ten scripts the seed names, in its order. */
export const LIBRARY_SCRIPT_NAMES = [
  'analyze_performance',
  'find_errors',
  'trace_request',
  'memory_analysis',
  'token_usage_report',
  'agent_behavior_analysis',
  'tool_usage_patterns',
  'session_replay',
  'state_diff_analysis',
  'websocket_message_flow',
] as const;

export type LibraryScriptName = (typeof LIBRARY_SCRIPT_NAMES)[number];

const SCRIPTS_DIR = fileURLToPath(new URL('../scripts/', import.meta.url));

let cache: Map<string, LibraryScript> | undefined;

/** Every library script, read from the package's scripts/ directory (seed order first). */
export function listLibraryScripts(): LibraryScript[] {
  return [...load().values()];
}

/** One library script by name; a DebbieError naming the choices when there is none. */
export function getLibraryScript(name: string): LibraryScript {
  const script = load().get(name);
  if (!script) {
    throw new DebbieError('unknown_script', `no library script named "${name}"; choose one of: ${[...load().keys()].join(', ')}`, '--library');
  }
  return script;
}

function load(): Map<string, LibraryScript> {
  if (cache) return cache;
  const files = readdirSync(SCRIPTS_DIR).filter((f) => f.endsWith('.py'));
  const order = (n: string) => {
    const i = (LIBRARY_SCRIPT_NAMES as readonly string[]).indexOf(n);
    return i === -1 ? LIBRARY_SCRIPT_NAMES.length : i;
  };
  const scripts = files.map((f) => parseScript(f.slice(0, -3), readFileSync(join(SCRIPTS_DIR, f), 'utf8')));
  scripts.sort((a, b) => order(a.name) - order(b.name) || a.name.localeCompare(b.name));
  cache = new Map(scripts.map((s) => [s.name, s]));
  return cache;
}

/**
 * Reads a script's header docstring: `"""name: summary` then a description, then an optional
 * `Params:` block of `  key (default X): text` lines.
 */
export function parseScript(name: string, source: string): LibraryScript {
  const doc = /^"""([\s\S]*?)"""/.exec(source.trimStart())?.[1] ?? '';
  const [first = '', ...rest] = doc.split('\n');
  const summary = first.startsWith(`${name}:`) ? first.slice(name.length + 1).trim() : first.trim();
  const paramsAt = rest.findIndex((l) => l.trim() === 'Params:');
  const descriptionLines = paramsAt === -1 ? rest : rest.slice(0, paramsAt);
  const params: ScriptParam[] = [];
  if (paramsAt !== -1) {
    for (const line of rest.slice(paramsAt + 1)) {
      const m = /^\s+(\w+)\s+\(default:?\s*([^)]*)\):\s*(.*)$/.exec(line);
      if (m) params.push({ name: m[1]!, default: m[2]!.trim(), description: m[3]!.trim() });
    }
  }
  return { name, summary, description: descriptionLines.join('\n').trim(), params, source };
}
