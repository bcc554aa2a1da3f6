import type { IncomingMessage } from 'node:http';
import { createGunzip, createInflate, type Gunzip, type Inflate } from 'node:zlib';
import { HttpError } from './HttpError.js';

export interface ReadBodyOptions {
  /** Limit on the body after decompression (and on the compressed body). */
  maxBytes: number;
  /**
   * Called with each chunk's size as it arrives on the wire (before decompression); may throw an
   * HttpError (e.g. 503 when the receiver's in-flight budget is used up) to refuse the request.
   */
  onBytes?: (bytes: number) => void;
  /** A body that sends nothing for this long is refused with 408 and its connection closed. Default 10 s. */
  idleTimeoutMs?: number;
}

/**
 * Reads a request body, decompressing gzip or deflate, and stops as soon as it passes maxBytes
 * (before or after decompression), so a gzip bomb costs at most maxBytes of memory.
 * Throws HttpError 413 over the limit, 415 for an unknown Content-Encoding, 400 for a corrupt stream.
 */
export function readBody(req: IncomingMessage, options: ReadBodyOptions): Promise<Buffer> {
  const { maxBytes, onBytes } = options;
  const idleTimeoutMs = options.idleTimeoutMs ?? 10_000;
  const encoding = String(req.headers['content-encoding'] ?? 'identity')
    .trim()
    .toLowerCase();
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    discard(req, maxBytes);
    return Promise.reject(new HttpError(413, `request body of ${declared} bytes is over the limit of ${maxBytes} bytes`, 8));
  }
  let decoder: Gunzip | Inflate | undefined;
  if (encoding === 'gzip' || encoding === 'x-gzip') decoder = createGunzip();
  else if (encoding === 'deflate') decoder = createInflate();
  else if (encoding !== 'identity' && encoding !== '') {
    return Promise.reject(new HttpError(415, `unsupported Content-Encoding "${encoding}"; use gzip, deflate or none`, 3));
  }
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let compressed = 0;
    let done = false;
    let idle: NodeJS.Timeout | undefined;
    const armIdle = () => {
      if (idle) clearTimeout(idle);
      idle = setTimeout(() => {
        fail(new HttpError(408, `the request body sent nothing for ${idleTimeoutMs} ms`, 4));
        req.socket.destroy(); // an idle sender holds a connection; it gets no more of our time
      }, idleTimeoutMs);
      idle.unref();
    };
    armIdle();
    const fail = (error: HttpError) => {
      if (done) return;
      done = true;
      if (idle) clearTimeout(idle);
      if (decoder) {
        req.unpipe(decoder);
        decoder.destroy();
      }
      discard(req, maxBytes);
      reject(error);
    };
    const tooLarge = () => fail(new HttpError(413, `request body is over the limit of ${maxBytes} bytes${decoder ? ' after decompression' : ''}`, 8));
    const out = decoder ?? req;
    req.on('data', (c: Buffer) => {
      if (done) return;
      armIdle();
      try {
        onBytes?.(c.length);
      } catch (error) {
        return fail(error instanceof HttpError ? error : new HttpError(503, (error as Error).message, 14));
      }
      if (!decoder) return;
      compressed += c.length;
      if (compressed > maxBytes) tooLarge();
    });
    if (decoder) {
      decoder.on('error', (e: Error) => fail(new HttpError(400, `body is not valid ${encoding}: ${e.message}`, 3)));
      req.pipe(decoder);
    }
    out.on('data', (c: Buffer) => {
      if (done) return;
      size += c.length;
      if (size > maxBytes) return tooLarge();
      chunks.push(c);
    });
    out.on('end', () => {
      if (done) return;
      done = true;
      if (idle) clearTimeout(idle);
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    });
    req.on('error', (e: Error) => fail(new HttpError(400, `request stream failed: ${e.message}`, 3)));
    req.on('aborted', () => fail(new HttpError(400, 'client aborted the request', 3)));
  });
}

/**
 * Reads and throws away the rest of a refused body, so the client finishes sending and then sees
 * the error response (closing early would show it a broken pipe instead). A client that keeps
 * sending past 4× the limit has its connection closed.
 */
function discard(req: IncomingMessage, maxBytes: number): void {
  let dropped = 0;
  req.removeAllListeners('data');
  req.on('data', (c: Buffer) => {
    dropped += c.length;
    if (dropped > 4 * maxBytes) req.socket.destroy();
  });
  req.resume();
}
