// How the tests and benches start a browser: Debian's Chromium (scripts/system-deps.sh installs it;
// CHROMIUM_PATH overrides), headless, with nothing that would reach the network on its own.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

// playwright-core is a dev dependency of @debbie/console (and of the benches); resolve it from there.
const { chromium } = createRequire(new URL('../packages/console/package.json', import.meta.url))('playwright-core');

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
];

/** Launches headless Chromium; a missing browser is a clear error, never a skip. */
export async function launchChromium() {
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`no Chromium at ${CHROMIUM_PATH}: apt-get install chromium, or set CHROMIUM_PATH`);
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: ARGS });
}
