import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { ConfigError } from './ConfigError.js';
import { defaultConfig, type DebbieConfig } from './DebbieConfig.js';
import { validateConfig } from './validateConfig.js';

/** Parses and validates YAML text; YAML syntax errors name the line and column. */
export function parseConfig(text: string, file?: string): DebbieConfig {
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const pos = e.linePos?.[0];
    throw new ConfigError(pos ? `line ${pos.line}, column ${pos.col}` : '', `invalid YAML: ${e.message.split('\n')[0]}`, file);
  }
  return validateConfig(doc.toJS(), file);
}

/**
 * Loads debbie.yaml: the explicit path if given (it must exist), else $DEBBIE_CONFIG, else
 * ./debbie.yaml when present, else the defaults.
 */
export function loadConfig(explicitPath?: string, options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): DebbieConfig {
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? process.env;
  const chosen = explicitPath ?? env.DEBBIE_CONFIG;
  if (chosen) {
    const path = resolve(cwd, chosen);
    if (!existsSync(path)) throw new ConfigError('', `config file not found: ${path}`);
    return parseConfig(readFileSync(path, 'utf8'), path);
  }
  const local = resolve(cwd, 'debbie.yaml');
  if (existsSync(local)) return parseConfig(readFileSync(local, 'utf8'), local);
  return defaultConfig();
}
