/** A user-facing error with a stable code; `where` says which record, field or line was wrong. */
export class DebbieError extends Error {
  readonly code: string;
  readonly where: string | undefined;

  constructor(code: string, message: string, where?: string) {
    super(where ? `${where}: ${message}` : message);
    this.name = 'DebbieError';
    this.code = code;
    this.where = where;
  }
}
