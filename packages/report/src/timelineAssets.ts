import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { TIMELINE_CLIENT_JS } from './timelineClientSource.js';

let d3Cache: string | undefined;

/** The minified UMD bundle of the `d3` npm package, to inline in the page. */
export function d3Source(): string {
  if (d3Cache === undefined) {
    const entry = createRequire(import.meta.url).resolve('d3');
    d3Cache = readFileSync(join(dirname(entry), 'd3.min.js'), 'utf8');
  }
  return d3Cache;
}

/** The timeline's browser code. */
export function timelineClientSource(): string {
  return TIMELINE_CLIENT_JS;
}
