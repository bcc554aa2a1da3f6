// Durations, times and numbers as the console shows them.

export function fmtMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '–';
  if (ms < 1) return `${(ms * 1000).toFixed(0)} µs`;
  if (ms < 1000) return `${ms < 10 ? ms.toFixed(1) : ms.toFixed(0)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const m = Math.floor(ms / 60_000);
  if (m < 60) return `${m}m ${Math.round((ms % 60_000) / 1000)}s`;
  return `${Math.floor(m / 60)}h ${m % 60}m`;
}

export function fmtTime(iso: string): string {
  return iso
    ? iso
        .replace('T', ' ')
        .replace(/\.\d+Z$/, '')
        .replace(/Z$/, '')
    : '–';
}

export function fmtInt(n: number): string {
  return n >= 10_000 ? `${(n / 1000).toFixed(n >= 100_000 ? 0 : 1)}k` : String(n);
}

export function shortId(id: string): string {
  return id.length > 18 ? `${id.slice(0, 8)}…${id.slice(-6)}` : id;
}

/** Epoch microseconds of an ISO timestamp with up to microsecond precision. */
export function isoMicros(iso: string): number {
  const ms = Date.parse(iso);
  const m = /\.(\d+)Z$/.exec(iso);
  const frac = m ? m[1]!.padEnd(6, '0').slice(0, 6) : '000000';
  return Math.floor(ms / 1000) * 1_000_000 + Number(frac);
}

export const SOURCE_COLORS: Record<string, string> = {
  session: '#7f8c9d',
  agent: '#4e79a7',
  ai_service: '#9c6ade',
  tool: '#2a9d8f',
  websocket: '#e9a03b',
  server: '#8a7f72',
  user_script: '#5aa9e6',
  python_exec: '#c06c84',
  debbie: '#d4568f',
  debbie_comment: '#b04fd1',
};
