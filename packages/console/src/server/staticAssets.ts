import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildTimelineData, renderTimelineHtml } from '@debbie/report';

const here = dirname(fileURLToPath(import.meta.url));
/** packages/console (dist/server/… → ../..). */
const packageDir = join(here, '..', '..');

interface Asset {
  body: Buffer;
  type: string;
}

/** Hashes of the timeline page's inline scripts: the console's CSP allows exactly those in its iframe. */
function timelineScriptHashes(): string[] {
  const html = renderTimelineHtml(buildTimelineData([]));
  const hashes: string[] = [];
  for (const m of html.matchAll(/<script>([\s\S]*?)<\/script>/g)) {
    hashes.push(`'sha256-${createHash('sha256').update(m[1]!, 'utf8').digest('base64')}'`);
  }
  return hashes;
}

/**
 * The console's Content-Security-Policy: scripts only from this origin (plus the timeline's own
 * inline scripts, by hash), requests only to this origin, no plugins, not framable by others.
 */
export function consoleCsp(): string {
  return [
    "default-src 'none'",
    `script-src 'self' ${timelineScriptHashes().join(' ')}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "frame-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'self'",
  ].join('; ');
}

/**
 * The console's files, read once at start: index.html and app.css from static/, the compiled
 * client modules from dist/client/. Served from memory; nothing else on disk is reachable.
 */
export class StaticAssets {
  private readonly assets = new Map<string, Asset>();
  readonly csp: string;

  constructor() {
    this.csp = consoleCsp();
    const staticDir = join(packageDir, 'static');
    const clientDir = join(packageDir, 'dist', 'client');
    this.assets.set('/', { body: readFileSync(join(staticDir, 'index.html')), type: 'text/html; charset=utf-8' });
    this.assets.set('/assets/app.css', { body: readFileSync(join(staticDir, 'app.css')), type: 'text/css; charset=utf-8' });
    for (const name of readdirSync(clientDir)) {
      if (name.endsWith('.js')) this.assets.set(`/assets/${name}`, { body: readFileSync(join(clientDir, name)), type: 'text/javascript; charset=utf-8' });
    }
  }

  /** Bytes of every asset (the bundle size the bench reports). */
  get totalBytes(): number {
    let n = 0;
    for (const a of this.assets.values()) n += a.body.length;
    return n;
  }

  /** Serves `path` when it is an asset; false otherwise. */
  serve(path: string, res: ServerResponse, head = false): boolean {
    const asset = this.assets.get(path === '/index.html' ? '/' : path);
    if (!asset) return false;
    res.writeHead(200, {
      'Content-Type': asset.type,
      'Content-Length': String(asset.body.length),
      'Content-Security-Policy': this.csp,
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': 'no-cache',
    });
    res.end(head ? undefined : asset.body);
    return true;
  }
}
