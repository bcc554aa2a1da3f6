#!/usr/bin/env node
// Rewrites the flag table of docs/cli.md from the commands' own option specs (build first).
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { updateCliDoc } from '../dist/cliReference.js';

const path = fileURLToPath(new URL('../../../docs/cli.md', import.meta.url));
writeFileSync(path, await updateCliDoc(readFileSync(path, 'utf8')));
console.log(`wrote ${path}`);
