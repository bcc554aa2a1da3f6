import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let d3Cache: string | undefined;
let clientCache: string | undefined;

/** The minified UMD bundle of the `d3` npm package, to inline in the page. */
export function d3Source(): string {
  if (d3Cache === undefined) {
    const entry = createRequire(import.meta.url).resolve('d3');
    d3Cache = readFileSync(join(dirname(entry), 'd3.min.js'), 'utf8');
  }
  return d3Cache;
}

/** The timeline's browser code (timelineClient.js, shipped beside this module). */
export function timelineClientSource(): string {
  if (clientCache === undefined) clientCache = readFileSync(join(dirname(fileURLToPath(import.meta.url)), 'timelineClient.js'), 'utf8');
  return clientCache;
}
