import type { IncomingMessage } from 'node:http';
import { gunzipSync } from 'node:zlib';

/** Outcome of reading a request body under a size limit, decoding gzip when announced. */
export type BodyResult = { ok: true; text: string; compressed: boolean } | { ok: false; status: 413 | 400; message: string };

export async function readRequestBody(req: IncomingMessage, maxBytes: number): Promise<BodyResult> {
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes)
      tooLarge = true; // keep draining so the client sees our answer, but keep nothing
    else chunks.push(chunk);
  }
  if (tooLarge) return { ok: false, status: 413, message: `request body of ${size} bytes is larger than the limit of ${maxBytes}` };
  let raw = Buffer.concat(chunks);
  const encoding = (req.headers['content-encoding'] ?? '').toLowerCase();
  if (encoding === 'gzip') {
    try {
      raw = gunzipSync(raw, { maxOutputLength: maxBytes });
    } catch (error) {
      return { ok: false, status: 400, message: `cannot gunzip the body: ${(error as Error).message}` };
    }
  } else if (encoding && encoding !== 'identity') {
    return { ok: false, status: 400, message: `unsupported Content-Encoding [${encoding}]` };
  }
  return { ok: true, text: raw.toString('utf8'), compressed: encoding === 'gzip' };
}
