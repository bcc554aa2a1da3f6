import { DebbieError } from '@debbie/model';

/** An HTTP failure with the status to answer and the google.rpc.Code for OTLP bodies. */
export class HttpError extends Error {
  readonly status: number;
  readonly rpcCode: number;
  /** Extra response headers (Retry-After, WWW-Authenticate). */
  readonly headers: Record<string, string>;

  constructor(status: number, message: string, rpcCode = 3, headers: Record<string, string> = {}) {
    super(message);
    this.name = 'HttpError';
    this.status = status;
    this.rpcCode = rpcCode;
    this.headers = headers;
  }
}

/**
 * What a query endpoint answers for a thrown error: an HttpError as it is, a DebbieError (bad
 * input the user can fix) as 400, anything else as 500 "<failed> failed: …".
 */
export function httpErrorOf(error: unknown, failed: string): HttpError {
  if (error instanceof HttpError) return error;
  if (error instanceof DebbieError) return new HttpError(400, error.message);
  return new HttpError(500, `${failed} failed: ${(error as Error).message}`);
}
