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
