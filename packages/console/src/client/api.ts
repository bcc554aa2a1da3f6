// Talks to the console's API on this origin, with the collector's token when one is set.

const TOKEN_KEY = 'debbie.token';

/** Takes a token from the URL fragment (#token=…) once, keeps it for the tab, and removes it from the address bar. */
export function adoptTokenFromFragment(): void {
  const m = /(?:^#|&)token=([^&]+)/.exec(location.hash);
  if (!m) return;
  sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(m[1]!));
  const rest = location.hash.replace(/(^#|&)token=[^&]+/, '$1').replace(/^#&/, '#');
  history.replaceState(null, '', rest === '#' ? location.pathname : location.pathname + rest);
}

export function setToken(token: string): void {
  sessionStorage.setItem(TOKEN_KEY, token);
}

function headers(): Record<string, string> {
  const t = sessionStorage.getItem(TOKEN_KEY);
  return t ? { Authorization: `Bearer ${t}` } : {};
}

/** Thrown for a 401: the app shows the login page. */
export class Unauthorized extends Error {}

async function get(path: string, signal?: AbortSignal): Promise<Response> {
  const res = await fetch(path, { headers: headers(), ...(signal ? { signal } : {}) });
  if (res.status === 401) throw new Unauthorized("this console needs the collector's token");
  if (!res.ok) {
    let message = `${res.status} ${res.statusText}`;
    try {
      const body = (await res.json()) as { error?: { message?: string } };
      if (body.error?.message) message = body.error.message;
    } catch {
      /* not JSON */
    }
    throw new Error(message);
  }
  return res;
}

export async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  return (await (await get(path, signal)).json()) as T;
}

export async function getText(path: string, signal?: AbortSignal): Promise<string> {
  return (await get(path, signal)).text();
}

/** Hands each `separator`-terminated piece of a streamed answer to `onPiece` as it arrives; returns what is left after the last one. */
async function forEachPiece(res: Response, separator: string, onPiece: (piece: string) => void): Promise<string> {
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buf = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return buf;
    buf += value;
    let cut: number;
    while ((cut = buf.indexOf(separator)) >= 0) {
      const piece = buf.slice(0, cut);
      buf = buf.slice(cut + separator.length);
      onPiece(piece);
    }
  }
}

/** Reads an NDJSON answer line by line as it arrives. */
export async function getLines(path: string, onLine: (value: unknown) => void, signal?: AbortSignal): Promise<void> {
  const rest = await forEachPiece(await get(path, signal), '\n', (line) => {
    if (line) onLine(JSON.parse(line));
  });
  if (rest.trim()) onLine(JSON.parse(rest));
}

export interface LiveHandlers {
  onMessage(event: string, data: string): void;
  onState(connected: boolean): void;
}

/**
 * Server-Sent Events over fetch (EventSource cannot send the Authorization header).
 * Reconnects after a second while not closed. Returns a function that closes it.
 */
export function openLive(path: string, handlers: LiveHandlers): () => void {
  const abort = new AbortController();
  let closed = false;
  const run = async () => {
    while (!closed) {
      try {
        const res = await get(path, abort.signal);
        handlers.onState(true);
        await forEachPiece(res, '\n\n', (block) => {
          let event = 'message';
          const data: string[] = [];
          for (const line of block.split('\n')) {
            if (line.startsWith('event: ')) event = line.slice(7);
            else if (line.startsWith('data: ')) data.push(line.slice(6));
          }
          if (data.length) handlers.onMessage(event, data.join('\n'));
        });
      } catch (error) {
        if (closed) return;
        if (error instanceof Unauthorized) {
          handlers.onState(false);
          return;
        }
        if (error instanceof Error && /no live stream/.test(error.message)) {
          handlers.onState(false);
          return;
        }
      }
      handlers.onState(false);
      if (!closed) await new Promise((r) => setTimeout(r, 1000));
    }
  };
  void run();
  return () => {
    closed = true;
    abort.abort();
  };
}
